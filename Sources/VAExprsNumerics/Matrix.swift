/// A dense, row-major, contiguous matrix of `Float` (rows = cells, columns = features).
///
/// Value semantics (copy on write through the backing array). Element access is O(1).
public struct Matrix: Equatable, Sendable {
    /// Number of rows.
    public private(set) var rows: Int
    /// Number of columns.
    public private(set) var columns: Int
    /// Row-major storage, `rows * columns` elements.
    public var storage: [Float]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](repeating: value, count: rows * columns)
    }

    /// A `rows × columns` matrix whose contents are unspecified until written (for results
    /// that a BLAS call overwrites completely; avoids zero-filling).
    public init(uninitializedRows rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        self.storage = [Float](unsafeUninitializedCapacity: rows * columns) { _, count in count = rows * columns }
    }

    /// A matrix over existing row-major storage; `storage.count` must be `rows * columns`.
    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(storage.count == rows * columns, "storage size does not match \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Element at (`row`, `column`).
    @inlinable public subscript(row: Int, column: Int) -> Float {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// The rows at `indices`, in that order, as a new matrix (row copies split over the worker
    /// pool for large batches).
    public func gatherRows<C: Collection>(_ indices: C) -> Matrix where C.Element == Int {
        let picked = Array(indices), width = columns
        precondition(picked.allSatisfy { $0 >= 0 && $0 < rows }, "gatherRows: a row index is out of range")
        var out = Matrix(uninitializedRows: picked.count, columns: width)
        guard width > 0, !picked.isEmpty else { return out }
        let blocks = WorkerPool.blocks(
            picked.count, parts: picked.count * width >= 1 << 16 ? WorkerPool.shared.threads : 1)
        out.storage.withUnsafeMutableBufferPointer { dst in
            storage.withUnsafeBufferPointer { src in
                WorkerPool.shared.run(parts: blocks.count) { part in
                    for r in blocks[part] {
                        (dst.baseAddress! + r * width).update(from: src.baseAddress! + picked[r] * width, count: width)
                    }
                }
            }
        }
        return out
    }

    /// The transpose, as a new matrix.
    package func transposed() -> Matrix {
        var out = Matrix(rows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { out.storage[j * rows + i] = storage[i * columns + j] } }
        return out
    }

    /// Columns of `self` followed by columns of `other` (same row count).
    package func concatenatingColumns(_ other: Matrix) -> Matrix {
        precondition(rows == other.rows, "row counts differ")
        var out = Matrix(rows: rows, columns: columns + other.columns)
        for i in 0..<rows {
            for j in 0..<columns { out.storage[i * out.columns + j] = storage[i * columns + j] }
            for j in 0..<other.columns {
                out.storage[i * out.columns + columns + j] = other.storage[i * other.columns + j]
            }
        }
        return out
    }

    /// Sum of each column (length `columns`).
    public func columnSums() -> [Float] {
        var sums = [Float](repeating: 0, count: columns)
        storage.withUnsafeBufferPointer { src in
            for i in 0..<rows {
                let o = i * columns
                for j in 0..<columns { sums[j] += src[o + j] }
            }
        }
        return sums
    }
}
