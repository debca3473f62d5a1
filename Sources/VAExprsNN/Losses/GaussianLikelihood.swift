import Foundation
import VAExprsCore

/// A Gaussian observation model with a learned variance per gene:
/// −log p(x | μ) = ½ Σ_j [log 2π + s_j + (x_j − μ_j)² e^(−s_j)], μ = decoder output (linear).
/// The log-variances s start at each gene's variance in the scaled training data and are
/// bounded below by log(minimum variance) (default 1e-6) so that constant genes stay finite.
/// Spec: `gaussian[:min_variance=1e-6]`.
public final class GaussianLikelihood: Likelihood {
    public let spec: ComponentSpec
    public var defaultDecodeMode: DecodeMode { .sample }
    let logVarianceFloor: Float
    private var logVariance: Parameter!

    /// The Gaussian likelihood.
    public init(spec: ComponentSpec, minimumVariance: Double) throws {
        guard minimumVariance > 0 else {
            throw VAExprsError.usage("\(spec.source): gaussian min_variance must be positive")
        }
        self.spec = spec
        self.logVarianceFloor = Float(log(minimumVariance))
    }

    public var parameters: [Parameter] { [logVariance].compactMap { $0 } }

    public func build(features: Int, training: Matrix, path: String) throws {
        var initial = [Float](repeating: 0, count: features)
        if training.rows > 1 && training.columns == features {
            let d = DoubleMatrix(training)
            for j in 0..<features {
                var mean = 0.0, sq = 0.0
                for i in 0..<d.rows { mean += d[i, j] }
                mean /= Double(d.rows)
                for i in 0..<d.rows { let e = d[i, j] - mean; sq += e * e }
                initial[j] = max(Float(log(max(sq / Double(d.rows - 1), 1e-12))), logVarianceFloor)
            }
        }
        logVariance = Parameter(path: path + ".log_variance", shape: [features], value: initial)
    }

    /// The effective per-gene log-variance (floored).
    private func effectiveLogVariance() -> [Float] { logVariance.value.map { max($0, logVarianceFloor) } }

    public func evaluate(output: Matrix, target: Matrix, gradient: Bool, scale: Float) -> LikelihoodEvaluation {
        let g = output.columns
        let s = effectiveLogVariance()
        let precision = s.map { expf(-$0) }
        var total = 0.0
        var grad = gradient ? Matrix(rows: output.rows, columns: g) : nil
        var dS = [Float](repeating: 0, count: g)
        let log2pi: Float = 1.837_877_1
        for r in 0..<output.rows {
            var rowLoss: Float = 0
            let base = r * g
            for j in 0..<g {
                let e = target.storage[base + j] - output.storage[base + j]
                let e2p = e * e * precision[j]
                rowLoss += 0.5 * (log2pi + s[j] + e2p)
                if gradient {
                    grad!.storage[base + j] = -scale * e * precision[j]
                    dS[j] += 0.5 * (1 - e2p)
                }
            }
            total += Double(rowLoss)
        }
        if gradient {
            for j in 0..<g { logVariance.gradient[j] = logVariance.value[j] < logVarianceFloor ? 0 : scale * dS[j] }
        }
        return LikelihoodEvaluation(total: total, outputGradient: grad)
    }

    public func mean(output: Matrix) -> Matrix { output }

    public func sample(output: Matrix, rng: inout SeededGenerator) throws -> Matrix {
        let sd = effectiveLogVariance().map { expf(0.5 * $0) }
        var out = output
        for r in 0..<out.rows {
            for j in 0..<out.columns { out[r, j] += sd[j] * Float(rng.nextNormal()) }
        }
        return out
    }
}
