import CKernels
import Foundation
import VAExprsCore

// Element-wise activations with Keras semantics. Each loops over whole arrays so that the
// dense layer can fuse bias and activation into one pass.

/// f(x) = x.
package struct LinearActivation: Activation {
    package var name: String { "linear" }
    package var derivativeNeedsInput: Bool { false }
    /// The activation.
    package init() {}
    package func apply(_ values: inout [Float]) {}
    package func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {}
}

/// f(x) = max(0, x). Its derivative reads only the output (x ≤ 0 exactly when y = 0).
package struct ReLUActivation: Activation {
    package var name: String { "relu" }
    package var derivativeNeedsInput: Bool { false }
    /// The activation.
    package init() {}
    package func apply(_ values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { v in vaexprs_relu(v.baseAddress, Int64(v.count)) }
    }
    package func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {
        precondition(y.count == gradient.count, "relu: \(y.count) outputs, \(gradient.count) gradients")
        gradient.withUnsafeMutableBufferPointer { g in
            y.withUnsafeBufferPointer { y in vaexprs_relu_backward(g.baseAddress, y.baseAddress, Int64(g.count)) }
        }
    }
}

/// f(x) = 1 / (1 + e^-x).
package struct SigmoidActivation: Activation {
    package var name: String { "sigmoid" }
    package var derivativeNeedsInput: Bool { false }
    /// The activation.
    package init() {}
    package func apply(_ values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { v in for i in v.indices { v[i] = stableSigmoid(v[i]) } }
    }
    package func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {
        for i in gradient.indices { gradient[i] *= y[i] * (1 - y[i]) }
    }
}

/// Numerically stable logistic function.
@inline(__always) func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

/// f(x) = tanh(x).
package struct TanhActivation: Activation {
    package var name: String { "tanh" }
    package var derivativeNeedsInput: Bool { false }
    /// The activation.
    package init() {}
    package func apply(_ values: inout [Float]) { for i in values.indices { values[i] = tanhf(values[i]) } }
    package func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {
        for i in gradient.indices { gradient[i] *= 1 - y[i] * y[i] }
    }
}

/// f(x) = log(1 + e^x), computed stably.
package struct SoftplusActivation: Activation {
    package var name: String { "softplus" }
    /// The activation.
    package init() {}
    package func apply(_ values: inout [Float]) {
        for i in values.indices {
            let x = values[i]
            values[i] = max(x, 0) + log1pf(expf(-abs(x)))
        }
    }
    package func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {
        for i in gradient.indices { gradient[i] *= stableSigmoid(x[i]) }
    }
}

/// f(x) = x for x > 0, α(e^x − 1) otherwise (α = 1, Keras' default).
package struct ELUActivation: Activation {
    package var name: String { "elu" }
    let alpha: Float
    /// ELU with the given α.
    package init(alpha: Float = 1) { self.alpha = alpha }
    package func apply(_ values: inout [Float]) {
        for i in values.indices where values[i] <= 0 { values[i] = alpha * expm1f(values[i]) }
    }
    package func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {
        for i in gradient.indices where x[i] <= 0 { gradient[i] *= y[i] + alpha }
    }
}

/// SELU (Klambauer et al. 2017): λ·x for x > 0, λα(e^x − 1) otherwise.
package struct SELUActivation: Activation {
    package var name: String { "selu" }
    static let alpha: Float = 1.673_263_2
    static let scale: Float = 1.050_701
    /// The activation.
    package init() {}
    package func apply(_ values: inout [Float]) {
        for i in values.indices {
            let x = values[i]
            values[i] = x > 0 ? Self.scale * x : Self.scale * Self.alpha * expm1f(x)
        }
    }
    package func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {
        for i in gradient.indices {
            gradient[i] *= x[i] > 0 ? Self.scale : y[i] + Self.scale * Self.alpha
        }
    }
}

/// f(x) = x for x > 0, s·x otherwise (s = 0.2, Keras 3's default negative slope).
package struct LeakyReLUActivation: Activation {
    package var name: String { "leaky_relu" }
    let slope: Float
    /// Leaky ReLU with the given negative slope.
    package init(slope: Float = 0.2) { self.slope = slope }
    package func apply(_ values: inout [Float]) {
        for i in values.indices where values[i] < 0 { values[i] *= slope }
    }
    package func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {
        for i in gradient.indices where x[i] < 0 { gradient[i] *= slope }
    }
}

/// Exact GELU, x·Φ(x) with the normal CDF through erf (Keras' `approximate=False`).
package struct GELUActivation: Activation {
    package var name: String { "gelu" }
    /// The activation.
    package init() {}
    package func apply(_ values: inout [Float]) {
        for i in values.indices {
            let x = values[i]
            values[i] = 0.5 * x * (1 + erff(x * 0.707_106_77))
        }
    }
    package func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {
        for i in gradient.indices {
            let v = x[i]
            let cdf = 0.5 * (1 + erff(v * 0.707_106_77))
            let pdf = expf(-0.5 * v * v) * 0.398_942_28
            gradient[i] *= cdf + v * pdf
        }
    }
}
