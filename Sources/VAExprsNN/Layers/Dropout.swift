import VAExprsCore

/// Inverted dropout: in training each value is zeroed with probability `rate` and the rest
/// scaled by 1/(1 − rate); identity at inference. Spec: `dropout:RATE`.
public final class Dropout: Layer {
    public let spec: ComponentSpec
    public var computesInputGradient = true
    /// Probability of dropping a value, in [0, 1).
    public let rate: Double
    private var mask: [Float] = []

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
        mask = [Float](repeating: 0, count: input.storage.count)
        for i in mask.indices where rng.nextUniform() >= rate { mask[i] = keep }
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
