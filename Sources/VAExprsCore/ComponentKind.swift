/// The kinds of component the registry holds.
public enum ComponentKind: String, CaseIterable, Sendable, Comparable {
    /// Neural-network layers (`dense`, `dropout`, ...).
    case layer
    /// Element-wise activations (`relu`, ...).
    case activation
    /// Reconstruction likelihoods (`bernoulli`, `gaussian`).
    case likelihood
    /// Latent priors (`standard_normal`).
    case prior
    /// Latent samplers for generation (`normal`, `prior`).
    case latentSampler = "latent-sampler"
    /// Optimizers (`adam`, `sgd`, `rmsprop`).
    case optimizer
    /// Dimension reducers (`pca`, `mds`, ...).
    case reducer
    /// Plot renderers (`svg`, `png`, `pdf`, `html`, `terminal`).
    case renderer

    /// Kinds in the order listings show them.
    public static func < (a: ComponentKind, b: ComponentKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
