/// A dense row-major matrix of `Double`, for statistics that need double precision
/// (mixtures, covariance, eigen-problems).
public struct DoubleMatrix: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Row-major storage.
    public var storage: [Double]

    /// A zero-filled `rows × columns` matrix.
    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        self.storage = [Double](repeating: 0, count: rows * columns)
    }

    /// A matrix over existing row-major storage.
    public init(rows: Int, columns: Int, storage: [Double]) {
        precondition(storage.count == rows * columns, "storage size does not match \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Widens a `Matrix` to double precision.
    public init(_ matrix: Matrix) {
        self.init(rows: matrix.rows, columns: matrix.columns, storage: matrix.storage.map(Double.init))
    }

    /// Element at (`row`, `column`).
    @inlinable public subscript(row: Int, column: Int) -> Double {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }
}
