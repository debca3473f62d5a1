/// Named starting points for `fit`: architecture, KL weight, likelihood and normalisation.
/// Options the user gives override the preset's.
public enum FitPreset: String, Sendable, CaseIterable {
    /// Realistic cells without tuning: likelihood and normalisation chosen from the data
    /// (`DataSetup.choose`), architecture and KL weight as measured best on the shared data
    /// sets (README, "Choosing the defaults").
    case `default`
    /// Exactly the original package's setup: Bernoulli loss on min-max-scaled log-normalised
    /// data, one hidden layer of 512 ReLU units each side, latent 2, KL weight 1; the
    /// Bernoulli likelihood returns decoder means.
    case original

    /// The preset's likelihood; nil: chosen from the data.
    package var likelihood: ComponentSpec? {
        self == .original ? ComponentSpec(name: "bernoulli") : nil
    }

    /// The preset's normalisation; nil: chosen from the data.
    package var normalization: Normalization? {
        self == .original ? .lognorm : nil
    }

    /// The preset's architecture and KL weight for a likelihood whose targets are `data`.
    package func spec(likelihood: ComponentSpec, data: LikelihoodData) -> ModelSpec {
        switch self {
        case .original:
            return ModelSpec(likelihood: likelihood)
        case .default:
            let hidden = [ComponentSpec(name: "dense", positional: ["128", "relu"])]
            if data == .counts {
                return ModelSpec(
                    encoder: hidden, decoder: hidden, latentDimension: 5, likelihood: likelihood, regularization: 1)
            }
            return ModelSpec(
                encoder: hidden, decoder: hidden, latentDimension: 2, likelihood: likelihood, regularization: 4)
        }
    }
}
