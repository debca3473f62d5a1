import VAExprsCore

/// Inverted dropout: in training each value is zeroed with probability `rate` and the rest
/// scaled by 1/(1 − rate); identity at inference. Spec: `dropout:RATE`. In data-parallel
/// training the mask is drawn for the whole global batch (every process draws the same) and
/// each process keeps its rows'.
public final class Dropout: BatchShareAware {
    public let spec: ComponentSpec
    public var computesInputGradient = true
    /// Probability of dropping a value, in [0, 1).
    public let rate: Double
    private var mask: [Float] = []
    public var batchShare: (any BatchShare)?

    /// A dropout layer with the given rate.
    public init(spec: ComponentSpec, rate: Double) throws {
        guard rate >= 0 && rate < 1 else {
            throw VAExprsError.usage("\(spec.source): dropout rate must be in [0, 1), got \(rate)")
        }
        self.spec = spec
        self.rate = rate
    }

    public var parameters: [Parameter] { [] }

    public func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int { inputWidth }

    public func forward(_ input: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
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

    public func backward(_ outputGradient: Matrix) -> Matrix {
        guard rate > 0 else { return outputGradient }
        var g = outputGradient
        for i in g.storage.indices { g.storage[i] *= mask[i] }
        return g
    }
}
