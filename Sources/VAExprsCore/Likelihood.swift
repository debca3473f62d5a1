/// How generated cells are read off the decoder.
public enum DecodeMode: String, Sendable, Codable, CaseIterable {
    /// A draw from the likelihood's observation model.
    case sample
    /// The decoder mean (the original package's behaviour).
    case mean
}

/// What a likelihood's target values are, which decides the preprocessing around it.
public enum LikelihoodData: String, Sendable, Codable {
    /// Scaled continuous values (the encoder input itself, after normalisation and scaling).
    case scaled
    /// Raw non-negative integer counts, with each cell's library size in the context; the
    /// encoder sees log1p(counts per 10 000) and draws come back as counts.
    case counts
}

/// The value and gradients of a reconstruction loss on one batch.
public struct LikelihoodEvaluation {
    /// Sum over cells and features of the negative log-likelihood.
    public var total: Double
    /// `scale ×` d(total)/d(decoder output), when requested.
    public var outputGradient: Matrix?
    /// Creates an evaluation.
    public init(total: Double, outputGradient: Matrix?) {
        self.total = total
        self.outputGradient = outputGradient
    }
}

/// A reconstruction likelihood p(x | decoder output, cell context): the loss, the decoder
/// mean and draws.
public protocol Likelihood: AnyObject {
    /// The spec that re-creates it.
    var spec: ComponentSpec { get }
    /// Trainable parameters of the likelihood itself (e.g. per-gene log-variances).
    var parameters: [Parameter] { get }
    /// The decode mode used when the user does not choose one.
    var defaultDecodeMode: DecodeMode { get }
    /// What its targets are (default `.scaled`).
    var data: LikelihoodData { get }
    /// Decoder outputs it reads for `features` genes (default `features`; ZINB reads two per gene).
    func outputWidth(features: Int) -> Int
    /// Allocates parameters for `features` genes and `groups` label groups (0 for a plain VAE);
    /// `training` (its targets) and `context` may inform initial values.
    func build(features: Int, groups: Int, training: Matrix, context: CellContext, path: String) throws
    /// The part of each cell's negative log-likelihood that no parameter changes (e.g.
    /// Σ log x!), computed once for the training cells and passed back in `context`;
    /// nil when there is none.
    func constantTerms(target: Matrix) -> [Double]?
    /// `constantTerms(target:)` of cells stored sparse (default: read as dense blocks of rows).
    func constantTerms(sparseTarget: SparseMatrix) -> [Double]?
    /// Negative log-likelihood of `target` given decoder `output`; with `gradient`, also
    /// overwrites parameter gradients, all multiplied by `scale`.
    func evaluate(output: Matrix, target: Matrix, context: CellContext, gradient: Bool, scale: Float)
        -> LikelihoodEvaluation
    /// The mean of the observation model for each cell (cells × features).
    func mean(output: Matrix, context: CellContext) -> Matrix
    /// One draw from the observation model per cell and feature.
    func sample(output: Matrix, context: CellContext, rng: inout SeededGenerator) throws -> Matrix
    /// After training: re-estimates the likelihood's own parameters with the decoder outputs
    /// held at the training cells' latent means (`output`), the points generation draws
    /// around. In training, z is sampled from the posterior, so a noise parameter also absorbs
    /// that sampling noise and generated cells would carry it twice. Returns a line for the
    /// user, or nil when nothing was re-estimated.
    func refitAtLatentMeans(output: Matrix, target: Matrix, context: CellContext) -> String?
}

/// A likelihood whose generated cells of a label can be brought to that label's observed gene
/// means by offsets on the decoder's outputs (the decoder alone shrinks a label's marker genes
/// towards the overall mean; issue 31, `docs/realism.md`). `fit` draws cells of each label as
/// `generate` draws them and asks for the offsets; `generate` adds them. The Gaussian
/// likelihoods have them on their means, the count likelihoods (0.13) on their logits, towards
/// each label's mean proportions.
package protocol OutputOffsetEstimating: Likelihood {
    /// Per-gene offsets for the first `targetMeans.count` output columns such that the mean of
    /// the model's expected values over these cells (`output`: the decoder at their latent
    /// points; `context`: their likelihood context, without library sizes) is `targetMeans`, in
    /// the likelihood's data space (for counts: the mean of each cell's counts over its library
    /// size). `evidence` is what the means rest on: the number of cells, or for counts their
    /// total count (a count likelihood trusts a gene's target as far as its counts go).
    func outputOffsets(output: Matrix, context: CellContext, targetMeans: [Double], evidence: Double) -> [Float]
}

/// Settings of the per-label output offsets (`OutputOffsetEstimating`).
package enum OutputOffsets {
    /// Fewest training cells of a label for offsets of its own (below: none).
    package static let minimumCells = 5
    /// Cells of each label drawn to estimate them.
    package static let drawnCells = 2_000
    /// Cells of each label drawn for the offsets of a candidate latent shrinkage while `fit`
    /// compares them (the chosen one gets `drawnCells`).
    package static let candidateDrawnCells = 500
    /// Most Newton steps of a censored Gaussian's shift.
    package static let newtonSteps = 12
}

extension Likelihood {
    /// Scaled targets.
    public var data: LikelihoodData { .scaled }
    /// One decoder output per gene.
    public func outputWidth(features: Int) -> Int { features }
    /// No constant part.
    public func constantTerms(target: Matrix) -> [Double]? { nil }
    /// The dense terms of blocks of 256 rows.
    public func constantTerms(sparseTarget target: SparseMatrix) -> [Double]? {
        var all: [Double] = []
        all.reserveCapacity(target.rows)
        var start = 0
        while start < target.rows {
            let rows = start..<min(target.rows, start + 256)
            guard let part = constantTerms(target: target.denseRows(rows)) else { return nil }
            all += part
            start = rows.upperBound
        }
        return all
    }
    /// Nothing to re-estimate.
    public func refitAtLatentMeans(output: Matrix, target: Matrix, context: CellContext) -> String? { nil }
}
