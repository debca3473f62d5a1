import Foundation
import VAExprsCore

/// What VAExprs reads from an `.h5ad` (AnnData on-disk format, anndata ≥ 0.8 encodings).
package struct AnnDataContents: Sendable {
    /// `X` as cells × genes, cell ids from the `obs` index, gene names from the `var` index.
    package var matrix: ExpressionMatrix
    /// `obs` columns as text (categoricals by category, numbers in their shortest form);
    /// missing categorical values are empty strings.
    package var obs: [String: [String]]
}

/// Reads `.h5ad` files through HDF5: `X` dense (`array`) or sparse (`csr_matrix`/`csc_matrix`),
/// the `obs`/`var` indices and the `obs` columns, which can serve as labels.
package enum H5AD {
    /// True when `path` names an `.h5ad` file.
    package static func isH5AD(_ path: String) -> Bool { path.lowercased().hasSuffix(".h5ad") }

    /// Reads the file (its `X`, or the layer or `.raw` that `matrix` names).
    package static func read(_ path: String, matrix chosen: AnnDataMatrix = .x) throws -> AnnDataContents {
        let file = try HDF5File(path)
        try check(file, has: chosen)
        let annotations = try readAnnotations(file, genes: chosen.genes)
        let matrix = try readX(
            file, group: chosen.group, cells: annotations.cells.count, genes: annotations.genes.count)
        return AnnDataContents(
            matrix: ExpressionMatrix(cellIDs: annotations.cells, geneNames: annotations.genes, cells: matrix),
            obs: annotations.obs)
    }

    /// The file's `obs` as a labels table (cell ids from its index, columns in its order),
    /// without reading `X`: what `--labels data.h5ad` reads.
    package static func labelTable(_ path: String) throws -> LabelTable {
        let file = try HDF5File(path)
        let cells = try index(file, "/obs")
        if let dup = DelimitedText.firstDuplicate(cells) {
            throw file.bad("/obs index", "cell id '\(dup)' appears twice")
        }
        let columns = try file.stringAttribute("/obs", "column-order") ?? []
        guard !columns.isEmpty else {
            throw VAExprsError.badData(
                "\(path): its obs has no columns to take labels from; give a labels file 'cell,label'")
        }
        let values = try columns.map { try obsColumn(file, "/obs/" + $0, count: cells.count) }
        var rows: [String: [String]] = [:]
        for (i, cell) in cells.enumerated() { rows[cell] = values.map { $0[i] } }
        return LabelTable(columnNames: columns, rows: rows, cellOrder: cells, path: path)
    }

    /// Refuses a layer or `.raw` the file does not hold, listing what it holds.
    static func check(_ file: HDF5File, has chosen: AnnDataMatrix) throws {
        guard chosen != .x, !file.exists(chosen.group) else { return }
        let layers = file.members("/layers")
        let held = (layers.map { "layers['\($0)']" } + (file.exists("/raw/X") ? ["raw.X"] : [])).joined(separator: ", ")
        throw VAExprsError.usage(
            "\(file.path): has no \(chosen.description)\(held.isEmpty ? " (it holds only X)" : "; it holds \(held)")")
    }

    /// Which other matrices of the file hold whole numbers ≥ 0 (counts), judged on up to their
    /// first 100 000 stored values (sparse) or leading rows (dense): where scanpy users keep the raw
    /// counts beside a normalised `X`.
    package static func countMatrices(_ path: String) -> [AnnDataMatrix] {
        guard let file = try? HDF5File(path) else { return [] }
        let candidates = file.members("/layers").map { AnnDataMatrix.layer($0) } + (file.exists("/raw/X") ? [.raw] : [])
        return candidates.filter { candidate in
            // Sparse: the stored values; dense: the leading rows.
            let values = file.isGroup(candidate.group) ? candidate.group + "/data" : candidate.group
            guard let sample = try? file.leadingValues(values, count: 100_000), !sample.isEmpty else { return false }
            return sample.allSatisfy { $0 >= 0 && $0 == $0.rounded() }
        }
    }

    /// The `obs` index and columns and the gene names (`var`'s index, or `genes`'), checked
    /// (unique ids).
    static func readAnnotations(_ file: HDF5File, genes genesGroup: String = "/var") throws
        -> (cells: [String], genes: [String], obs: [String: [String]])
    {
        let cells = try index(file, "/obs")
        let genes = try index(file, genesGroup)
        if let dup = DelimitedText.firstDuplicate(cells) {
            throw file.bad("/obs index", "cell id '\(dup)' appears twice")
        }
        if let dup = DelimitedText.firstDuplicate(genes) { throw file.bad("/var index", "gene '\(dup)' appears twice") }
        var obs: [String: [String]] = [:]
        for column in try file.stringAttribute("/obs", "column-order") ?? [] {
            obs[column] = try obsColumn(file, "/obs/" + column, count: cells.count)
        }
        return (cells, genes, obs)
    }

    private static func index(_ file: HDF5File, _ group: String) throws -> [String] {
        guard file.exists(group) else { throw file.bad(group, "missing; not an AnnData file") }
        let name = try file.stringAttribute(group, "_index")?.first ?? "_index"
        let values = try file.strings(group + "/" + name)
        guard !values.isEmpty else { throw file.bad(group, "no \(group == "/obs" ? "cells" : "genes")") }
        return values
    }

    private static func readX(_ file: HDF5File, group x: String, cells: Int, genes: Int) throws -> CellMatrix {
        guard file.exists(x) else { throw file.bad(x, "missing (no expression matrix)") }
        if !file.isGroup(x) {
            let shape = try file.shape(x)
            guard shape == [cells, genes] else {
                throw file.bad(x, "shape \(shape), but obs has \(cells) cells and var \(genes) genes")
            }
            let (values, _) = try file.floats(x)
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw file.bad(x, "cell \(bad / genes + 1), gene \(bad % genes + 1) is not a finite number")
            }
            return .dense(Matrix(rows: cells, columns: genes, storage: values))
        }
        let encoding = try file.stringAttribute(x, "encoding-type")?.first ?? ""
        guard encoding == "csr_matrix" || encoding == "csc_matrix" else {
            throw file.bad(
                x, "encoding '\(encoding)' is not supported (dense arrays and csr/csc sparse matrices are)")
        }
        if let shape = try file.integerAttribute(x, "shape"), shape.map(Int.init) != [cells, genes] {
            throw file.bad(x, "shape \(shape), but obs has \(cells) cells and var \(genes) genes")
        }
        let matrix = try readCompressed(
            file, group: x, rows: cells, columns: genes, byColumn: encoding == "csc_matrix")
        return .sparse(matrix)
    }

    /// A CSR (or, with `byColumn`, CSC) matrix from `data`, `indices` and `indptr` under
    /// `group`, validated and returned as CSR with rows = cells.
    static func readCompressed(_ file: HDF5File, group: String, rows: Int, columns: Int, byColumn: Bool) throws
        -> SparseMatrix
    {
        let (major, minor) = byColumn ? (columns, rows) : (rows, columns)
        for array in ["data", "indices", "indptr"] where try file.shape(group + "/" + array).count != 1 {
            throw file.bad(
                group + "/" + array,
                """
                has shape \(try file.shape(group + "/" + array)), but a sparse matrix's arrays are \
                one-dimensional; the file is damaged
                """
            )
        }
        let entries = try file.shape(group + "/data").reduce(1, *)
        guard try file.shape(group + "/indices").reduce(1, *) == entries else {
            throw file.bad(group, "indices and data have different lengths; the file is damaged")
        }
        let pointerCount = try file.shape(group + "/indptr").reduce(1, *)
        guard pointerCount == major + 1 else {
            throw file.bad(
                group + "/indptr",
                """
                \(pointerCount) offsets, but a \(byColumn ? "CSC" : "CSR") matrix of \(rows) × \(columns) needs \
                \(major + 1); the shape disagrees with the arrays
                """
            )
        }
        let pointers = try file.integers(group + "/indptr").map { Int($0) }
        let values = try file.floats(group + "/data").values
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw file.bad(group + "/data", "entry \(bad) is not a finite number")
        }
        let indices = try file.int32s(group + "/indices")
        let describe = "\(file.path): \(group)"
        if !byColumn {
            return try SparseMatrix(
                validatingRows: rows, columns: columns, rowStarts: pointers, columnIndices: indices,
                values: values, describe: describe)
        }
        // CSC: validate as the transposed CSR, then transpose.
        let transposed = try SparseMatrix(
            validatingRows: major, columns: minor, rowStarts: pointers, columnIndices: indices,
            values: values, describe: describe)
        return transposed.transposed()
    }

    private static func obsColumn(_ file: HDF5File, _ object: String, count: Int) throws -> [String] {
        let values: [String]
        let encoding = file.isGroup(object) ? try file.stringAttribute(object, "encoding-type")?.first ?? "" : ""
        if encoding.hasPrefix("nullable-") {
            // anndata's nullable integer, boolean and string arrays: values and a mask (true = missing).
            guard file.exists(object + "/values"), file.exists(object + "/mask") else {
                throw file.bad(object, "a \(encoding) column needs 'values' and 'mask'; the file is damaged")
            }
            let raw =
                try file.holdsStrings(object + "/values")
                ? try file.strings(object + "/values")
                : encoding == "nullable-boolean"
                    ? try file.integers(object + "/values").map { $0 != 0 ? "True" : "False" }
                    : try file.integers(object + "/values").map { String($0) }
            let mask = try file.integers(object + "/mask")
            guard mask.count == raw.count else {
                throw file.bad(object, "\(raw.count) values but \(mask.count) mask entries; the file is damaged")
            }
            values = zip(raw, mask).map { $1 != 0 ? "" : $0 }
        } else if file.isGroup(object) {
            guard file.exists(object + "/categories"), file.exists(object + "/codes") else {
                throw file.bad(
                    object,
                    """
                    a categorical column needs 'categories' and \
                    'codes'\(encoding.isEmpty ? "" : " (its encoding is '\(encoding)')"); the file is damaged or \
                    of an encoding VAExprs does not read
                    """
                )
            }
            let categories =
                try file.holdsStrings(object + "/categories")
                ? try file.strings(object + "/categories")
                : try file.floats(object + "/categories").values.map(ExpressionCSV.format)
            var seen = Set<String>()
            if let repeated = categories.first(where: { !seen.insert($0).inserted }) {
                throw file.bad(
                    object + "/categories",
                    """
                    lists '\(repeated)' twice; categories must be unique (anndata refuses such a file too), so \
                    which cells carry it is ambiguous
                    """
                )
            }
            let codes = try file.integers(object + "/codes")
            if let bad = codes.firstIndex(where: { $0 < -1 || $0 >= Int64(categories.count) }) {
                throw file.bad(
                    object + "/codes",
                    """
                    cell \(bad + 1) has code \(codes[bad]), but there are \(categories.count) categories (codes \
                    0–\(categories.count - 1), -1 for missing); the file is damaged
                    """
                )
            }
            values = codes.map { $0 >= 0 ? categories[Int($0)] : "" }
        } else if try file.holdsStrings(object) {
            values = try file.strings(object)
        } else {
            // Numbers in their shortest form; NaN is pandas' missing value, not a label "nan".
            values = try file.floats(object).values.map { $0.isNaN ? "" : ExpressionCSV.format($0) }
        }
        guard values.count == count else { throw file.bad(object, "\(values.count) values for \(count) cells") }
        return values
    }
}
