import VAExprsCore

/// Stochastic gradient descent with (optionally Nesterov) momentum, Keras' rule:
/// v ← μ v − lr g; θ ← θ + v (Nesterov: θ ← θ + μ v − lr g).
/// Spec: `sgd[:lr=0.01][:momentum=0][:nesterov=false]`.
package final class SGD: Optimizer {
    package let spec: ComponentSpec
    let learningRate: Float, momentum: Float, nesterov: Bool
    private var velocities: [String: [Float]] = [:]

    /// SGD with the given hyper-parameters.
    package init(spec: ComponentSpec, learningRate: Double = 0.01, momentum: Double = 0, nesterov: Bool = false) {
        self.spec = spec
        self.learningRate = Float(learningRate)
        self.momentum = Float(momentum)
        self.nesterov = nesterov
    }

    package func step(_ parameters: [Parameter]) {
        for p in parameters {
            if momentum == 0 {
                for i in p.value.indices { p.value[i] -= learningRate * p.gradient[i] }
                continue
            }
            var v = velocities[p.path] ?? [Float](repeating: 0, count: p.value.count)
            for i in p.value.indices {
                v[i] = momentum * v[i] - learningRate * p.gradient[i]
                p.value[i] += nesterov ? momentum * v[i] - learningRate * p.gradient[i] : v[i]
            }
            velocities[p.path] = v
        }
    }
}
