import CVAExprsAPI
import Foundation
import VAExprs

/// The host's matrices and labels, checked and read into the engine's storage. Every size is
/// checked before anything is allocated or read; messages name the C parameter (`cells`,
/// `labels`, ...) so that a binding can show its own name for it.
enum Inputs {
    /// Entries a matrix may hold (2³¹ per side, 2⁴⁰ values): far above any data set, low enough
    /// that a garbage size is refused rather than allocated.
    static let maximumSide: Int64 = 1 << 31
    static let maximumValues: Int64 = 1 << 40

    /// The matrix `parameter` describes, as an expression matrix (dense or CSR).
    static func matrix(_ pointer: UnsafePointer<vaexprs_matrix>?, parameter: String) throws -> ExpressionMatrix {
        guard let m = pointer?.pointee else { throw usage(parameter, "is NULL; give a matrix of cells × genes") }
        guard m.cells >= 1, m.genes >= 1, m.cells <= maximumSide, m.genes <= maximumSide else {
            throw usage(parameter, "has \(m.cells) cells × \(m.genes) genes; give at least one of each (at most 2³¹)")
        }
        guard let names = m.gene_names else { throw usage(parameter, "has no gene_names; give one name per gene") }
        let genes = Int(m.genes), cells = Int(m.cells)
        let geneNames = try strings(names, count: genes, parameter: parameter + ".gene_names")
        let cellIDs =
            try m.cell_ids.map { try strings($0, count: cells, parameter: parameter + ".cell_ids") }
            ?? (1...cells).map { "cell\($0)" }
        try unique(geneNames, parameter: parameter + ".gene_names")
        try unique(cellIDs, parameter: parameter + ".cell_ids")
        let values: CellMatrix
        switch m.layout {
        case Int32(VAEXPRS_DENSE_ROW_MAJOR.rawValue), Int32(VAEXPRS_DENSE_COLUMN_MAJOR.rawValue):
            values = .dense(
                try dense(
                    m, rowMajor: m.layout == Int32(VAEXPRS_DENSE_ROW_MAJOR.rawValue), parameter: parameter,
                    cellIDs: cellIDs, geneNames: geneNames))
        case Int32(VAEXPRS_CSR.rawValue), Int32(VAEXPRS_CSC.rawValue):
            values = .sparse(
                try sparse(
                    m, csr: m.layout == Int32(VAEXPRS_CSR.rawValue), parameter: parameter,
                    cellIDs: cellIDs, geneNames: geneNames))
        default:
            throw usage(
                parameter,
                "has layout \(m.layout); give 0 (dense row-major), 1 (dense column-major), 2 (CSR) or 3 (CSC)")
        }
        return ExpressionMatrix(cellIDs: cellIDs, geneNames: geneNames, cells: values)
    }

    private static func dense(
        _ m: vaexprs_matrix, rowMajor: Bool, parameter: String, cellIDs: [String],
        geneNames: [String]
    ) throws -> Matrix {
        guard m.cells * m.genes <= maximumValues else {
            throw usage(
                parameter, "has \(m.cells) × \(m.genes) values, more than a dense matrix may hold; pass it sparse")
        }
        guard let source = m.values else { throw usage(parameter, "has no values") }
        let cells = Int(m.cells), genes = Int(m.genes)
        var out = Matrix(rows: cells, columns: genes)
        for i in 0..<cells {
            for j in 0..<genes {
                let v = rowMajor ? source[i * genes + j] : source[j * cells + i]
                guard v.isFinite, abs(v) <= Double(Float.greatestFiniteMagnitude) else {
                    throw VAExprsError.badData(
                        """
                        \(parameter: parameter): cell '\(cellIDs[i])', gene '\(geneNames[j])' is \(v); give \
                        finite values
                        """
                    )
                }
                out[i, j] = Float(v)
            }
        }
        return out
    }

    private static func sparse(
        _ m: vaexprs_matrix, csr: Bool, parameter: String, cellIDs: [String],
        geneNames: [String]
    ) throws -> SparseMatrix {
        guard let values = m.values, let indices = m.indices, let pointers = m.pointers else {
            throw usage(parameter, "is sparse but lacks values, indices or pointers")
        }
        let outer = Int(csr ? m.cells : m.genes), inner = Int(csr ? m.genes : m.cells)
        guard m.stored >= 0, m.stored <= maximumValues, pointers[0] == 0, pointers[outer] == m.stored else {
            throw usage(
                parameter,
                """
                has stored = \(m.stored), but its pointers run from \(pointers[0]) to \(pointers[outer]); they \
                must run from 0 to stored
                """
            )
        }
        for k in 0..<outer where pointers[k] > pointers[k + 1] {
            throw usage(parameter, "pointers decrease at \(k) (\(pointers[k]) then \(pointers[k + 1]))")
        }
        let stored = Int(m.stored)
        for k in 0..<stored {
            guard indices[k] >= 0, Int(indices[k]) < inner else {
                throw usage(parameter, "index \(indices[k]) at entry \(k) is outside 0..<\(inner)")
            }
            let v = values[k]
            guard v.isFinite, abs(v) <= Double(Float.greatestFiniteMagnitude) else {
                throw VAExprsError.badData("\(parameter: parameter): stored entry \(k) is \(v); give finite values")
            }
        }
        // Rows of cells, columns increasing within each (CSC is transposed by counting).
        var rowStarts = [Int](repeating: 0, count: Int(m.cells) + 1)
        var columns = [Int32](repeating: 0, count: stored)
        var out = [Float](repeating: 0, count: stored)
        if csr {
            for k in 0...Int(m.cells) { rowStarts[k] = Int(pointers[k]) }
            for i in 0..<Int(m.cells) {
                let range = Int(pointers[i])..<Int(pointers[i + 1])
                let order = range.sorted { indices[$0] < indices[$1] }
                for (n, k) in order.enumerated() {
                    if n > 0 && indices[k] == indices[order[n - 1]] {
                        throw usage(parameter, "cell '\(cellIDs[i])' stores gene '\(geneNames[Int(indices[k])])' twice")
                    }
                    columns[range.lowerBound + n] = indices[k]
                    out[range.lowerBound + n] = Float(values[k])
                }
            }
        } else {
            for k in 0..<stored { rowStarts[Int(indices[k]) + 1] += 1 }
            for i in 0..<Int(m.cells) { rowStarts[i + 1] += rowStarts[i] }
            var next = rowStarts
            for j in 0..<Int(m.genes) {
                for k in Int(pointers[j])..<Int(pointers[j + 1]) {
                    let i = Int(indices[k])
                    if next[i] > rowStarts[i] && columns[next[i] - 1] == Int32(j) {
                        throw usage(parameter, "cell '\(cellIDs[i])' stores gene '\(geneNames[j])' twice")
                    }
                    columns[next[i]] = Int32(j)
                    out[next[i]] = Float(values[k])
                    next[i] += 1
                }
            }
        }
        return try SparseMatrix(
            validatingRows: Int(m.cells), columns: Int(m.genes), rowStarts: rowStarts,
            columnIndices: columns, values: out, describe: parameter)
    }

    /// Each cell's labels (one per label column), or nil for NULL.
    static func labels(
        _ pointer: UnsafePointer<vaexprs_labels>?, cells: Int,
        parameter: String
    ) throws -> (columns: [String], values: [[String]])? {
        guard let l = pointer?.pointee else { return nil }
        guard l.columns >= 1, l.columns <= 64 else { throw usage(parameter, "has \(l.columns) columns; give 1 to 64") }
        guard let names = l.names, let values = l.values else { throw usage(parameter, "lacks names or values") }
        let columns = try strings(names, count: Int(l.columns), parameter: parameter + ".names")
        let flat = try strings(values, count: Int(l.columns) * cells, parameter: parameter + ".values")
        if let empty = flat.firstIndex(of: "") {
            throw VAExprsError.badData(
                """
                \(parameter: parameter): cell \(empty % cells + 1) has an empty '\(columns[empty / cells])'; \
                every cell needs a label
                """
            )
        }
        return (columns, (0..<cells).map { i in (0..<Int(l.columns)).map { flat[$0 * cells + i] } })
    }

    /// `count` strings from C (each non-NULL, valid UTF-8).
    static func strings(_ pointer: UnsafePointer<UnsafePointer<CChar>?>, count: Int, parameter: String) throws
        -> [String]
    {
        try (0..<count).map { k in
            guard let s = pointer[k] else { throw usage(parameter, "entry \(k + 1) is NULL") }
            guard let text = String(validatingCString: s) else { throw usage(parameter, "entry \(k + 1) is not UTF-8") }
            return text
        }
    }

    /// One C string (NULL is refused).
    static func string(_ pointer: UnsafePointer<CChar>?, parameter: String) throws -> String {
        guard let pointer else { throw usage(parameter, "is NULL") }
        guard let text = String(validatingCString: pointer) else { throw usage(parameter, "is not UTF-8") }
        return text
    }

    private static func unique(_ names: [String], parameter: String) throws {
        var seen = Set<String>()
        if let repeated = names.first(where: { !seen.insert($0).inserted }) {
            throw usage(
                parameter,
                "holds '\(DisplayText.neutralised(repeated, keepingNewlines: false))' twice; names must be unique")
        }
    }
}
