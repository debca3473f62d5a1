/// How `fit` turns what the user gave (a preset, and any likelihood, normalisation or
/// architecture settings) and the data into the model spec and normalisation it trains with.
public struct FitSetupChoices: Sendable {
    /// The starting point.
    public var preset: FitPreset = .default
    /// A likelihood the user named (nil: the preset's, else chosen from the data).
    public var likelihood: ComponentSpec?
    /// A normalisation the user named (nil or auto: the preset's, or the one the values call for).
    public var normalization: Normalization?
    /// A whole spec (from a JSON file, or built in code) and where it came from; its likelihood
    /// counts as named, and it replaces the layer, latent and KL settings below.
    public var wholeSpec: (spec: ModelSpec, source: String)?
    /// Encoder layers the user gave.
    public var encoder: [ComponentSpec]?
    /// Decoder layers the user gave.
    public var decoder: [ComponentSpec]?
    /// Latent size the user gave.
    public var latentDimension: Int?
    /// KL weight the user gave.
    public var regularization: Double?
    /// The latent prior.
    public var prior = ComponentSpec(name: "standard_normal")

    /// Nothing chosen: the default preset throughout.
    public init() {}

    /// The resolved setup.
    package struct Resolved: Sendable {
        /// The architecture, likelihood and KL weight.
        package var spec: ModelSpec
        /// The normalisation.
        package var normalization: Normalization
        /// What was chosen and why, for the user and the model file.
        package var choice: String
        /// True when the likelihood was chosen from the data (worth telling the user).
        package var chosenFromData: Bool
    }

    /// Resolves the setup for `data`. A count likelihood with log-normalisation is refused:
    /// count likelihoods read raw counts.
    package func resolve(for data: ExpressionMatrix, registry: Registry) throws -> Resolved {
        var likelihood = likelihood ?? wholeSpec?.spec.likelihood ?? preset.likelihood
        // auto is "not given": the preset's, or the one the values call for.
        let asked = normalization == .auto ? nil : normalization
        var normalization = asked
        var choice: String
        let fromData = likelihood == nil
        if let named = likelihood {
            let origin =
                self.likelihood != nil
                ? "given" : (wholeSpec.map { "from \($0.source)" } ?? "preset \(preset.rawValue)")
            normalization = normalization ?? preset.normalization ?? Normalization.none
            choice =
                """
                likelihood \(named) (\(origin)), normalisation \
                \(normalization!.rawValue)\(asked != nil ? " (given)" : "")
                """
        } else {
            let chosen = DataSetup.choose(data, normalization: normalization)
            likelihood = chosen.likelihood
            normalization = normalization ?? chosen.normalization
            choice = "likelihood \(chosen.likelihood), normalisation \(normalization!.rawValue): \(chosen.reason)"
        }
        let kind = try registry.likelihoodFacts(likelihood!).data
        if kind == .counts && normalization == .lognorm {
            throw VAExprsError.usage(
                """
                log-normalisation was asked for, but the count likelihood \(likelihood!) reads raw counts (its \
                encoder input is already log-normalised): ask for no normalisation, or a continuous likelihood \
                such as censored_gaussian
                """
            )
        }
        var spec = wholeSpec?.spec ?? preset.spec(likelihood: likelihood!, data: kind)
        spec.likelihood = likelihood!
        if wholeSpec == nil {
            if let encoder { spec.encoder = encoder }
            if let decoder { spec.decoder = decoder }
            if let latentDimension { spec.latentDimension = latentDimension }
            if let regularization { spec.regularization = regularization }
            spec.prior = prior
        }
        try spec.validate()
        return Resolved(spec: spec, normalization: normalization!, choice: choice, chosenFromData: fromData)
    }
}
