/// A distribution fitted to latent points, from which new latent points are drawn.
public protocol FittedLatentDistribution: Sendable {
    /// One line describing the fit (e.g. `full-covariance Gaussian, 2 dims`), for logs.
    var summary: String { get }
    /// `count` new latent points (rows).
    func sample(count: Int, rng: inout SeededGenerator) -> DoubleMatrix
}

/// Fits a distribution to the training cells' latent means (the generation step of
/// `gen_exprs`). A conditional model fits one per label.
public protocol LatentSampler: Sendable {
    /// The spec that re-creates it.
    var spec: ComponentSpec { get }
    /// Fits to `points` (rows = cells); `label` names the group in messages.
    func fit(_ points: DoubleMatrix, label: String?, rng: inout SeededGenerator) throws -> any FittedLatentDistribution
}
