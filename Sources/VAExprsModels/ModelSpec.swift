import Foundation
import VAExprsCore

/// The architecture of a (conditional) VAE: encoder stack → latent mean and log-variance
/// heads → z = μ + exp(½ logvar)·ε → decoder stack → output layer read by the likelihood.
public struct ModelSpec: Codable, Sendable, Equatable {
    /// Encoder layers, in order (default `dense:512:relu`, the original's).
    public var encoder: [ComponentSpec]
    /// Decoder layers, in order (the output layer is appended automatically).
    public var decoder: [ComponentSpec]
    /// Latent dimensions (default 2).
    public var latentDimension: Int
    /// Reconstruction likelihood (default `bernoulli`, the original's loss).
    public var likelihood: ComponentSpec
    /// Latent prior (default `standard_normal`).
    public var prior: ComponentSpec
    /// KL weight (default 1).
    public var regularization: Double

    /// A spec; defaults mirror the original package.
    public init(
        encoder: [ComponentSpec] = [ComponentSpec(name: "dense", positional: ["512", "relu"])],
        decoder: [ComponentSpec] = [ComponentSpec(name: "dense", positional: ["512", "relu"])],
        latentDimension: Int = 2,
        likelihood: ComponentSpec = ComponentSpec(name: "bernoulli"),
        prior: ComponentSpec = ComponentSpec(name: "standard_normal"),
        regularization: Double = 1
    ) {
        self.encoder = encoder
        self.decoder = decoder
        self.latentDimension = latentDimension
        self.likelihood = likelihood
        self.prior = prior
        self.regularization = regularization
    }

    /// Checks the numeric settings; throws a usage error naming the option.
    /// The largest latent size accepted (far above any useful one; bounds what a damaged or
    /// careless value can allocate).
    package static let maximumLatentDimension = 4096

    /// Checks the latent dimension and the KL weight.
    /// - Throws: `VAExprsError.usage` naming `latentDimension` or `regularization`.
    package func validate() throws {
        guard latentDimension > 0, latentDimension <= Self.maximumLatentDimension else {
            throw VAExprsError.usage(
                """
                \(parameter: "latentDimension") must be a whole number from 1 to \(Self.maximumLatentDimension), \
                got \(latentDimension)
                """
            )
        }
        guard regularization >= 0 && regularization.isFinite else {
            throw VAExprsError.usage(
                "\(parameter: "regularization") must be a finite number ≥ 0, got \(regularization)")
        }
    }

    /// Parses a JSON model spec:
    /// `{"encoder": [{"type": "dense", "units": 512, "activation": "relu"}], "decoder": [...],
    ///   "latent_dim": 2, "likelihood": "gaussian", "regularization": 1}` (every key optional).
    public static func fromJSON(_ data: Data, source: String = "model spec") throws -> ModelSpec {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw VAExprsError.usage("\(source): not a JSON object")
        }
        var spec = ModelSpec()
        for key in object.keys
        where !["encoder", "decoder", "latent_dim", "likelihood", "prior", "regularization"].contains(key) {
            throw VAExprsError.usage(
                """
                \(source): unknown key '\(key)'; valid keys: encoder, decoder, latent_dim, likelihood, prior, \
                regularization
                """
            )
        }
        func stack(_ key: String) throws -> [ComponentSpec]? {
            guard let value = object[key] else { return nil }
            guard let items = value as? [[String: Any]] else {
                throw VAExprsError.usage("\(source): '\(key)' must be an array of layer objects")
            }
            return try items.map { try ComponentSpec.fromJSONObject($0, source: "\(source) \(key)") }
        }
        spec.encoder = try stack("encoder") ?? spec.encoder
        spec.decoder = try stack("decoder") ?? spec.decoder
        if let v = object["latent_dim"] {
            guard let n = v as? Int else { throw VAExprsError.usage("\(source): latent_dim must be a whole number") }
            spec.latentDimension = n
        }
        if let v = object["likelihood"] as? String {
            spec.likelihood = try ComponentSpec.parseItem(v, source: "\(source) likelihood")
        }
        if let v = object["prior"] as? String { spec.prior = try ComponentSpec.parseItem(v, source: "\(source) prior") }
        if let v = object["regularization"] {
            guard let r = v as? Double else { throw VAExprsError.usage("\(source): regularization must be a number") }
            spec.regularization = r
        }
        try spec.validate()
        return spec
    }
}
