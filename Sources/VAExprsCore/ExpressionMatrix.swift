

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
