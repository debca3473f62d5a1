/// An expression matrix with its identifiers: cells are rows, genes are columns. Values are
/// dense or sparse (`CellMatrix`); counts read from 10x and AnnData files stay sparse.
public struct ExpressionMatrix: Sendable, Equatable {
    /// Cell identifiers, one per row.
    public var cellIDs: [String]
    /// Gene names, one per column.
    public var geneNames: [String]
    /// Values, `cellIDs.count × geneNames.count`.
    public var cells: CellMatrix

    /// An expression matrix from its parts (sizes must agree).
    public init(cellIDs: [String], geneNames: [String], cells: CellMatrix) {
        precondition(
            cells.rows == cellIDs.count && cells.columns == geneNames.count, "identifier counts do not match the matrix"
        )
        self.cellIDs = cellIDs
        self.geneNames = geneNames
        self.cells = cells
    }

    /// An expression matrix over dense values.
    public init(cellIDs: [String], geneNames: [String], values: Matrix) {
        self.init(cellIDs: cellIDs, geneNames: geneNames, cells: .dense(values))
    }

    /// Every value as a dense matrix: free for dense storage, a copy for sparse storage (only
    /// for data known to be small: plots, evaluation, continuous models).
    package func dense() -> Matrix { cells.dense() }

    /// Number of cells.
    public var cellCount: Int { cells.rows }

    /// Number of genes.
    public var geneCount: Int { cells.columns }
}

extension ExpressionMatrix {
    /// The given gene columns (increasing), in the same storage.
    package func selectingGenes(_ columns: [Int]) -> ExpressionMatrix {
        ExpressionMatrix(
            cellIDs: cellIDs, geneNames: columns.map { geneNames[$0] }, cells: cells.selectingColumns(columns))
    }

    /// The given cells, in the order given, in the same storage.
    package func selectingCells(_ rows: [Int]) -> ExpressionMatrix {
        ExpressionMatrix(cellIDs: rows.map { cellIDs[$0] }, geneNames: geneNames, cells: cells.gatherRows(rows))
    }
}
