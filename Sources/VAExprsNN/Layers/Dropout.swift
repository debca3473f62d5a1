import VAExprsCore

/// Inverted dropout: in training each value is zeroed with probability `rate` and the rest
/// scaled by 1/(1 − rate); identity at inference. Spec: `dropout:RATE`. In data-parallel
/// training the mask is drawn for the whole global batch (every process draws the same) and
/// each process keeps its rows'.
package final class Dropout: BatchShareAware {
    package let spec: ComponentSpec
    package var computesInputGradient = true
    /// Probability of dropping a value, in [0, 1).
    package let rate: Double
    private var mask: [Float] = []
    package var batchShare: (any BatchShare)?

    /// A dropout layer with the given rate.
    package init(spec: ComponentSpec, rate: Double) throws {
        guard rate >= 0 && rate < 1 else {
            throw VAExprsError.usage("\(spec.source): dropout rate must be in [0, 1), got \(rate)")
        }
        self.spec = spec
        self.rate = rate
    }

    package var parameters: [Parameter] { [] }

    package func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int { inputWidth }

    package func forward(_ input: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        guard phase == .training, rate > 0 else { return input }
        let keep = Float(1 / (1 - rate))
        let width = input.columns
        let first = batchShare?.rows.lowerBound ?? 0, drawn = (batchShare?.globalCount ?? input.rows) * width
        mask = [Float](repeating: 0, count: input.storage.count)
        for k in 0..<drawn {
            let kept = rng.nextUniform() >= rate
            let i = k - first * width
            if kept && i >= 0 && i < mask.count { mask[i] = keep }
        }
        var out = input
        for i in out.storage.indices { out.storage[i] *= mask[i] }
        return out
    }

    package func backward(_ outputGradient: Matrix) -> Matrix {
        guard rate > 0 else { return outputGradient }
        var g = outputGradient
        for i in g.storage.indices { g.storage[i] *= mask[i] }
        return g
    }
}
