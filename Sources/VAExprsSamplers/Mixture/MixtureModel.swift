/// mclust's Gaussian mixture parameterisations (Celeux & Govaert 1995): Σ_k = λ_k D_k A_k D_kᵀ
/// with volume λ, shape A and orientation D each Equal, Variable or the Identity across
/// components; `E` and `V` are the one-dimensional models.
public enum MixtureModel: String, CaseIterable, Sendable, Comparable {
    case EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV
    case E, V

    /// The multivariate models, in mclust's order.
    package static let multivariate: [MixtureModel] = [
        .EII, .VII, .EEI, .VEI, .EVI, .VVI, .EEE, .VEE, .EVE, .VVE, .EEV, .VEV, .EVV, .VVV
    ]
    /// The univariate models.
    package static let univariate: [MixtureModel] = [.E, .V]

    /// Models ordered by name (mclust breaks BIC ties by G, then by name).
    public static func < (a: MixtureModel, b: MixtureModel) -> Bool { a.rawValue < b.rawValue }

    /// Spherical or diagonal (tried when n ≤ d).
    package var isSphericalOrDiagonal: Bool { [.EII, .VII, .EEI, .VEI, .EVI, .VVI].contains(self) }

    /// Covariance parameters (mclust's `nVarParams`).
    package func varianceParameterCount(dimension d: Int, components g: Int) -> Int {
        switch self {
        case .E, .EII: return 1
        case .V, .VII: return g
        case .EEI: return d
        case .VEI: return g + (d - 1)
        case .EVI: return 1 + g * (d - 1)
        case .VVI: return g * d
        case .EEE: return d * (d + 1) / 2
        case .EVE: return 1 + g * (d - 1) + d * (d - 1) / 2
        case .VEE: return g + (d - 1) + d * (d - 1) / 2
        case .VVE: return g + g * (d - 1) + d * (d - 1) / 2
        case .EEV: return 1 + (d - 1) + g * d * (d - 1) / 2
        case .VEV: return g + (d - 1) + g * d * (d - 1) / 2
        case .EVV: return 1 - g + g * d * (d + 1) / 2
        case .VVV: return g * d * (d + 1) / 2
        }
    }

    /// All free parameters: covariance, means and mixing proportions (mclust's `nMclustParams`).
    package func parameterCount(dimension d: Int, components g: Int) -> Int {
        varianceParameterCount(dimension: d, components: g) + g * d + (g - 1)
    }

    /// mclust's name for this model with `g` components (`XII`, `XXI`, `XXX`, `X` for G = 1).
    package func name(components g: Int) -> String {
        guard g == 1 else { return rawValue }
        switch self {
        case .E, .V: return "X"
        case .EII, .VII: return "XII"
        case .EEI, .VEI, .EVI, .VVI: return "XXI"
        default: return "XXX"
        }
    }
}

/// Fitted mixture parameters: mixing proportions, means and covariance matrices.
public struct MixtureParameters: Sendable, Equatable {
    /// Mixing proportions (sum 1).
    public var proportions: [Double]
    /// Component means, G × d.
    public var means: [[Double]]
    /// Component covariances, G × (d × d row-major).
    public var covariances: [[Double]]
}

/// One fitted (model, G) cell of the BIC search.
public struct MixtureFit: Sendable {
    /// The model.
    public var model: MixtureModel
    /// Number of components.
    public var components: Int
    /// Maximised log-likelihood.
    public var loglik: Double
    /// BIC = 2·loglik − parameters·log(n) (mclust's sign: larger is better).
    public var bic: Double
    /// The parameters.
    public var parameters: MixtureParameters
}
