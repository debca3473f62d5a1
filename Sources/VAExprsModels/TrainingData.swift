import VAExprsCore

/// Cells prepared for the network: what the encoder reads, what the likelihood scores, the
/// likelihood's per-cell inputs and the one-hot conditions (CVAE), row-aligned. Input and
/// target may be sparse; the network reads mini-batches of them (`batch`).
package struct TrainingData: Sendable {
    /// Encoder input (cells × genes).
    package var input: CellMatrix
    /// Likelihood targets when they differ from `input` (raw counts for a count likelihood).
    package var separateTarget: CellMatrix?
    /// Per-cell inputs of the likelihood.
    package var context: CellContext
    /// One-hot conditions (nil for a plain VAE).
    package var conditions: Matrix?

    /// Prepared cells.
    package init(
        input: CellMatrix, separateTarget: CellMatrix? = nil, context: CellContext = .none, conditions: Matrix? = nil
    ) {
        self.input = input
        self.separateTarget = separateTarget
        self.context = context
        self.conditions = conditions
    }

    /// Prepared dense cells.
    package init(input: Matrix, separateTarget: Matrix? = nil, context: CellContext = .none, conditions: Matrix? = nil)
    {
        self.init(
            input: .dense(input), separateTarget: separateTarget.map { .dense($0) }, context: context,
            conditions: conditions)
    }

    /// What the likelihood scores.
    package var target: CellMatrix { separateTarget ?? input }

    /// Number of cells.
    package var count: Int { input.rows }

    /// Number of genes.
    package var featureCount: Int { input.columns }

    /// A mini-batch of cells, as the network reads them: the encoder input in the cells'
    /// storage (sparse cells stay sparse), the rest dense.
    package struct Batch {
        /// Encoder input.
        package var input: CellMatrix
        /// Likelihood targets.
        package var target: Matrix
        /// Per-cell likelihood inputs.
        package var context: CellContext
        /// One-hot conditions (CVAE).
        package var conditions: Matrix?
        /// Cells of the whole mini-batch when this is one process's share of it (data-parallel
        /// training); else the batch's own cells.
        package var globalCount: Int

        /// A batch from its parts.
        package init(
            input: CellMatrix, target: Matrix, context: CellContext, conditions: Matrix?, globalCount: Int? = nil
        ) {
            self.input = input
            self.target = target
            self.context = context
            self.conditions = conditions
            self.globalCount = globalCount ?? input.rows
        }
    }

    /// The given rows, in the order given, as a batch (part of a batch of `globalCount` cells).
    package func batch<C: Collection>(_ rows: C, globalCount: Int? = nil) -> Batch where C.Element == Int {
        let input = self.input.gatherRows(rows)
        return Batch(
            input: input, target: separateTarget?.denseRows(rows) ?? input.dense(),
            context: context.gatherRows(rows), conditions: conditions?.gatherRows(rows), globalCount: globalCount)
    }

    /// A subset of rows, in the order given, in the same storage.
    package func gatherRows<C: Collection>(_ rows: C) -> TrainingData where C.Element == Int {
        TrainingData(
            input: input.gatherRows(rows), separateTarget: separateTarget?.gatherRows(rows),
            context: context.gatherRows(rows), conditions: conditions?.gatherRows(rows))
    }

    /// At most `limit` rows spread evenly over the cells (every cell when there are fewer), in
    /// order: a deterministic sample for statistics that need dense cells × outputs (initial
    /// dispersions, the refit after training), so that their memory stays bounded.
    package func evenSampleRows(limit: Int) -> [Int] {
        guard count > limit, limit > 0 else { return Array(0..<count) }
        return (0..<limit).map { $0 * count / limit }
    }

    /// The likelihood's parameter-free terms of every cell.
    package func constantTerms(of likelihood: any Likelihood) -> [Double]? {
        switch target {
        case .dense(let cells): likelihood.constantTerms(target: cells)
        case .sparse(let cells): likelihood.constantTerms(sparseTarget: cells)
        }
    }
}
