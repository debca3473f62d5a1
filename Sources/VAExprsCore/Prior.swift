/// KL divergence of the approximate posterior N(mean, exp(logVariance)) from a prior.
public struct KLEvaluation {
    /// Sum over cells of KL(q(z|x) ‖ p(z)).
    public var total: Double
    /// `scale ×` d(total)/d(mean), when requested.
    public var meanGradient: Matrix?
    /// `scale ×` d(total)/d(logVariance), when requested.
    public var logVarianceGradient: Matrix?
    /// Creates an evaluation.
    public init(total: Double, meanGradient: Matrix?, logVarianceGradient: Matrix?) {
        self.total = total
        self.meanGradient = meanGradient
        self.logVarianceGradient = logVarianceGradient
    }
}

/// The latent prior p(z) of a VAE.
public protocol Prior: Sendable {
    /// The spec that re-creates it.
    var spec: ComponentSpec { get }
    /// KL(N(mean, exp(logVariance)) ‖ p) summed over cells and latent dimensions.
    func klDivergence(mean: Matrix, logVariance: Matrix, gradient: Bool, scale: Float) -> KLEvaluation
    /// `count` draws from the prior in `dimension` dimensions.
    func sample(count: Int, dimension: Int, rng: inout SeededGenerator) -> Matrix
}
