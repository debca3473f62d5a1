

/// An expression matrix with its identifiers: cells are rows, genes are columns.
public struct ExpressionMatrix: Sendable, Equatable {
    /// Cell identifiers, one per row.
    public var cellIDs: [String]
    /// Gene names, one per column.
    public var geneNames: [String]
    /// Values, `cellIDs.count × geneNames.count`.
    public var values: Matrix

    /// An expression matrix from its parts (sizes must agree).
    public init(cellIDs: [String], geneNames: [String], values: Matrix) {
        precondition(values.rows == cellIDs.count && values.columns == geneNames.count, "identifier counts do not match the matrix")
        self.cellIDs = cellIDs
        self.geneNames = geneNames
        self.values = values
    }
}

extension ExpressionMatrix {
    /// The given gene columns, in the order given.
    public func selectingGenes(_ columns: [Int]) -> ExpressionMatrix {
        var values = Matrix(rows: self.values.rows, columns: columns.count)
        for i in 0..<values.rows {
            for (k, j) in columns.enumerated() { values[i, k] = self.values[i, j] }
        }
        return ExpressionMatrix(cellIDs: cellIDs, geneNames: columns.map { geneNames[$0] }, values: values)
    }
}
