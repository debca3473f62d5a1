import Foundation
import VAExprsCore

/// The log density of a stored Gaussian mixture (`StoredLatentMixture`), with each component's
/// Cholesky factor computed once: what `fit` needs to score a latent distribution on
/// validation cells.
package struct MixtureDensity: Sendable {
    private let dimension: Int
    private let logWeights: [Double]
    private let means: [[Double]]
    private let lowerFactors: [[Double]]
    private let logNormalisers: [Double]

    /// The density of `mixture`; nil when a covariance is not positive definite.
    package init?(_ mixture: StoredLatentMixture) {
        guard mixture.isConsistent else { return nil }
        let d = mixture.dimension
        var factors: [[Double]] = [], normalisers: [Double] = []
        for covariance in mixture.covariances {
            guard let l = Cholesky.lower(covariance, dimension: d) else { return nil }
            var logDeterminant = 0.0
            for j in 0..<d { logDeterminant += 2 * log(l[j * d + j]) }
            factors.append(l)
            normalisers.append(-0.5 * (Double(d) * log(2 * Double.pi) + logDeterminant))
        }
        dimension = d
        logWeights = mixture.proportions.map { log($0) }
        means = mixture.means
        lowerFactors = factors
        logNormalisers = normalisers
    }

    /// log p(point), `point` having the mixture's dimension.
    package func logDensity(_ point: [Double]) -> Double {
        let d = dimension
        var terms: [Double] = []
        terms.reserveCapacity(means.count)
        var solved = [Double](repeating: 0, count: d)
        for k in means.indices {
            let l = lowerFactors[k]
            var squares = 0.0
            for i in 0..<d {  // forward substitution: L y = x − μ
                var t = point[i] - means[k][i]
                for j in 0..<i { t -= l[i * d + j] * solved[j] }
                solved[i] = t / l[i * d + i]
                squares += solved[i] * solved[i]
            }
            terms.append(logWeights[k] + logNormalisers[k] - 0.5 * squares)
        }
        let top = terms.max() ?? -.infinity
        guard top.isFinite else { return top }
        return top + log(terms.reduce(0) { $0 + exp($1 - top) })
    }
}
