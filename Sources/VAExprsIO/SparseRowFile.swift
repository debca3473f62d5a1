import Foundation
import VAExprsCore

/// Cells read from disk a block of rows at a time, for training and passes over data larger
/// than memory: the CSR `X` of an `.h5ad`, or the matrix of a Cell Ranger `.h5` (whose
/// cells are already compressed rows). Only the row offsets, cell ids and gene ids stay in
/// memory; `rows(_:)` reads the entries of a range of cells with hyperslab reads.
package final class SparseRowFile {
    /// The file.
    package let path: String
    /// Cell ids, one per row.
    package let cellIDs: [String]
    /// Gene ids of the kept columns.
    package let geneNames: [String]
    /// `obs` columns of an `.h5ad` (nil for a 10x `.h5`).
    package let obs: [String: [String]]?
    private let file: HDF5File
    private let group: String
    private let rowStarts: [Int]
    private let fileColumns: Int
    private let keptColumns: [Int]?

    /// Number of cells.
    package var rowCount: Int { cellIDs.count }
    /// Number of genes.
    package var columnCount: Int { geneNames.count }
    /// Stored entries in the file.
    package var storedCount: Int { rowStarts.last ?? 0 }

    /// True when `path` is a file this reader can stream (`.h5ad` or `.h5`).
    package static func canStream(_ path: String) -> Bool { H5AD.isH5AD(path) || TenXH5.isTenXH5(path) }

    /// Opens the file and checks its row offsets (they must start at 0, never decrease and
    /// end at the number of entries).
    package init(_ path: String, matrix chosen: AnnDataMatrix = .x) throws {
        self.path = path
        file = try HDF5File(path)
        if H5AD.isH5AD(path) {
            try H5AD.check(file, has: chosen)
            let contents = try H5AD.readAnnotations(file, genes: chosen.genes)
            let x = chosen.group
            cellIDs = contents.cells
            geneNames = contents.genes
            obs = contents.obs
            guard file.isGroup(x), try file.stringAttribute(x, "encoding-type")?.first == "csr_matrix" else {
                throw VAExprsError.badData(
                    """
                    \(path): \(chosen.description) is not a CSR matrix, so it cannot be read a block of cells at a \
                    time; rewrite it with anndata (adata.X = scipy.sparse.csr_matrix(adata.X); \
                    adata.write_h5ad(...)) or train in memory without \(parameter: "stream")
                    """
                )
            }
            if let shape = try file.integerAttribute(x, "shape"),
                shape.map(Int.init) != [cellIDs.count, geneNames.count]
            {
                throw file.bad(
                    x, "shape \(shape), but obs has \(cellIDs.count) cells and var \(geneNames.count) genes")
            }
            group = x
            fileColumns = geneNames.count
            keptColumns = nil
        } else {
            let layout = try TenXH5.layout(file)
            cellIDs = layout.barcodes
            geneNames = layout.kept.map { layout.ids[$0] }
            obs = nil
            group = "/matrix"
            fileColumns = layout.ids.count
            keptColumns = layout.kept.count == layout.ids.count ? nil : layout.kept
        }
        let pointerCount = try file.shape(group + "/indptr").reduce(1, *)
        guard pointerCount == cellIDs.count + 1 else {
            throw file.bad(
                group + "/indptr",
                """
                \(pointerCount) offsets, but \(cellIDs.count) cells need \(cellIDs.count + 1); the shape \
                disagrees with the arrays
                """
            )
        }
        let starts = try file.integers(group + "/indptr").map { Int($0) }
        let entries = try file.shape(group + "/data").reduce(1, *)
        guard try file.shape(group + "/indices").reduce(1, *) == entries else {
            throw file.bad(group, "indices and data have different lengths; the file is damaged")
        }
        guard starts.first == 0 else {
            throw file.bad(group + "/indptr", "starts at \(starts[0]), not 0; the file is damaged")
        }
        for r in 0..<cellIDs.count where starts[r + 1] < starts[r] {
            throw file.bad(
                group + "/indptr", "decreases at row \(r + 1) (\(starts[r]) → \(starts[r + 1])); the file is damaged")
        }
        guard starts.last == entries else {
            throw file.bad(
                group + "/indptr",
                "ends at \(starts.last!), but there are \(entries) entries; the file is damaged or truncated")
        }
        rowStarts = starts
    }

    /// The cells `range` (a block of consecutive rows), validated, with the kept genes.
    package func rows(_ range: Range<Int>) throws -> SparseMatrix {
        let from = rowStarts[range.lowerBound], to = rowStarts[range.upperBound]
        let values = try file.slice(group + "/data", from..<to, as: Float.self, memoryType: HDF5File.floatType)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            try file.checkFloat32Range(group + "/data", index: from + bad)
            throw file.bad(group + "/data", "entry \(from + bad) is not a finite number")
        }
        let indices = try file.slice(group + "/indices", from..<to, as: Int32.self, memoryType: HDF5File.int32Type)
        let starts = rowStarts[range.lowerBound...range.upperBound].map { $0 - from }
        let block = try SparseMatrix(
            validatingRows: range.count, columns: fileColumns, rowStarts: starts, columnIndices: indices,
            values: values, describe: "\(path): \(group) (cells \(range.lowerBound + 1)–\(range.upperBound))")
        return keptColumns.map { block.selectingColumns($0) } ?? block
    }

    /// About `limit` cells as a matrix, read as `blocks` runs of consecutive cells spread
    /// evenly over the file (every cell when there are fewer): what `fit` looks at to choose
    /// a setup without reading the whole file.
    package func sample(cells limit: Int, blocks: Int = 20) throws -> ExpressionMatrix {
        let ranges: [Range<Int>]
        if rowCount <= limit {
            ranges = [0..<rowCount]
        } else {
            let size = max(1, limit / blocks)
            ranges = (0..<blocks).map { b in
                let s = b * (rowCount - size) / max(1, blocks - 1)
                return s..<(s + size)
            }
        }
        let cells = SparseMatrix.stacking(try ranges.map { try rows($0) })
        return ExpressionMatrix(cellIDs: ranges.flatMap { cellIDs[$0] }, geneNames: geneNames, cells: .sparse(cells))
    }

    /// The cells at `indices` (increasing, no repeats), read as runs of consecutive rows.
    package func rows(at indices: [Int]) throws -> SparseMatrix {
        var blocks: [SparseMatrix] = []
        var start = 0
        while start < indices.count {
            var end = start + 1
            while end < indices.count && indices[end] == indices[end - 1] + 1 { end += 1 }
            blocks.append(try rows(indices[start]..<(indices[end - 1] + 1)))
            start = end
        }
        return blocks.isEmpty ? SparseMatrix(zeroRows: 0, columns: columnCount) : SparseMatrix.stacking(blocks)
    }

    /// True when `path` is a Cell Ranger `.h5` or an `.h5ad` whose `X` is CSR: files whose
    /// cells can be read a block of rows at a time.
    package static func storesRows(_ path: String) throws -> Bool {
        if TenXH5.isTenXH5(path) { return true }
        guard H5AD.isH5AD(path) else { return false }
        let file = try HDF5File(path)
        guard file.isGroup("/X") else { return false }
        return try file.stringAttribute("/X", "encoding-type")?.first == "csr_matrix"
    }

    /// Bytes the cells would take in memory as CSR (values, indices, offsets).
    package var inMemoryBytes: Int { storedCount * 8 + (rowCount + 1) * 8 }
}
