import VAExprsCore

/// Cells prepared for the network: what the encoder reads, what the likelihood scores, the
/// likelihood's per-cell inputs and the one-hot conditions (CVAE), row-aligned. Input and
/// target may be sparse; the network reads mini-batches of them (`batch`).
public struct TrainingData: Sendable {
    /// Encoder input (cells × genes).
    public var input: CellMatrix
    /// Likelihood targets when they differ from `input` (raw counts for a count likelihood).
    public var separateTarget: CellMatrix?
    /// Per-cell inputs of the likelihood.
    public var context: CellContext
    /// One-hot conditions (nil for a plain VAE).
    public var conditions: Matrix?

    /// Prepared cells.
    public init(input: CellMatrix, separateTarget: CellMatrix? = nil, context: CellContext = .none, conditions: Matrix? = nil) {
        self.input = input
        self.separateTarget = separateTarget
        self.context = context
        self.conditions = conditions
    }

    /// Prepared dense cells.
    public init(input: Matrix, separateTarget: Matrix? = nil, context: CellContext = .none, conditions: Matrix? = nil) {
        self.init(input: .dense(input), separateTarget: separateTarget.map { .dense($0) }, context: context, conditions: conditions)
    }

    /// What the likelihood scores.
    public var target: CellMatrix { separateTarget ?? input }

    /// Number of cells.
    public var count: Int { input.rows }

    /// Number of genes.
    public var featureCount: Int { input.columns }

    /// A mini-batch of cells, as the network reads them: the encoder input in the cells'
    /// storage (sparse cells stay sparse), the rest dense.
    public struct Batch {
        /// Encoder input.
        public var input: CellMatrix
        /// Likelihood targets.
        public var target: Matrix
        /// Per-cell likelihood inputs.
        public var context: CellContext
        /// One-hot conditions (CVAE).
        public var conditions: Matrix?
        /// Cells of the whole mini-batch when this is one process's share of it (data-parallel
        /// training); else the batch's own cells.
        public var globalCount: Int

        /// A batch from its parts.
        public init(input: CellMatrix, target: Matrix, context: CellContext, conditions: Matrix?, globalCount: Int? = nil) {
            self.input = input
            self.target = target
            self.context = context
            self.conditions = conditions
            self.globalCount = globalCount ?? input.rows
        }
    }

    /// The given rows, in the order given, as a batch (part of a batch of `globalCount` cells).
    public func batch<C: Collection>(_ rows: C, globalCount: Int? = nil) -> Batch where C.Element == Int {
        let input = self.input.gatherRows(rows)
        return Batch(input: input, target: separateTarget?.denseRows(rows) ?? input.dense(),
                     context: context.gatherRows(rows), conditions: conditions?.gatherRows(rows), globalCount: globalCount)
    }

    /// A subset of rows, in the order given, in the same storage.
    public func gatherRows<C: Collection>(_ rows: C) -> TrainingData where C.Element == Int {
        TrainingData(input: input.gatherRows(rows), separateTarget: separateTarget?.gatherRows(rows),
                     context: context.gatherRows(rows), conditions: conditions?.gatherRows(rows))
    }

    /// At most `limit` rows spread evenly over the cells (every cell when there are fewer), in
    /// order: a deterministic sample for statistics that need dense cells × outputs (initial
    /// dispersions, the refit after training), so that their memory stays bounded.
    public func evenSampleRows(limit: Int) -> [Int] {
        guard count > limit, limit > 0 else { return Array(0..<count) }
        return (0..<limit).map { $0 * count / limit }
    }

    /// The likelihood's parameter-free terms of every cell.
    public func constantTerms(of likelihood: any Likelihood) -> [Double]? {
        switch target {
        case .dense(let cells): likelihood.constantTerms(target: cells)
        case .sparse(let cells): likelihood.constantTerms(sparseTarget: cells)
        }
    }
}
