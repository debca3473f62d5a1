import Foundation
import VAExprsCore

/// `normal`: one multivariate Gaussian fitted to the latent means by maximum likelihood
/// (sample mean, covariance with divisor n), drawn as mean + L·ε with L the Cholesky factor.
/// With fewer points than dimensions + 1 (or a singular covariance) it falls back to a
/// diagonal covariance, and with a single point to that point; the fit's `summary` says so.
package struct GaussianLatentSampler: LatentSampler {
    package let spec: ComponentSpec

    /// The sampler.
    package init(spec: ComponentSpec) { self.spec = spec }

    package func fit(_ points: DoubleMatrix, label: String?, rng: inout SeededGenerator) throws
        -> any FittedLatentDistribution
    {
        let n = points.rows, d = points.columns
        guard n > 0 else {
            throw VAExprsError.badData(
                "latent sampler 'normal': no latent points\(label.map { " for label '\($0)'" } ?? "")")
        }
        let mean = points.columnMeans()
        var cov = [Double](repeating: 0, count: d * d)
        for i in 0..<n {
            for a in 0..<d { for b in 0...a { cov[a * d + b] += (points[i, a] - mean[a]) * (points[i, b] - mean[b]) } }
        }
        for a in 0..<d {
            for b in 0...a {
                cov[a * d + b] /= Double(n)
                cov[b * d + a] = cov[a * d + b]
            }
        }
        var kind = "full-covariance Gaussian"
        var factor: [Double]
        if n == 1 {
            factor = [Double](repeating: 0, count: d * d)
            kind = "a single point (one cell)"
        } else if n > d, let l = Cholesky.lower(cov, dimension: d) {
            factor = l
        } else {
            factor = [Double](repeating: 0, count: d * d)
            for j in 0..<d { factor[j * d + j] = cov[j * d + j].squareRoot() }
            kind = "diagonal Gaussian (too few or collinear points for a full covariance)"
        }
        return FittedGaussian(
            mean: mean, choleskyFactor: factor,
            summary: "\(kind), \(d) dims, \(n) points\(label.map { ", label '\($0)'" } ?? "")")
    }
}

/// A fitted Gaussian N(mean, L Lᵀ).
struct FittedGaussian: FittedLatentDistribution {
    let mean: [Double]
    let choleskyFactor: [Double]
    let summary: String

    func sample(count: Int, rng: inout SeededGenerator) -> DoubleMatrix {
        let d = mean.count
        var out = DoubleMatrix(rows: count, columns: d)
        var e = [Double](repeating: 0, count: d)
        for i in 0..<count {
            for j in 0..<d { e[j] = rng.nextNormal() }
            for a in 0..<d {
                var v = mean[a]
                for b in 0...a { v += choleskyFactor[a * d + b] * e[b] }
                out[i, a] = v
            }
        }
        return out
    }
}

/// `prior`: ignores the latent means and draws from the standard-normal prior.
package struct PriorLatentSampler: LatentSampler {
    package let spec: ComponentSpec

    /// The sampler.
    package init(spec: ComponentSpec) { self.spec = spec }

    package func fit(_ points: DoubleMatrix, label: String?, rng: inout SeededGenerator) throws
        -> any FittedLatentDistribution
    {
        let d = points.columns
        var identity = [Double](repeating: 0, count: d * d)
        for j in 0..<d { identity[j * d + j] = 1 }
        return FittedGaussian(
            mean: .init(repeating: 0, count: d), choleskyFactor: identity,
            summary: "standard-normal prior, \(d) dims")
    }
}
