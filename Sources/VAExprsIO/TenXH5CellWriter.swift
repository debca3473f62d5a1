import Foundation
import VAExprsCore

/// Streams counts to Cell Ranger's feature-barcode matrix `.h5` layout (as Cell Ranger ≥ 3
/// writes it, which scanpy's `read_10x_h5` and Seurat's `Read10X_h5` read): `matrix/data`
/// (int32), `indices` (int64 gene indices), `indptr` (int64 per barcode), `shape`
/// (genes, cells), fixed-width `barcodes`, and `features/{id,name,feature_type,genome}`.
/// The root carries the PyTables attributes Seurat looks for to recognise the layout.
final class TenXH5CellWriter: CellWriter {
    private let destination: String
    private let temporary: String
    private let layout: CellOutputLayout
    private let file: HDF5Writer
    private let data: HDF5Writer.GrowingDataset
    private let indices: HDF5Writer.GrowingDataset
    private let pointers: HDF5Writer.GrowingDataset
    private let barcodes: HDF5Writer.GrowingDataset
    private var stored = 0
    private var cells = 0
    /// Width of the fixed-length barcode strings.
    static let barcodeWidth = 64

    init(_ path: String, layout: CellOutputLayout) throws {
        destination = path
        temporary = temporaryPath(beside: path)
        self.layout = layout
        file = try HDF5Writer(creating: temporary)  // exclusively: a path already taken fails here
        TemporaryFiles.track(temporary)
        do {
            try file.setAttribute("/", "PYTABLES_FORMAT_VERSION", "2.1")
            try file.setAttribute("/", "filetype", "matrix")
            try file.createGroup("/matrix")
            try file.createGroup("/matrix/features")
            let genes = layout.geneNames
            let width = max(1, genes.map(\.utf8.count).max() ?? 1)
            try file.writeStrings("/matrix/features/id", genes, fixedWidth: width)
            try file.writeStrings("/matrix/features/name", genes, fixedWidth: width)
            try file.writeStrings(
                "/matrix/features/feature_type", [String](repeating: "Gene Expression", count: genes.count),
                fixedWidth: 15)
            try file.writeStrings(
                "/matrix/features/genome", [String](repeating: "unknown", count: genes.count), fixedWidth: 7)
            try file.writeStrings("/matrix/features/_all_tag_keys", ["genome"], fixedWidth: 6)
            data = try .init(file, "/matrix/data", kind: .int32, columns: 1)
            indices = try .init(file, "/matrix/indices", kind: .int64, columns: 1)
            pointers = try .init(file, "/matrix/indptr", kind: .int64, columns: 1)
            barcodes = try .init(
                file, "/matrix/barcodes", kind: .fixedString(Self.barcodeWidth), columns: 1, chunkRows: 16_384)
            try pointers.append([Int64(0)])
        } catch {
            try? file.close()
            TemporaryFiles.remove(temporary)
            throw error
        }
    }

    func append(_ block: CellBlock) throws {
        try barcodes.append(strings: block.cellIDs)
        let (lengths, columns, values) = compressRows(block.values)
        try data.append(values.map { Int32($0) })
        try indices.append(columns.map { Int64($0) })
        var offsets: [Int64] = []
        for n in lengths {
            stored += n
            offsets.append(Int64(stored))
        }
        try pointers.append(offsets)
        cells += block.cellIDs.count
    }

    func finish() throws -> [StagedFile] {
        do {
            for d in [data, indices, pointers, barcodes] { d.close() }
            guard cells <= Int(Int32.max), layout.geneNames.count <= Int(Int32.max) else {
                throw VAExprsError(
                    .cannotWrite,
                    """
                    \(destination): \(cells) cells are more than a Cell Ranger .h5 holds (its shape is 32-bit); \
                    write .h5ad
                    """
                )
            }
            try file.writeIntegers("/matrix/shape", [Int32(layout.geneNames.count), Int32(cells)])
            try file.close()
            return [StagedFile(temporary: temporary, destination: destination)]
        } catch {
            discard()
            throw error
        }
    }

    func discard() {
        try? file.close()
        TemporaryFiles.remove(temporary)
    }
}
