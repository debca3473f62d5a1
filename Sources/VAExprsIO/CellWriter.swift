import CKernels
import Foundation
import VAExprsCore

/// A block of consecutive cells to write: dense values (whole numbers for counts), their
/// labels (one per label column) and latent coordinates.
package struct CellBlock: Sendable {
    /// Cell ids, one per row.
    package var cellIDs: [String]
    /// Values, cells × genes.
    package var values: Matrix
    /// Each cell's labels, one per label column (nil without labels).
    package var labels: [[String]]?
    /// Each cell's latent coordinates (nil when not written).
    package var latent: Matrix?

    /// A block from its parts.
    package init(cellIDs: [String], values: Matrix, labels: [[String]]? = nil, latent: Matrix? = nil) {
        self.cellIDs = cellIDs
        self.values = values
        self.labels = labels
        self.latent = latent
    }
}

/// What a cell matrix output describes besides its cells.
package struct CellOutputLayout: Sendable {
    /// Gene ids, in column order.
    package var geneNames: [String]
    /// True when values are counts (written as integers, sparse); false for continuous values.
    package var integerCounts: Bool
    /// Names of the label columns (empty without labels).
    package var labelColumns: [String]
    /// Every possible value of each label column, in the order categorical codes use.
    package var labelCategories: [[String]]
    /// Settings to record with the cells (the `.h5ad`'s `uns["vaexprs"]`).
    package var settings: [(key: String, value: String)]

    /// A layout.
    package init(
        geneNames: [String], integerCounts: Bool, labelColumns: [String] = [], labelCategories: [[String]] = [],
        settings: [(key: String, value: String)] = []
    ) {
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
    package static func of(path: String, option: String?) throws -> CellOutputFormat {
        if let option {
            guard let format = CellOutputFormat(rawValue: option) else {
                throw VAExprsError.usage(
                    """
                    \(parameter: "format") must be one of: \(allCases.map(\.rawValue).joined(separator: ", ")); \
                    got '\(option)'
                    """
                )
            }
            if let named = named(by: path), named != format {
                throw VAExprsError.usage(
                    """
                    \(parameter: "format") \(option) disagrees with the extension of \(path), which names \
                    \(named.rawValue); change one of them
                    """
                )
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
    package static func requireText(_ path: String?, parameter: String) throws {
        guard let path, let named = named(by: path), named != .csv else { return }
        throw VAExprsError.usage(
            """
            \(parameter: parameter) \(path): this output is CSV text, but the extension names \(named.rawValue); \
            name it .csv or .tsv (.gz to compress)
            """
        )
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
package protocol CellWriter: AnyObject {
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
    package func commit() throws {
        let outputs = AtomicOutput()
        outputs.adopt(try finish())
        try outputs.commit()
    }
}

/// Opens the writer for a format.
package enum CellWriters {
    /// A writer of `format` at `path`. `genesInRows` (CSV only) transposes, which needs the
    /// whole matrix in memory.
    package static func open(
        _ path: String, format: CellOutputFormat, layout: CellOutputLayout,
        genesInRows: Bool = false
    ) throws -> any CellWriter {
        // A folder output is checked by its writer, which plans from what the folder holds.
        if format != .mtx { try AtomicOutput.checkDestination(path) }
        if genesInRows && format != .csv {
            throw VAExprsError.usage("\(parameter: "genesInRows") applies to CSV/TSV output, not \(format.rawValue)")
        }
        if !layout.integerCounts && (format == .tenXH5 || format == .mtx) {
            throw VAExprsError.usage(
                """
                \(path): the \(format.rawValue) format holds whole counts, and these cells are not counts \
                (continuous values, or expected counts from \(parameter: "decode") mean); write .csv or .h5ad
                """
            )
        }
        try NameRules.check(genes: layout.geneNames, path: path, format: format)
        try NameRules.check(
            labelColumns: layout.labelColumns, categories: layout.labelCategories, path: path, format: format)
        let writer: any CellWriter
        switch format {
        case .csv: writer = try CSVCellWriter(path, layout: layout, genesInRows: genesInRows)
        case .h5ad: writer = try H5ADCellWriter(path, layout: layout)
        case .tenXH5: writer = try TenXH5CellWriter(path, layout: layout)
        case .mtx: writer = try TenXFolderCellWriter(path, layout: layout)
        }
        return CheckedCellWriter(writer, format: format, layout: layout, path: path)
    }
}

/// A temporary path beside `destination` (same folder, so rename is atomic) with 64 random
/// bits from the system's generator in its name, so that nobody can plant a file or link there
/// ahead. Only a name: whoever creates it (exclusively: `createExclusively`,
/// `HDF5Writer(creating:)`, `TemporaryFiles.createFolder`) tracks it, so that nothing this
/// process did not create is ever removed.
package func temporaryPath(beside destination: String) -> String {
    let url = URL(fileURLWithPath: destination)
    var random = SystemRandomNumberGenerator()
    let suffix = ".tmp-" + String(random.next() as UInt64, radix: 16)
    // The name is shortened (on a character boundary) so that the temporary's name fits the
    // 255 bytes of NAME_MAX whenever the destination's does.
    var name = Substring(url.lastPathComponent)
    while name.utf8.count + suffix.utf8.count + 1 > 255 { name = name.dropLast() }
    return url.deletingLastPathComponent().path + "/." + name + suffix
}

/// A writer behind the checks every format needs before a block is written: unique cell ids,
/// finite values, and counts that its integer type holds (a refusal names the cell and gene; the caller
/// discards the temporary, so nothing is left).
final class CheckedCellWriter: CellWriter {
    private let inner: any CellWriter
    private let largestCount: Double?
    private let formatName: String
    private let layout: CellOutputLayout
    private let path: String
    private let format: CellOutputFormat

    init(_ inner: any CellWriter, format: CellOutputFormat, layout: CellOutputLayout, path: String) {
        self.inner = inner
        self.format = format
        self.layout = layout
        self.path = path
        switch format {
        // Text holds any float; the Matrix Market values are read as doubles, exact to 2^53.
        case .csv: (largestCount, formatName) = (nil, "CSV")
        case .mtx: (largestCount, formatName) = (9_007_199_254_740_992, "a 10x Matrix Market folder")
        case .h5ad: (largestCount, formatName) = (CountRange.largest, ".h5ad (32-bit integer counts)")
        case .tenXH5: (largestCount, formatName) = (CountRange.largest, "a Cell Ranger .h5 (32-bit integer counts)")
        }
    }

    func append(_ block: CellBlock) throws {
        try NameRules.check(cells: block.cellIDs, path: path, format: format)
        try ValueRules.check(
            block, genes: layout.geneNames, counts: layout.integerCounts && largestCount != nil, largest: largestCount,
            format: formatName, path: path)
        try inner.append(block)
    }

    func finish() throws -> [StagedFile] { try inner.finish() }

    func discard() { inner.discard() }
}

/// What every writer checks of the names it writes, so that what it writes reads back as
/// written: gene ids unique (every reader refuses repeats), and so cell ids within each block
/// (generated ids are unique by construction; a stream is not held whole to check them all);
/// no NUL (HDF5 strings end at one), and in the line-based text formats no line end or tab.
package enum NameRules {
    static func check(genes: [String], path: String, format: CellOutputFormat) throws {
        if let repeated = DelimitedText.firstDuplicate(genes) {
            throw VAExprsError(
                .cannotWrite,
                """
                \(path): gene '\(DisplayText.neutralised(repeated))' appears twice; a matrix's gene ids must be \
                unique, so nothing was written
                """
            )
        }
        try checkCharacters(genes, what: "gene", path: path, format: format)
    }

    static func check(cells: [String], path: String, format: CellOutputFormat) throws {
        if let repeated = DelimitedText.firstDuplicate(cells) {
            throw VAExprsError(
                .cannotWrite,
                """
                \(path): cell '\(DisplayText.neutralised(repeated))' appears twice; cell ids must be unique, so \
                nothing was written
                """
            )
        }
        try checkCharacters(cells, what: "cell", path: path, format: format)
    }

    /// Whether `name` can be an `.h5ad` obs column (an HDF5 group beside the `_index`): not
    /// empty, `_index`, `.` or `..`, and without `/` or control characters. `fit` checks label
    /// columns by this rule when the model is made, the `.h5ad` writer again.
    package static func isObsColumnName(_ name: String) -> Bool {
        !(name.isEmpty || name == "_index" || name == "." || name == ".." || name.contains("/")
            || name.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    /// Label columns become `.h5ad` obs columns (`isObsColumnName`); no label holds a NUL.
    static func check(labelColumns: [String], categories: [[String]], path: String, format: CellOutputFormat) throws {
        if format == .h5ad, let bad = labelColumns.first(where: { !isObsColumnName($0) }) {
            throw VAExprsError(
                .cannotWrite,
                """
                \(path): the label column '\(DisplayText.neutralised(bad))' cannot be an obs column of an .h5ad \
                (empty, '_index', '.', '..', '/' and control characters are not allowed); nothing was written: \
                write .csv, whose labels go to a CSV file
                """
            )
        }
        try checkCharacters(labelColumns, what: "label column", path: path, format: format)
        for column in categories { try checkCharacters(column, what: "label", path: path, format: format) }
    }

    private static func checkCharacters(_ names: [String], what: String, path: String, format: CellOutputFormat) throws
    {
        let lineBased = format == .csv || format == .mtx
        if (what == "cell" || what == "gene"), names.contains(where: \.isEmpty) {
            throw VAExprsError(
                .cannotWrite,
                """
                \(path): a \(what) id is empty, which readers skip or refuse; nothing was written: give every \
                \(what) an id
                """
            )
        }
        for name in names {
            let bad =
                name.utf8.contains(0) || (lineBased && name.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
            guard bad else { continue }
            let id = "\(what) id '\(DisplayText.neutralised(name, keepingNewlines: false))'"
            let holds =
                lineBased ? "a NUL, tab or line end, which this line-based format" : "a NUL character, which HDF5"
            let remedy = lineBased && !name.utf8.contains(0) ? ", or write .h5ad" : ""
            throw VAExprsError(
                .cannotWrite, "\(path): the \(id) holds \(holds) cannot hold; nothing was written: rename it\(remedy)")
        }
    }
}

/// The values every writer checks before writing a block: finite numbers (which every reader
/// requires) and, for counts, whole numbers from 0 to the largest its format holds; else an
/// error naming the cell and gene (nothing is written; the writer's temporary is discarded).
enum ValueRules {
    /// Whether every value passes, found without a branch per value (the common case; the
    /// loop vectorises): finite, and for counts a whole number from 0 to `largest` — a float
    /// from 2²³ up is whole, and below it x is whole when (x + 2²³) − 2²³ gives x back.
    static func allPass(_ values: UnsafeBufferPointer<Float>, counts: Bool, largest: Double) -> Bool {
        var failures = 0
        if counts {
            for x in values {
                let whole = x >= 8_388_608 || (x + 8_388_608) - 8_388_608 == x
                failures &+= x >= 0 && x.isFinite && Double(x) <= largest && whole ? 0 : 1
            }
        } else {
            for x in values { failures &+= x.isFinite ? 0 : 1 }
        }
        return failures == 0
    }

    /// `largest` nil: any finite value (continuous values, or counts in CSV text).
    static func check(_ block: CellBlock, genes: [String], counts: Bool, largest: Double?, format: String, path: String)
        throws
    {
        let columns = block.values.columns
        try block.values.storage.withUnsafeBufferPointer { v in
            guard !allPass(v, counts: counts, largest: largest ?? .infinity) else { return }
            for (index, value) in v.enumerated() {
                let whole = CountRange.contains(value, largest: largest ?? .infinity)
                guard value.isFinite && (!counts || whole) else {
                    let cell = DisplayText.neutralised(block.cellIDs[index / columns])
                    let gene =
                        index % columns < genes.count
                        ? DisplayText.neutralised(genes[index % columns]) : "\(index % columns + 1)"
                    if !value.isFinite {
                        throw VAExprsError(
                            .cannotWrite,
                            """
                            \(path): cell '\(cell)', gene '\(gene)' is \(value), not a finite number, which no \
                            reader of expression data takes; nothing was written: the model generates it (see its \
                            loss history with inspect), so refit it
                            """
                        )
                    }
                    if value < 0 || value != value.rounded() {
                        throw VAExprsError(
                            .cannotWrite,
                            """
                            \(path): cell '\(cell)', gene '\(gene)' is \(value), not a whole count, which \
                            \(format) needs; nothing was written: write .csv or .h5ad, which hold any value
                            """
                        )
                    }
                    throw VAExprsError(
                        .cannotWrite,
                        """
                        \(path): cell '\(cell)', gene '\(gene)' is \(value), more than \(format) holds \
                        (\(Int64(largest ?? 0))); nothing was written: write \
                        \(largest ?? 0 < 1e15 ? "a 10x folder or .csv, which hold larger counts" : ".csv")
                        """
                    )
                }
            }
        }
    }
}

/// The non-zero entries of dense rows as CSR pieces (row lengths, column indices, values),
/// counted and gathered by a C loop without a branch per value.
func compressRows(_ values: Matrix) -> (lengths: [Int], indices: [Int32], values: [Float]) {
    let rows = values.rows, columns = values.columns
    var counts = [Int64](repeating: 0, count: rows)
    var indices: [Int32] = [], data: [Float] = []
    values.storage.withUnsafeBufferPointer { v in
        let total = Int(vaexprs_compress_rows(v.baseAddress, Int64(rows), Int64(columns), &counts, nil, nil))
        indices = [Int32](unsafeUninitializedCapacity: total + 1) { indices, indexCount in
            data = [Float](unsafeUninitializedCapacity: total + 1) { data, dataCount in
                _ = vaexprs_compress_rows(
                    v.baseAddress, Int64(rows), Int64(columns), nil, indices.baseAddress, data.baseAddress)
                dataCount = total
            }
            indexCount = total
        }
    }
    return (counts.map { Int($0) }, indices, data)
}
