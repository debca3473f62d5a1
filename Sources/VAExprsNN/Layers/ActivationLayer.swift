import VAExprsCore

/// A stand-alone activation in a stack (e.g. `dense:512,relu`).
public final class ActivationLayer: Layer {
    public let spec: ComponentSpec
    public var computesInputGradient = true
    /// The activation applied.
    public let activation: any Activation
    private var cachedInput: [Float] = []
    private var cachedOutput: [Float] = []

    /// A layer applying `activation`.
    public init(spec: ComponentSpec, activation: any Activation) {
        self.spec = spec
        self.activation = activation
    }

    public var parameters: [Parameter] { [] }

    public func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int { inputWidth }

    public func forward(_ input: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        var out = input
        activation.apply(&out.storage)
        if phase == .training { cachedInput = input.storage; cachedOutput = out.storage }
        return out
    }

    public func backward(_ outputGradient: Matrix) -> Matrix {
        var g = outputGradient
        activation.backward(input: cachedInput, output: cachedOutput, gradient: &g.storage)
        return g
    }
}
