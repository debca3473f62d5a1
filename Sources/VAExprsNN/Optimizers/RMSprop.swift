import VAExprsCore

/// RMSprop, Keras' rule without momentum or centring: a ← ρ a + (1−ρ) g²; θ ← θ − lr g / (√a + ε).
/// Spec: `rmsprop[:lr=0.001][:rho=0.9][:epsilon=1e-7]`.
package final class RMSprop: Optimizer {
    package let spec: ComponentSpec
    let learningRate: Float, rho: Float, epsilon: Float
    private var averages: [String: [Float]] = [:]

    /// RMSprop with the given hyper-parameters.
    package init(spec: ComponentSpec, learningRate: Double = 0.001, rho: Double = 0.9, epsilon: Double = 1e-7) {
        self.spec = spec
        self.learningRate = Float(learningRate)
        self.rho = Float(rho)
        self.epsilon = Float(epsilon)
    }

    package func step(_ parameters: [Parameter]) {
        for p in parameters {
            var a = averages[p.path] ?? [Float](repeating: 0, count: p.value.count)
            for i in p.value.indices {
                let g = p.gradient[i]
                a[i] = rho * a[i] + (1 - rho) * g * g
                p.value[i] -= learningRate * g / (a[i].squareRoot() + epsilon)
            }
            averages[p.path] = a
        }
    }
}
