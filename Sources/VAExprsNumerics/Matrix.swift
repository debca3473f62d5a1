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

    /// The rows at `indices`, in that order, as a new matrix.
    public func gatherRows<C: Collection>(_ indices: C) -> Matrix where C.Element == Int {
        var out = Matrix(rows: indices.count, columns: columns)
        out.storage.withUnsafeMutableBufferPointer { dst in
            storage.withUnsafeBufferPointer { src in
                var r = 0
                for i in indices {
                    let s = i * columns, d = r * columns
                    for j in 0..<columns { dst[d + j] = src[s + j] }
                    r += 1
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
