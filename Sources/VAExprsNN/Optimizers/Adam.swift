import CKernels
import Foundation
import VAExprsCore

/// Adam with Keras' defaults and update rule (lr 0.001, β1 0.9, β2 0.999, ε 1e-7):
/// m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²; θ ← θ − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε).
/// Spec: `adam[:lr=0.001][:beta1=0.9][:beta2=0.999][:epsilon=1e-7]`.
package final class Adam: Optimizer {
    package let spec: ComponentSpec
    let learningRate: Double, beta1: Double, beta2: Double, epsilon: Double
    private var step = 0
    private var moments: [String: (m: [Float], v: [Float])] = [:]

    /// Adam with the given hyper-parameters.
    package init(
        spec: ComponentSpec, learningRate: Double = 0.001, beta1: Double = 0.9,
        beta2: Double = 0.999, epsilon: Double = 1e-7
    ) {
        self.spec = spec
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    package func step(_ parameters: [Parameter]) {
        step += 1
        let t = Double(step)
        let alpha = Float(learningRate * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t)))
        let b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
        for p in parameters {
            var state =
                moments[p.path] ?? (
                    [Float](repeating: 0, count: p.value.count), [Float](repeating: 0, count: p.value.count)
                )
            moments[p.path] = nil  // keep the arrays uniquely referenced while mutating
            state.m.withUnsafeMutableBufferPointer { m in
                state.v.withUnsafeMutableBufferPointer { v in
                    p.value.withUnsafeMutableBufferPointer { w in
                        p.gradient.withUnsafeBufferPointer { g in
                            // Element-wise, so any split gives the same result.
                            let parts = w.count >= 1 << 16 ? WorkerPool.shared.threads : 1
                            let blocks = WorkerPool.blocks(w.count, parts: parts)
                            WorkerPool.shared.run(parts: blocks.count) { part in
                                let r = blocks[part]
                                vaexprs_adam_update(
                                    w.baseAddress! + r.lowerBound, m.baseAddress! + r.lowerBound,
                                    v.baseAddress! + r.lowerBound, g.baseAddress! + r.lowerBound,
                                    Int64(r.count), alpha, b1, b2, eps)
                            }
                        }
                    }
                }
            }
            moments[p.path] = state
        }
    }
}
