import Foundation

/// The standard normal N(0, I): KL = ½ Σ (μ² + e^v − 1 − v) for posteriors N(μ, e^v).
struct StandardNormal: Prior {
    let spec: ComponentSpec

    func klDivergence(mean: Matrix, logVariance: Matrix, gradient: Bool, scale: Float) -> KLEvaluation {
        var total = 0.0
        var dMean = gradient ? Matrix(rows: mean.rows, columns: mean.columns) : nil
        var dLogVariance = dMean
        for i in mean.storage.indices {
            let m = Double(mean.storage[i]), v = Double(logVariance.storage[i])
            total += 0.5 * (m * m + exp(v) - 1 - v)
            dMean?.storage[i] = scale * Float(m)
            dLogVariance?.storage[i] = scale * Float(0.5 * (exp(v) - 1))
        }
        return KLEvaluation(total: total, meanGradient: dMean, logVarianceGradient: dLogVariance)
    }

    func sample(count: Int, dimension: Int, rng: inout SeededGenerator) -> Matrix {
        Matrix(rows: count, columns: dimension, storage: (0..<(count * dimension)).map { _ in Float(rng.nextNormal()) })
    }
}

let component = ExportedComponent("{{NAME}}", "standard normal", .prior { StandardNormal(spec: $0) })
