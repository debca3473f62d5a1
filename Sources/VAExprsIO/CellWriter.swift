import Foundation
import VAExprsCore

/// A block of consecutive cells to write: dense values (whole numbers for counts), their
/// labels (one per label column) and latent coordinates.
public struct CellBlock: Sendable {
    /// Cell ids, one per row.
    public var cellIDs: [String]
    /// Values, cells × genes.
    public var values: Matrix
    /// Each cell's labels, one per label column (nil without labels).
    public var labels: [[String]]?
    /// Each cell's latent coordinates (nil when not written).
    public var latent: Matrix?

    /// A block from its parts.
    public init(cellIDs: [String], values: Matrix, labels: [[String]]? = nil, latent: Matrix? = nil) {
        self.cellIDs = cellIDs
        self.values = values
        self.labels = labels
        self.latent = latent
    }
}

/// What a cell matrix output describes besides its cells.
public struct CellOutputLayout: Sendable {
    /// Gene ids, in column order.
    public var geneNames: [String]
    /// True when values are counts (written as integers, sparse); false for continuous values.
    public var integerCounts: Bool
    /// Names of the label columns (empty without labels).
    public var labelColumns: [String]
    /// Every possible value of each label column, in the order categorical codes use.
    public var labelCategories: [[String]]
    /// Settings to record with the cells (the `.h5ad`'s `uns["vaexprs"]`).
    public var settings: [(key: String, value: String)]

    /// A layout.
    public init(geneNames: [String], integerCounts: Bool, labelColumns: [String] = [], labelCategories: [[String]] = [],
                settings: [(key: String, value: String)] = []) {
        self.geneNames = geneNames
        self.integerCounts = integerCounts
        self.labelColumns = labelColumns
        self.labelCategories = labelCategories
        self.settings = settings
    }
}

/// Formats a cell matrix can be written in.
public enum CellOutputFormat: String, Sendable, CaseIterable {
    /// Comma- (or, for `.tsv`, tab-) separated text, cells in rows; gzipped for `.gz`.
    case csv
    /// AnnData `.h5ad`: X (CSR integer counts, or dense floats), obs, var, obsm, uns.
    case h5ad
    /// Cell Ranger's feature-barcode matrix `.h5` (counts only).
    case tenXH5 = "10x-h5"
    /// A 10x Matrix Market folder: matrix.mtx.gz, features.tsv.gz, barcodes.tsv.gz (counts only).
    case mtx

    /// The format named by `option`, or else by the path: `.h5ad`, `.h5`, a path ending in `/`
    /// or without an extension for a 10x folder, anything else CSV/TSV.
    /// An option that contradicts the path's extension (`--format h5ad` for `out.csv`) is an error:
    /// the file would not be what its name says.
    public static func of(path: String, option: String?) throws -> CellOutputFormat {
        if let option {
            guard let format = CellOutputFormat(rawValue: option) else {
                throw VAExprsError.usage("\(parameter: "format") must be one of: \(allCases.map(\.rawValue).joined(separator: ", ")); got '\(option)'")
            }
            if let named = named(by: path), named != format {
                throw VAExprsError.usage("\(parameter: "format") \(option) disagrees with the extension of \(path), which names \(named.rawValue); change one of them")
            }
            return format
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".h5ad") { return .h5ad }
        if lower.hasSuffix(".h5") { return .tenXH5 }
        if lower.hasSuffix("/") || URL(fileURLWithPath: path).pathExtension.isEmpty { return .mtx }
        return .csv
    }

    /// Refuses a path for an output that is always CSV (labels, latent means) whose extension
    /// names another format: `latent.h5ad` would otherwise hold CSV text.
    /// - Throws: `VAExprsError.usage` naming `parameter`.
    public static func requireText(_ path: String?, parameter: String) throws {
        guard let path, let named = named(by: path), named != .csv else { return }
        throw VAExprsError.usage("\(parameter: parameter) \(path): this output is CSV text, but the extension names \(named.rawValue); name it .csv or .tsv (.gz to compress)")
    }

    /// The format an extension names without doubt (nil for none, or an unknown one).
    static func named(by path: String) -> CellOutputFormat? {
        var lower = path.lowercased()
        if lower.hasSuffix(".gz") { lower.removeLast(3) }
        if lower.hasSuffix(".h5ad") { return .h5ad }
        if lower.hasSuffix(".h5") { return .tenXH5 }
        if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { return .csv }
        if lower.hasSuffix(".mtx") { return .mtx }
        return nil
    }
}

/// Writes cells block by block with bounded memory, into a temporary file (or folder) beside
/// the destination; `finish()` completes it and hands it to the caller, who commits it with the
/// command's other outputs (`AtomicOutput.adopt`): an interrupted or failed command leaves
/// every destination as it was.
public protocol CellWriter: AnyObject {
    /// Appends the next cells.
    func append(_ block: CellBlock) throws
    /// Completes the temporary file (or folder, or the files of an existing folder), ready to
    /// be renamed into place.
    func finish() throws -> [StagedFile]
    /// Removes the temporary output (called on failure; harmless after `finish`).
    func discard()
}

extension CellWriter {
    /// Completes the file and renames it into place, for a matrix that is its command's only
    /// output (with others, adopt the finished file into their `AtomicOutput`).
    public func commit() throws {
        let outputs = AtomicOutput()
        outputs.adopt(try finish())
        try outputs.commit()
    }
}

/// Opens the writer for a format.
public enum CellWriters {
    /// A writer of `format` at `path`. `genesInRows` (CSV only) transposes, which needs the
    /// whole matrix in memory.
    public static func open(_ path: String, format: CellOutputFormat, layout: CellOutputLayout,
                            genesInRows: Bool = false) throws -> any CellWriter {
        try AtomicOutput.checkDestination(path.hasSuffix("/") ? String(path.dropLast()) : path, folder: format == .mtx)
        if genesInRows && format != .csv { throw VAExprsError.usage("\(parameter: "genesInRows") applies to CSV/TSV output, not \(format.rawValue)") }
        if !layout.integerCounts && (format == .tenXH5 || format == .mtx) {
            throw VAExprsError.usage("\(path): the \(format.rawValue) format holds whole counts, and these cells are not counts (continuous values, or expected counts from \(parameter: "decode") mean); write .csv or .h5ad")
        }
        switch format {
        case .csv: return try CSVCellWriter(path, layout: layout, genesInRows: genesInRows)
        case .h5ad: return try H5ADCellWriter(path, layout: layout)
        case .tenXH5: return try TenXH5CellWriter(path, layout: layout)
        case .mtx: return try TenXFolderCellWriter(path, layout: layout)
        }
    }
}

/// A temporary path beside `destination` (same folder, so rename is atomic) with 64 random
/// bits from the system's generator in its name, so that nobody can plant a file or link there
/// ahead; `tracked` for removal on interruption (`TemporaryFiles`) until moved into place.
public func temporaryPath(beside destination: String, tracked: Bool = true) -> String {
    let url = URL(fileURLWithPath: destination)
    var random = SystemRandomNumberGenerator()
    let suffix = ".tmp-" + String(random.next() as UInt64, radix: 16)
    // The name is shortened (on a character boundary) so that the temporary's name fits the
    // 255 bytes of NAME_MAX whenever the destination's does.
    var name = Substring(url.lastPathComponent)
    while name.utf8.count + suffix.utf8.count + 1 > 255 { name = name.dropLast() }
    let path = url.deletingLastPathComponent().path + "/." + name + suffix
    if tracked { TemporaryFiles.track(path) }
    return path
}

/// The check every writer of whole counts makes before writing a block: each value is a
/// finite whole number from 0 to the largest its format's integer type holds, else an error
/// naming the cell and gene (nothing is written; the writer's temporary is discarded).
enum WholeCounts {
    /// The largest count a 32-bit integer format (`.h5ad` CSR data, Cell Ranger `.h5`) holds.
    static let largestInt32 = Double(Int32.max)

    static func check(_ block: CellBlock, genes: [String], largest: Double, format: String) throws {
        let columns = block.values.columns
        try block.values.storage.withUnsafeBufferPointer { v in
            for (index, value) in v.enumerated() where !(value >= 0 && Double(value) <= largest && value == value.rounded()) {
                let cell = block.cellIDs[index / columns], gene = index % columns < genes.count ? genes[index % columns] : "\(index % columns + 1)"
                let what = !value.isFinite ? "not a finite number" : value < 0 || value != value.rounded() ? "not a whole count" : "more than \(format) holds (\(Int64(largest)))"
                throw VAExprsError(.cannotWrite, "cell '\(cell)', gene '\(gene)' is \(value), \(what); nothing was written: generate fewer counts (a smaller \(parameter: "library") size), or write .csv")
            }
        }
    }
}

/// The non-zero entries of dense rows as CSR pieces (row lengths, column indices, values).
func compressRows(_ values: Matrix) -> (lengths: [Int], indices: [Int32], values: [Float]) {
    var lengths: [Int] = [], indices: [Int32] = [], data: [Float] = []
    lengths.reserveCapacity(values.rows)
    values.storage.withUnsafeBufferPointer { v in
        for i in 0..<values.rows {
            var n = 0
            for j in 0..<values.columns where v[i * values.columns + j] != 0 {
                indices.append(Int32(j)); data.append(v[i * values.columns + j]); n += 1
            }
            lengths.append(n)
        }
    }
    return (lengths, indices, data)
}
