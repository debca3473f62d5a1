import Foundation
import VAExprsCore

/// The standard-normal prior N(0, I). KL(N(μ, e^v) ‖ N(0, I)) = ½ Σ (μ² + e^v − 1 − v),
/// summed over latent dimensions (the textbook ELBO; the original averaged over them and
/// used v inconsistently as a log standard deviation when sampling).
package struct StandardNormalPrior: Prior {
    package let spec: ComponentSpec

    /// The standard-normal prior.
    package init(spec: ComponentSpec = ComponentSpec(name: "standard_normal")) { self.spec = spec }

    package func klDivergence(mean: Matrix, logVariance: Matrix, gradient: Bool, scale: Float) -> KLEvaluation {
        var total = 0.0
        var dMean = gradient ? Matrix(rows: mean.rows, columns: mean.columns) : nil
        var dLogVar = gradient ? Matrix(rows: mean.rows, columns: mean.columns) : nil
        for i in mean.storage.indices {
            let m = mean.storage[i], v = logVariance.storage[i]
            let ev = expf(v)
            total += Double(0.5 * (m * m + ev - 1 - v))
            if gradient {
                dMean!.storage[i] = scale * m
                dLogVar!.storage[i] = scale * 0.5 * (ev - 1)
            }
        }
        return KLEvaluation(total: total, meanGradient: dMean, logVarianceGradient: dLogVar)
    }

    package func sample(count: Int, dimension: Int, rng: inout SeededGenerator) -> Matrix {
        var z = Matrix(rows: count, columns: dimension)
        for i in z.storage.indices { z.storage[i] = Float(rng.nextNormal()) }
        return z
    }
}
