import Foundation
import Testing
import VAExprsCore

@testable import VAExprsSamplers

/// The stored mixture's log density (what `fit` scores latent shrinkage with) against the
/// closed form of a two-component mixture of correlated 2-D Gaussians.
struct MixtureDensityTests {
    /// log N(x; μ, Σ) of a 2 × 2 covariance by its explicit inverse and determinant.
    func logNormal2(_ x: [Double], _ mu: [Double], _ s: [Double]) -> Double {
        let det = s[0] * s[3] - s[1] * s[2]
        let a = x[0] - mu[0], b = x[1] - mu[1]
        let quadratic = (s[3] * a * a - (s[1] + s[2]) * a * b + s[0] * b * b) / det
        return -0.5 * (2 * log(2 * Double.pi) + log(det) + quadratic)
    }

    @Test func agreesWithTheClosedForm() throws {
        let means = [[0.5, -1.0], [2.0, 3.0]], covariances = [[1.0, 0.3, 0.3, 0.5], [2.0, -0.8, -0.8, 1.5]]
        let mixture = StoredLatentMixture(
            label: "a", summary: "", model: "VVV", dimension: 2, proportions: [0.3, 0.7], means: means,
            covariances: covariances, bic: 0)
        let density = try #require(MixtureDensity(mixture))
        for x in [[0.0, 0.0], [1.0, 2.0], [-3.0, 4.0], [2.0, 3.0], [40.0, -40.0]] {
            let a = log(0.3) + logNormal2(x, means[0], covariances[0])
            let b = log(0.7) + logNormal2(x, means[1], covariances[1])
            let expected = max(a, b) + log(exp(a - max(a, b)) + exp(b - max(a, b)))
            #expect(abs(density.logDensity(x) - expected) < 1e-9 * max(1, abs(expected)), "at \(x)")
        }
    }

    @Test func aCovarianceThatIsNotPositiveDefiniteHasNoDensity() {
        let mixture = StoredLatentMixture(
            label: "a", summary: "", model: "VVV", dimension: 2, proportions: [1], means: [[0, 0]],
            covariances: [[1, 2, 2, 1]], bic: 0)
        #expect(MixtureDensity(mixture) == nil)
    }
}
