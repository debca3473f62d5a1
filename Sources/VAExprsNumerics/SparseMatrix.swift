import VAExprsErrors

/// A sparse matrix in compressed sparse row (CSR) form, cells as rows: the layout of 10x
/// and AnnData count matrices. Row `i` holds the entries `rowStarts[i] ..< rowStarts[i + 1]`
/// of `columnIndices` (strictly increasing within a row) and `values`.
///
/// Offsets are `Int` (64-bit), so more than 2³¹ stored entries are supported; column indices
/// are `Int32` (genes never approach 2³¹).
public struct SparseMatrix: Sendable, Equatable {
    /// Number of rows (cells).
    public let rows: Int
    /// Number of columns (genes).
    public let columns: Int
    /// Offsets of each row's first entry, `rows + 1` of them, from 0 to `values.count`.
    public private(set) var rowStarts: [Int]
    /// Column of each stored entry.
    public private(set) var columnIndices: [Int32]
    /// Value of each stored entry.
    public var values: [Float]

    /// A matrix from CSR arrays that are already known to be consistent (built by this
    /// package); readers of files use `init(validating:…)`.
    public init(rows: Int, columns: Int, rowStarts: [Int], columnIndices: [Int32], values: [Float]) {
        precondition(
            rowStarts.count == rows + 1 && rowStarts.last == values.count && columnIndices.count == values.count,
            "inconsistent CSR arrays")
        self.rows = rows
        self.columns = columns
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    /// Checks CSR arrays from a file: offsets start at 0, never decrease and end at the number
    /// of entries; every column index lies in `0..<columns`. Columns within a row are sorted
    /// (with duplicates summed) when they are not already. `describe` names the arrays in
    /// errors (e.g. "file.h5ad: /X").
    package init(
        validatingRows rows: Int, columns: Int, rowStarts: [Int], columnIndices: [Int32], values: [Float],
        describe: String
    ) throws {
        guard rows >= 0, columns >= 0 else {
            throw VAExprsError.badData("\(describe): negative shape \(rows) × \(columns)")
        }
        guard rowStarts.count == rows + 1 else {
            throw VAExprsError.badData(
                """
                \(describe): indptr has \(rowStarts.count) offsets, but \(rows) rows need \(rows + 1); the shape \
                disagrees with the arrays
                """
            )
        }
        guard columnIndices.count == values.count else {
            throw VAExprsError.badData(
                "\(describe): \(columnIndices.count) indices but \(values.count) data values; the file is damaged")
        }
        guard rowStarts.first == 0 else {
            throw VAExprsError.badData("\(describe): indptr starts at \(rowStarts[0]), not 0; the file is damaged")
        }
        for r in 0..<rows where rowStarts[r + 1] < rowStarts[r] {
            throw VAExprsError.badData(
                """
                \(describe): indptr decreases at row \(r + 1) (\(rowStarts[r]) → \(rowStarts[r + 1])); the file \
                is damaged
                """
            )
        }
        guard rowStarts[rows] == values.count else {
            throw VAExprsError.badData(
                """
                \(describe): indptr ends at \(rowStarts[rows]), but there are \(values.count) data values; the \
                file is damaged or truncated
                """
            )
        }
        var needsSorting = false
        for r in 0..<rows {
            var previous: Int32 = -1
            for k in rowStarts[r]..<rowStarts[r + 1] {
                let c = columnIndices[k]
                guard c >= 0 && Int(c) < columns else {
                    throw VAExprsError.badData(
                        """
                        \(describe): row \(r + 1) has column index \(c), outside 0…\(columns - 1); the shape \
                        disagrees with the arrays
                        """
                    )
                }
                if c <= previous { needsSorting = true }
                previous = c
            }
        }
        self.rows = rows
        self.columns = columns
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
        if needsSorting { sortAndSumDuplicates() }
    }

    /// An all-zero matrix.
    package init(zeroRows rows: Int, columns: Int) {
        self.init(
            rows: rows, columns: columns, rowStarts: [Int](repeating: 0, count: rows + 1), columnIndices: [], values: []
        )
    }

    /// The non-zero entries of a dense matrix.
    public init(_ dense: Matrix) {
        var starts = [0], indices: [Int32] = [], values: [Float] = []
        for i in 0..<dense.rows {
            for j in 0..<dense.columns where dense[i, j] != 0 {
                indices.append(Int32(j))
                values.append(dense[i, j])
            }
            starts.append(values.count)
        }
        self.init(rows: dense.rows, columns: dense.columns, rowStarts: starts, columnIndices: indices, values: values)
    }

    /// Number of stored entries.
    public var storedCount: Int { values.count }

    /// Column `j` of row `i` (a binary search within the row).
    public subscript(row: Int, column: Int) -> Float {
        var lo = rowStarts[row], hi = rowStarts[row + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            let c = Int(columnIndices[mid])
            if c == column { return values[mid] }
            if c < column { lo = mid + 1 } else { hi = mid }
        }
        return 0
    }

    /// The given rows as a dense matrix, in the order given (a mini-batch).
    package func denseRows<C: Collection>(_ indices: C) -> Matrix where C.Element == Int {
        var out = Matrix(rows: indices.count, columns: columns)
        out.storage.withUnsafeMutableBufferPointer { dst in
            var r = 0
            for i in indices {
                let base = r * columns
                for k in rowStarts[i]..<rowStarts[i + 1] { dst[base + Int(columnIndices[k])] = values[k] }
                r += 1
            }
        }
        return out
    }

    /// The whole matrix as dense storage (only for data known to be small).
    package func dense() -> Matrix { denseRows(0..<rows) }

    /// The given rows, in the order given, still sparse.
    package func gatherRows<C: Collection>(_ indices: C) -> SparseMatrix where C.Element == Int {
        var starts = [0]
        starts.reserveCapacity(indices.count + 1)
        var total = 0
        for i in indices {
            total += rowStarts[i + 1] - rowStarts[i]
            starts.append(total)
        }
        var outIndices = [Int32](), outValues = [Float]()
        outIndices.reserveCapacity(total)
        outValues.reserveCapacity(total)
        for i in indices {
            outIndices.append(contentsOf: columnIndices[rowStarts[i]..<rowStarts[i + 1]])
            outValues.append(contentsOf: values[rowStarts[i]..<rowStarts[i + 1]])
        }
        return SparseMatrix(
            rows: indices.count, columns: columns, rowStarts: starts, columnIndices: outIndices, values: outValues)
    }

    /// The matrix with the columns of `extra` (same rows) appended after its own, keeping
    /// only their non-zero values: a sparse batch with its one-hot conditions.
    package func appendingColumns(_ extra: Matrix) -> SparseMatrix {
        precondition(extra.rows == rows, "appendingColumns: \(extra.rows) rows, expected \(rows)")
        var starts = [Int](repeating: 0, count: rows + 1)
        var indices: [Int32] = [], newValues: [Float] = []
        indices.reserveCapacity(storedCount + rows)
        newValues.reserveCapacity(storedCount + rows)
        for i in 0..<rows {
            for k in rowStarts[i]..<rowStarts[i + 1] {
                indices.append(columnIndices[k])
                newValues.append(values[k])
            }
            for c in 0..<extra.columns where extra[i, c] != 0 {
                indices.append(Int32(columns + c))
                newValues.append(extra[i, c])
            }
            starts[i + 1] = indices.count
        }
        return SparseMatrix(
            rows: rows, columns: columns + extra.columns, rowStarts: starts, columnIndices: indices, values: newValues)
    }

    /// The given columns (distinct, in increasing order), renumbered 0..<count.
    package func selectingColumns(_ kept: [Int]) -> SparseMatrix {
        var newIndex = [Int32](repeating: -1, count: columns)
        for (k, j) in kept.enumerated() { newIndex[j] = Int32(k) }
        var starts = [0], outIndices = [Int32](), outValues = [Float]()
        starts.reserveCapacity(rows + 1)
        for i in 0..<rows {
            for k in rowStarts[i]..<rowStarts[i + 1] {
                let n = newIndex[Int(columnIndices[k])]
                if n >= 0 {
                    outIndices.append(n)
                    outValues.append(values[k])
                }
            }
            starts.append(outValues.count)
        }
        return SparseMatrix(
            rows: rows, columns: kept.count, rowStarts: starts, columnIndices: outIndices, values: outValues)
    }

    /// Sum of each row, in double precision.
    package func rowSums() -> [Double] {
        (0..<rows).map { i in values[rowStarts[i]..<rowStarts[i + 1]].reduce(0.0) { $0 + Double($1) } }
    }

    /// Calls `body(row, column, value)` for every stored entry, row by row.
    package func forEachEntry(_ body: (Int, Int, Float) throws -> Void) rethrows {
        for i in 0..<rows {
            for k in rowStarts[i]..<rowStarts[i + 1] { try body(i, Int(columnIndices[k]), values[k]) }
        }
    }

    /// The same pattern with each row's values replaced by `transform(row, value)`.
    package func mappingValues(_ transform: (Int, Float) -> Float) -> SparseMatrix {
        var out = self
        for i in 0..<rows {
            for k in rowStarts[i]..<rowStarts[i + 1] { out.values[k] = transform(i, values[k]) }
        }
        return out
    }

    private mutating func sortAndSumDuplicates() {
        var starts = [0], outIndices = [Int32](), outValues = [Float]()
        for i in 0..<rows {
            let entries = (rowStarts[i]..<rowStarts[i + 1]).map { (columnIndices[$0], values[$0]) }.sorted {
                $0.0 < $1.0
            }
            for (c, v) in entries {
                if outValues.count > starts[i], outIndices.last == c {
                    outValues[outValues.count - 1] += v
                } else {
                    outIndices.append(c)
                    outValues.append(v)
                }
            }
            starts.append(outValues.count)
        }
        rowStarts = starts
        columnIndices = outIndices
        values = outValues
    }
}

/// Cells × genes values held dense or sparse (CSR). Counts from 10x and AnnData stay sparse;
/// computations read dense mini-batches of rows (`denseRows`) rather than the whole matrix.
public enum CellMatrix: Sendable, Equatable {
    /// Dense row-major values.
    case dense(Matrix)
    /// Compressed sparse rows.
    case sparse(SparseMatrix)

    /// Number of cells.
    public var rows: Int {
        switch self {
        case .dense(let m): m.rows
        case .sparse(let s): s.rows
        }
    }

    /// Number of genes.
    public var columns: Int {
        switch self {
        case .dense(let m): m.columns
        case .sparse(let s): s.columns
        }
    }

    /// True for sparse storage.
    public var isSparse: Bool { if case .sparse = self { true } else { false } }

    /// The given rows as a dense matrix, in the order given.
    package func denseRows<C: Collection>(_ indices: C) -> Matrix where C.Element == Int {
        switch self {
        case .dense(let m): m.gatherRows(indices)
        case .sparse(let s): s.denseRows(indices)
        }
    }

    /// The given rows, in the order given, in the same storage.
    package func gatherRows<C: Collection>(_ indices: C) -> CellMatrix where C.Element == Int {
        switch self {
        case .dense(let m): .dense(m.gatherRows(indices))
        case .sparse(let s): .sparse(s.gatherRows(indices))
        }
    }

    /// The given columns (increasing), in the same storage.
    package func selectingColumns(_ kept: [Int]) -> CellMatrix {
        switch self {
        case .dense(let m):
            var out = Matrix(rows: m.rows, columns: kept.count)
            for i in 0..<m.rows { for (k, j) in kept.enumerated() { out[i, k] = m[i, j] } }
            return .dense(out)
        case .sparse(let s): return .sparse(s.selectingColumns(kept))
        }
    }

    /// Every value as a dense matrix (a copy for sparse storage: only for data known to be small).
    package func dense() -> Matrix {
        switch self {
        case .dense(let m): m
        case .sparse(let s): s.dense()
        }
    }

    /// Calls `body(row, column, value)` for every value that may be non-zero (every value of
    /// a dense matrix, every stored entry of a sparse one).
    package func forEachEntry(_ body: (Int, Int, Float) throws -> Void) rethrows {
        switch self {
        case .dense(let m):
            for i in 0..<m.rows { for j in 0..<m.columns { try body(i, j, m[i, j]) } }
        case .sparse(let s): try s.forEachEntry(body)
        }
    }

    /// Sum of each row, in double precision.
    package func rowSums() -> [Double] {
        switch self {
        case .dense(let m): (0..<m.rows).map { i in (0..<m.columns).reduce(0.0) { $0 + Double(m[i, $1]) } }
        case .sparse(let s): s.rowSums()
        }
    }

    /// Applies `transform(row, value)` to every value; for sparse storage only to stored
    /// entries, so `transform(_, 0)` must be 0.
    package func mappingValues(_ transform: (Int, Float) -> Float) -> CellMatrix {
        switch self {
        case .dense(var m):
            for i in 0..<m.rows { for j in 0..<m.columns { m[i, j] = transform(i, m[i, j]) } }
            return .dense(m)
        case .sparse(let s): return .sparse(s.mappingValues(transform))
        }
    }

    /// Dense `rows × columns` blocks of at most `batch` rows, in order: `body(firstRow, block)`.
    package func forEachDenseBlock(of batch: Int, _ body: (Int, Matrix) throws -> Void) rethrows {
        var start = 0
        while start < rows {
            let end = min(rows, start + batch)
            try body(start, denseRows(start..<end))
            start = end
        }
    }
}

extension SparseMatrix {
    /// The transpose, still CSR (so a CSC matrix read as CSR of its transpose becomes CSR).
    package func transposed() -> SparseMatrix {
        var counts = [Int](repeating: 0, count: columns + 1)
        for c in columnIndices { counts[Int(c) + 1] += 1 }
        for j in 0..<columns { counts[j + 1] += counts[j] }
        var next = counts
        var outIndices = [Int32](repeating: 0, count: values.count),
            outValues = [Float](repeating: 0, count: values.count)
        for i in 0..<rows {
            for k in rowStarts[i]..<rowStarts[i + 1] {
                let j = Int(columnIndices[k])
                outIndices[next[j]] = Int32(i)
                outValues[next[j]] = values[k]
                next[j] += 1
            }
        }
        return SparseMatrix(
            rows: columns, columns: rows, rowStarts: counts, columnIndices: outIndices, values: outValues)
    }
}

extension SparseMatrix {
    /// The rows of `blocks`, one after another (same column count).
    package static func stacking(_ blocks: [SparseMatrix]) -> SparseMatrix {
        let columns = blocks.first?.columns ?? 0
        var starts = [0], indices = [Int32](), values = [Float]()
        let total = blocks.reduce(0) { $0 + $1.storedCount }
        indices.reserveCapacity(total)
        values.reserveCapacity(total)
        starts.reserveCapacity(blocks.reduce(1) { $0 + $1.rows })
        for block in blocks {
            precondition(block.columns == columns, "blocks differ in columns")
            let offset = values.count
            indices += block.columnIndices
            values += block.values
            for r in 0..<block.rows { starts.append(offset + block.rowStarts[r + 1]) }
        }
        return SparseMatrix(
            rows: starts.count - 1, columns: columns, rowStarts: starts, columnIndices: indices, values: values)
    }
}

extension SparseMatrix {
    /// Its CSR arrays as C pointers for the duration of `body` (row starts as `Int64`, which
    /// `Int` is on every platform we build for): what the C kernels take.
    package func withCSRPointers<R>(
        _ body: (UnsafePointer<Int64>?, UnsafePointer<Int32>?, UnsafePointer<Float>?) throws -> R
    ) rethrows -> R {
        try rowStarts.withUnsafeBufferPointer { starts in
            try starts.withMemoryRebound(to: Int64.self) { starts64 in
                try columnIndices.withUnsafeBufferPointer { indices in
                    try values.withUnsafeBufferPointer { values in
                        try body(starts64.baseAddress, indices.baseAddress, values.baseAddress)
                    }
                }
            }
        }
    }
}
