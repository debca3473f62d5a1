import Foundation
import VAExprsCore

/// A Gaussian observation model with a learned variance per gene:
/// −log p(x | μ) = ½ Σ_j [log 2π + s_j + (x_j − μ_j)² e^(−s_j)], μ = decoder output (linear).
/// The log-variances s start at each gene's variance in the scaled training data and are
/// bounded below by log(minimum variance) (default 1e-6) so that constant genes stay finite.
///
/// Censored variant (`censored_gaussian`, a Tobit model): a value at its gene's training
/// minimum (0 after min-max scaling: a zero count, a detection floor) is taken as "at or
/// below the minimum" and contributes −log Φ((0 − μ_j)/σ_j) instead of the density, so that
/// μ and σ describe the distribution before the floor; draws below the floor return to it
/// when generation clamps to the training range. Data clipped at a floor (zeros) are then
/// reproduced with the right zero fraction and spread; an uncensored fit underestimates σ.
/// After training, `gaussian` re-estimates each gene's variance at the training cells' latent
/// means (`refitAtLatentMeans`; `refit=false` keeps the trained one); `censored_gaussian` does so
/// only with `refit=true` (measured worse on held-out cells by default).
/// Spec: `gaussian[:min_variance=1e-6][:refit=true]`, `censored_gaussian[:min_variance=1e-6][:refit=false]`.
package final class GaussianLikelihood: Likelihood {
    package let spec: ComponentSpec
    package var defaultDecodeMode: DecodeMode { .sample }
    let logVarianceFloor: Float
    /// True for the censored (Tobit) variant.
    package let censored: Bool
    private var logVariance: Parameter!

    /// Whether the variances are re-estimated at the training cells' latent means after training.
    package let refitsVariance: Bool

    /// The Gaussian likelihood; `censored` treats values at the scaled minimum 0 as censored.
    package init(spec: ComponentSpec, minimumVariance: Double, censored: Bool = false, refitsVariance: Bool = true)
        throws
    {
        guard minimumVariance > 0 else {
            throw VAExprsError.usage("\(spec.source): \(spec.name) min_variance must be positive")
        }
        self.spec = spec
        self.logVarianceFloor = Float(log(minimumVariance))
        self.censored = censored
        self.refitsVariance = refitsVariance
    }

    package var parameters: [Parameter] { [logVariance].compactMap { $0 } }

    package func build(features: Int, groups: Int, training: Matrix, context: CellContext, path: String) throws {
        var initial = [Float](repeating: 0, count: features)
        if training.rows > 1 && training.columns == features {
            let d = DoubleMatrix(training)
            for j in 0..<features {
                var mean = 0.0, sq = 0.0
                for i in 0..<d.rows { mean += d[i, j] }
                mean /= Double(d.rows)
                for i in 0..<d.rows {
                    let e = d[i, j] - mean
                    sq += e * e
                }
                initial[j] = max(Float(log(max(sq / Double(d.rows - 1), 1e-12))), logVarianceFloor)
            }
        }
        logVariance = Parameter(path: path + ".log_variance", shape: [features], value: initial)
    }

    /// The effective per-gene log-variance (floored).
    func effectiveLogVariance() -> [Float] { logVariance.value.map { max($0, logVarianceFloor) } }

    package func evaluate(output: Matrix, target: Matrix, context: CellContext, gradient: Bool, scale: Float)
        -> LikelihoodEvaluation
    {
        let g = output.columns
        let s = effectiveLogVariance()
        let precision = s.map { expf(-$0) }
        var total = 0.0
        var grad = gradient ? Matrix(rows: output.rows, columns: g) : nil
        var dS = [Float](repeating: 0, count: g)
        let log2pi: Float = 1.837_877_1
        let inverseSD = s.map { expf(-0.5 * $0) }
        for r in 0..<output.rows {
            var rowLoss: Float = 0
            let base = r * g
            for j in 0..<g {
                let x = target.storage[base + j], mu = output.storage[base + j]
                if censored && x <= 0 {
                    // −log Φ(a), a = (0 − μ)/σ; d/dμ = λ(a)/σ, d/ds = λ(a)·a/2, λ = φ/Φ.
                    let a = Double(-mu * inverseSD[j])
                    let (logPhi, lambda) = Self.logNormalCDFAndMillsRatio(a)
                    rowLoss += Float(-logPhi)
                    if gradient {
                        grad!.storage[base + j] = scale * Float(lambda) * inverseSD[j]
                        dS[j] += Float(lambda * a / 2)
                    }
                    continue
                }
                let e = x - mu
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

    /// log Φ(a) and the inverse Mills ratio φ(a)/Φ(a), stable for very negative a.
    static func logNormalCDFAndMillsRatio(_ a: Double) -> (Double, Double) {
        if a > -30 {
            let cdf = 0.5 * erfc(-a / 2.0.squareRoot())
            let pdf = exp(-0.5 * a * a) / (2 * Double.pi).squareRoot()
            return (log(cdf), pdf / cdf)
        }
        // Asymptotic series: Φ(a) ≈ φ(a)/(−a) · (1 − 1/a² + 3/a⁴).
        let a2 = a * a
        let series = 1 - 1 / a2 + 3 / (a2 * a2)
        let logPhi = -0.5 * a2 - log(-a) - 0.5 * log(2 * Double.pi) + log(series)
        return (logPhi, -a / series)
    }

    /// Most cells the variance re-estimate reads (an evenly spaced subset of larger data).
    static let refitCells = 5_000

    /// Each gene's variance by maximum likelihood with the decoder held at the training cells'
    /// latent means: the mean squared residual for `gaussian`, a golden-section search of the
    /// Tobit likelihood in log σ² for `censored_gaussian`, between the variance floor and the
    /// gene's variance over the cells.
    package func refitAtLatentMeans(output: Matrix, target: Matrix, context: CellContext) -> String? {
        guard refitsVariance, let logVariance, output.rows > 0 else { return nil }
        let rows = Array(stride(from: 0, to: output.rows, by: max(1, output.rows / Self.refitCells)))
        let mu = output.gatherRows(rows), x = target.gatherRows(rows)
        let before = effectiveLogVariance()
        var after = before
        let floor = Double(logVarianceFloor)
        after.withUnsafeMutableBufferPointer { out in
            let blocks = WorkerPool.blocks(out.count, parts: WorkerPool.shared.threads)
            WorkerPool.shared.run(parts: blocks.count) { part in
                for j in blocks[part] {
                    if !censored {
                        var squares = 0.0
                        for i in 0..<rows.count {
                            let e = Double(x[i, j] - mu[i, j])
                            squares += e * e
                        }
                        out[j] = Float(max(log(max(squares / Double(rows.count), 1e-300)), floor))
                        continue
                    }
                    func logLikelihood(_ s: Double) -> Double {
                        let inverseSD = exp(-0.5 * s)
                        var total = 0.0
                        for i in 0..<rows.count {
                            let m = Double(mu[i, j]), v = Double(x[i, j])
                            if v <= 0 {
                                total += Self.logNormalCDFAndMillsRatio(-m * inverseSD).0
                            } else {
                                let z = (v - m) * inverseSD
                                total -= 0.5 * (s + z * z)
                            }
                        }
                        return total
                    }
                    // At most the gene's variance over all cells: the noise around the decoder
                    // cannot exceed it, and a gene whose decoder means sit above its censored
                    // zeros would otherwise take an unbounded σ (Φ(−μ/σ) grows towards ½).
                    var sum = 0.0, squares = 0.0
                    for i in 0..<rows.count {
                        let v = Double(x[i, j])
                        sum += v
                        squares += v * v
                    }
                    let n = Double(rows.count), mean = sum / n
                    let ceiling = max(log(max((squares - n * mean * mean) / max(n - 1, 1), 1e-300)), floor)
                    out[j] =
                        ceiling <= floor
                        ? Float(floor) : Float(GoldenSection.maximise(logLikelihood, from: floor, to: ceiling))
                }
            }
        }
        logVariance.value = after
        let median = { (v: [Float]) in v.sorted()[v.count / 2] }
        return String(
            format: "%@: per-gene variance re-estimated at the training cells' latent means (median σ² %.3g → %.3g)",
            spec.name, exp(Double(median(before))), exp(Double(median(after))))
    }

    /// The decoder mean: μ for `gaussian`; for `censored_gaussian`, μ too (the latent
    /// distribution's mean; generation clamps to the training range).
    package func mean(output: Matrix, context: CellContext) -> Matrix { output }

    package func sample(output: Matrix, context: CellContext, rng: inout SeededGenerator) throws -> Matrix {
        let sd = effectiveLogVariance().map { expf(0.5 * $0) }
        var out = output
        for r in 0..<out.rows {
            for j in 0..<out.columns { out[r, j] += sd[j] * Float(rng.nextNormal()) }
        }
        return out
    }
}
