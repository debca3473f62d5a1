import Foundation
import VAExprsCore

extension GaussianLikelihood: OutputOffsetEstimating {
    /// Each gene's shift of the decoder means: target − mean μ for `gaussian`; for
    /// `censored_gaussian` the shift whose censored means, E max(μ + shift + σε, 0) = m Φ(m/σ) +
    /// σ φ(m/σ) with m = μ + shift, average to the target (Newton's method from 0, within ±1 of
    /// the scaled range; the average grows with the shift, its slope the mean of Φ(m/σ)).
    package func outputOffsets(output: Matrix, context: CellContext, targetMeans: [Double], evidence: Double) -> [Float]
    {
        let g = targetMeans.count, n = output.rows
        let logVariances = effectiveLogVariance()
        var offsets = [Float](repeating: 0, count: g)
        guard n > 0 else { return offsets }
        offsets.withUnsafeMutableBufferPointer { out in
            let blocks = WorkerPool.blocks(g, parts: WorkerPool.shared.threads)
            WorkerPool.shared.run(parts: blocks.count) { part in
                for j in blocks[part] {
                    if !censored {
                        var meanOutput = 0.0
                        for i in 0..<n { meanOutput += Double(output[i, j]) }
                        out[j] = Float(targetMeans[j] - meanOutput / Double(n))
                        continue
                    }
                    // Newton's method: the average's derivative in the shift is the mean of Φ(m/σ).
                    let sd = exp(0.5 * Double(logVariances[j]))
                    var shift = 0.0
                    for _ in 0..<OutputOffsets.newtonSteps {
                        var average = 0.0, slope = 0.0
                        for i in 0..<n {
                            let m = Double(output[i, j]) + shift, a = m / sd
                            let cdf = 0.5 * erfc(-a / 2.0.squareRoot())
                            average += m * cdf + sd * exp(-0.5 * a * a) / (2 * Double.pi).squareRoot()
                            slope += cdf
                        }
                        let step = (targetMeans[j] - average / Double(n)) / max(slope / Double(n), 1e-3)
                        shift = min(max(shift + step, -1), 1)
                        if abs(step) < 1e-7 { break }
                    }
                    out[j] = Float(shift)
                }
            }
        }
        return offsets
    }
}
