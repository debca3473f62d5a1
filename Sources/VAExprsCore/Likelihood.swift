/// How generated cells are read off the decoder.
public enum DecodeMode: String, Sendable, Codable, CaseIterable {
    /// A draw from the likelihood's observation model.
    case sample
    /// The decoder mean (the original package's behaviour).
    case mean
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

/// A reconstruction likelihood p(x | decoder output): the loss, the decoder mean and draws.
public protocol Likelihood: AnyObject {
    /// The spec that re-creates it.
    var spec: ComponentSpec { get }
    /// Trainable parameters of the likelihood itself (e.g. per-gene log-variances).
    var parameters: [Parameter] { get }
    /// The decode mode used when the user does not choose one.
    var defaultDecodeMode: DecodeMode { get }
    /// Allocates parameters for `features` outputs; `training` (scaled) may inform initial values.
    func build(features: Int, training: Matrix, path: String) throws
    /// Negative log-likelihood of `target` given decoder `output`; with `gradient`, also
    /// overwrites parameter gradients, all multiplied by `scale`.
    func evaluate(output: Matrix, target: Matrix, gradient: Bool, scale: Float) -> LikelihoodEvaluation
    /// The mean of the observation model for each decoder output.
    func mean(output: Matrix) -> Matrix
    /// One draw from the observation model per decoder output.
    func sample(output: Matrix, rng: inout SeededGenerator) throws -> Matrix
}
