import VAExprsCore

/// Registers this module's latent samplers.
package enum SamplerBuiltins {
    /// The origin string shown for these components.
    package static let origin = "built-in (VAExprsSamplers)"

    /// Registers `mclust`, `normal` and `prior` through `registry.register`, the call plugins use.
    package static func register(into registry: Registry) throws {
        try registry.register(.latentSampler { try MclustLatentSampler(spec: $0) }, name: "mclust", origin: origin)
        try registry.register(.latentSampler { GaussianLatentSampler(spec: $0) }, name: "normal", origin: origin)
        try registry.register(.latentSampler { PriorLatentSampler(spec: $0) }, name: "prior", origin: origin)
    }
}
