extension DoubleMatrix {
    /// The given rows, in the order given.
    package func gatherRows(_ indices: [Int]) -> DoubleMatrix {
        DoubleMatrix(
            rows: indices.count, columns: columns,
            storage: indices.flatMap { storage[($0 * columns)..<(($0 + 1) * columns)] })
    }

    /// This matrix with `other`'s rows below (same columns).
    package func appendingRows(_ other: DoubleMatrix) -> DoubleMatrix {
        precondition(other.columns == columns || other.rows == 0)
        return DoubleMatrix(rows: rows + other.rows, columns: columns, storage: storage + other.storage)
    }
}
