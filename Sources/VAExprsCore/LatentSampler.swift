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

/// A fitted Gaussian mixture as numbers, as a model file keeps it: the latent distribution of
/// one label group, fitted once at the end of `fit` so that `generate` need not search again.
package struct StoredLatentMixture: Codable, Sendable, Equatable {
    /// The label group (the sampler's `label`: the label key, or `all`).
    package var label: String
    /// The fit's summary line.
    package var summary: String
    /// The mixture model's name (mclust's, e.g. `VVV`).
    package var model: String
    /// Latent dimensions.
    package var dimension: Int
    /// Mixing proportions.
    package var proportions: [Double]
    /// Component means, G × d.
    package var means: [[Double]]
    /// Component covariances, G × (d × d row-major).
    package var covariances: [[Double]]
    /// The winner's BIC.
    package var bic: Double

    /// A stored mixture from its parts.
    package init(
        label: String, summary: String, model: String, dimension: Int, proportions: [Double], means: [[Double]],
        covariances: [[Double]], bic: Double
    ) {
        self.label = label
        self.summary = summary
        self.model = model
        self.dimension = dimension
        self.proportions = proportions
        self.means = means
        self.covariances = covariances
        self.bic = bic
    }

    /// Every count agrees and every number is finite, proportions ≥ 0 summing to 1.
    package var isConsistent: Bool {
        let g = proportions.count, d = dimension
        return g >= 1 && d >= 1 && d <= 4096 && means.count == g && covariances.count == g
            && means.allSatisfy { $0.count == d && $0.allSatisfy(\.isFinite) }
            && covariances.allSatisfy { $0.count == d * d && $0.allSatisfy(\.isFinite) }
            && proportions.allSatisfy { $0.isFinite && $0 >= 0 } && abs(proportions.reduce(0, +) - 1) < 1e-6
    }
}

/// A latent sampler whose fits a model file can keep (the built-in `mclust`).
package protocol StorableLatentSampler: LatentSampler {
    /// The fit as numbers, or nil when this fit cannot be stored (a fallback to one Gaussian).
    func store(_ fitted: any FittedLatentDistribution, label: String) -> StoredLatentMixture?
    /// The fit back from its numbers.
    /// - Throws: `VAExprsError.badData` when the numbers do not make a mixture.
    func restore(_ stored: StoredLatentMixture) throws -> any FittedLatentDistribution
}
