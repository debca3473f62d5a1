import VAExprsCore

/// A stand-alone activation in a stack (e.g. `dense:512,relu`).
package final class ActivationLayer: Layer {
    package let spec: ComponentSpec
    package var computesInputGradient = true
    /// The activation applied.
    package let activation: any Activation
    private var cachedInput: [Float] = []
    private var cachedOutput: [Float] = []

    /// A layer applying `activation`.
    package init(spec: ComponentSpec, activation: any Activation) {
        self.spec = spec
        self.activation = activation
    }

    package var parameters: [Parameter] { [] }

    package func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int { inputWidth }

    package func forward(_ input: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        var out = input
        activation.apply(&out.storage)
        if phase == .training {
            cachedInput = input.storage
            cachedOutput = out.storage
        }
        return out
    }

    package func backward(_ outputGradient: Matrix) -> Matrix {
        var g = outputGradient
        activation.backward(input: cachedInput, output: cachedOutput, gradient: &g.storage)
        return g
    }
}
