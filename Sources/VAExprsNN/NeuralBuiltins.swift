import VAExprsCore

/// Registers this module's layers, activations, likelihoods, prior and optimizers.
package enum NeuralBuiltins {
    /// The origin string shown for these components.
    package static let origin = "built-in (VAExprsNN)"

    /// Every activation of this module, by name.
    static let activations: [String: any Activation] = [
        "linear": LinearActivation(), "relu": ReLUActivation(), "sigmoid": SigmoidActivation(),
        "tanh": TanhActivation(), "softplus": SoftplusActivation(), "elu": ELUActivation(),
        "selu": SELUActivation(), "leaky_relu": LeakyReLUActivation(), "gelu": GELUActivation()
    ]

    /// Registers everything through `registry.register`, the call plugins use.
    package static func register(into registry: Registry) throws {
        for (name, activation) in activations {
            try registry.register(.activation { _ in activation }, name: name, origin: origin)
            try registry.register(
                .layer { spec in ActivationLayer(spec: spec, activation: activation) },
                name: name, origin: origin)
        }
        try registry.register(
            .layer { spec in
                let units = try spec.int("units", position: 0)
                let activationName = spec.string("activation", position: 1, default: "linear")!
                let activation = try registry.makeActivation(ComponentSpec(name: activationName, source: spec.source))
                return try Dense(spec: spec, units: units, activation: activation)
            }, name: "dense", origin: origin)
        try registry.register(
            .layer { spec in
                try Dropout(spec: spec, rate: spec.double("rate", position: 0))
            }, name: "dropout", origin: origin)
        try registry.register(
            .layer { spec in
                try BatchNormalization(
                    spec: spec,
                    momentum: spec.double("momentum", position: 0, default: 0.99),
                    epsilon: spec.double("epsilon", position: 1, default: 0.001))
            }, name: "batchnorm", origin: origin)

        try registry.register(
            .likelihood { spec in BernoulliLikelihood(spec: spec) }, name: "bernoulli", origin: origin,
            facts: .likelihood(.scaled))
        for censored in [false, true] {
            try registry.register(
                .likelihood { spec in
                    try GaussianLikelihood(
                        spec: spec, minimumVariance: spec.double("min_variance", position: 0, default: 1e-6),
                        censored: censored,
                        // Measured: re-estimating the Tobit variance made held-out
                        // realism worse (README), so censored_gaussian keeps its
                        // trained variances unless asked.
                        refitsVariance: try flag(spec, "refit", position: 1, default: !censored))
                }, name: censored ? "censored_gaussian" : "gaussian", origin: origin, facts: .likelihood(.scaled))
        }
        for family in [CountLikelihood.Family.negativeBinomial, .zeroInflatedNegativeBinomial] {
            try registry.register(
                .likelihood { spec in
                    let text = spec.string("dispersion", position: 0, default: "gene")!
                    guard let dispersion = CountLikelihood.Dispersion(rawValue: text) else {
                        throw VAExprsError.usage(
                            "\(spec.source): \(spec.name) dispersion must be 'gene' or 'gene-label', got '\(text)'")
                    }
                    return CountLikelihood(
                        spec: spec, family: family, dispersion: dispersion,
                        refitsDispersion: try flag(spec, "refit", position: 1))
                }, name: family.rawValue, origin: origin,
                facts: .likelihood(.counts, outputsPerFeature: family == .zeroInflatedNegativeBinomial ? 2 : 1))
        }
        try registry.register(
            .likelihood { spec in
                CountLikelihood(spec: spec, family: .poisson, dispersion: .gene)
            }, name: "poisson", origin: origin, facts: .likelihood(.counts))
        try registry.register(
            .prior { spec in StandardNormalPrior(spec: spec) }, name: "standard_normal", origin: origin)

        try registry.register(
            .optimizer { spec in
                Adam(
                    spec: spec,
                    learningRate: try positive(spec, "lr", 0.001),
                    beta1: try spec.double("beta1", position: nil, default: 0.9),
                    beta2: try spec.double("beta2", position: nil, default: 0.999),
                    epsilon: try spec.double("epsilon", position: nil, default: 1e-7))
            }, name: "adam", origin: origin)
        try registry.register(
            .optimizer { spec in
                SGD(
                    spec: spec, learningRate: try positive(spec, "lr", 0.01),
                    momentum: try spec.double("momentum", position: nil, default: 0),
                    nesterov: spec.string("nesterov", position: nil, default: "false") == "true")
            }, name: "sgd", origin: origin)
        try registry.register(
            .optimizer { spec in
                RMSprop(
                    spec: spec, learningRate: try positive(spec, "lr", 0.001),
                    rho: try spec.double("rho", position: nil, default: 0.9),
                    epsilon: try spec.double("epsilon", position: nil, default: 1e-7))
            }, name: "rmsprop", origin: origin)
    }

    /// A `true`/`false` option.
    private static func flag(_ spec: ComponentSpec, _ key: String, position: Int, default value: Bool = true) throws
        -> Bool
    {
        let text = spec.string(key, position: position, default: value ? "true" : "false")!
        guard text == "true" || text == "false" else {
            throw VAExprsError.usage("\(spec.source): \(spec.name) \(key) must be 'true' or 'false', got '\(text)'")
        }
        return text == "true"
    }

    private static func positive(_ spec: ComponentSpec, _ key: String, _ fallback: Double) throws -> Double {
        let v = try spec.double(key, position: nil, default: fallback)
        guard v > 0 else { throw VAExprsError.usage("\(spec.source): \(spec.name) \(key) must be positive, got \(v)") }
        return v
    }
}
