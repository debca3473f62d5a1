import VAExprsCore

/// Cells prepared for the network: what the encoder reads, what the likelihood scores, the
/// likelihood's per-cell inputs and the one-hot conditions (CVAE), row-aligned.
public struct TrainingData: Sendable {
    /// Encoder input (cells × genes).
    public var input: Matrix
    /// Likelihood targets when they differ from `input` (raw counts for a count likelihood).
    public var separateTarget: Matrix?
    /// Per-cell inputs of the likelihood.
    public var context: CellContext
    /// One-hot conditions (nil for a plain VAE).
    public var conditions: Matrix?

    /// Prepared cells.
    public init(input: Matrix, separateTarget: Matrix? = nil, context: CellContext = .none, conditions: Matrix? = nil) {
        self.input = input
        self.separateTarget = separateTarget
        self.context = context
        self.conditions = conditions
    }

    /// What the likelihood scores.
    public var target: Matrix { separateTarget ?? input }

    /// Number of cells.
    public var count: Int { input.rows }

    /// A subset of rows, in the order given.
    public func gatherRows<C: Collection>(_ rows: C) -> TrainingData where C.Element == Int {
        TrainingData(input: input.gatherRows(rows), separateTarget: separateTarget?.gatherRows(rows),
                     context: context.gatherRows(rows), conditions: conditions?.gatherRows(rows))
    }
}
