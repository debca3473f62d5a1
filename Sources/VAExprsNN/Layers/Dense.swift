import CKernels
import VAExprsCore

/// A fully connected layer y = f(x·W + b) with Keras' Glorot-uniform weights and zero bias;
/// bias and activation are applied in one fused pass after the `sgemm`.
///
/// Spec: `dense:UNITS[:ACTIVATION]` or `{"type": "dense", "units": 512, "activation": "relu"}`.
public final class Dense: Layer {
    public let spec: ComponentSpec
    public var computesInputGradient = true
    /// Output width.
    public let units: Int
    /// The fused activation (linear when none is given).
    public let activation: any Activation
    private var weight: Parameter!
    private var bias: Parameter!
    private var inputWidth = 0
    private var cachedInput = Matrix(rows: 0, columns: 0)
    private var cachedPreActivation: [Float] = []
    private var cachedOutput: [Float] = []

    /// A dense layer with `units` outputs and an activation.
    public init(spec: ComponentSpec, units: Int, activation: any Activation) throws {
        guard units > 0 else { throw VAExprsError.usage("\(spec.source): 'dense' units must be positive, got \(units)") }
        self.spec = spec
        self.units = units
        self.activation = activation
    }

    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

    public func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int {
        self.inputWidth = inputWidth
        let limit = (6.0 / Double(inputWidth + units)).squareRoot()
        var w = [Float](repeating: 0, count: inputWidth * units)
        for i in w.indices { w[i] = Float((rng.nextUniform() * 2 - 1) * limit) }
        weight = Parameter(path: path + ".weight", shape: [inputWidth, units], value: w)
        bias = Parameter(path: path + ".bias", shape: [units], value: [Float](repeating: 0, count: units))
        return units
    }

    public func forward(_ input: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        let w = Matrix(rows: inputWidth, columns: units, storage: weight.value)
        // Bias first, then the product accumulated onto it (beta = 1): one pass fewer
        // than zero-filling (beta = 0) and adding the bias afterwards.
        var out = Matrix(uninitializedRows: input.rows, columns: units)
        out.storage.withUnsafeMutableBufferPointer { o in
            bias.value.withUnsafeBufferPointer { b in
                vaexprs_broadcast_rows(o.baseAddress, b.baseAddress, Int64(input.rows), Int64(units))
            }
        }
        BLAS.gemm(input, w, into: &out, beta: 1)
        let keepInput = activation.derivativeNeedsInput
        if phase == .training {
            cachedInput = input
            if keepInput { cachedPreActivation = out.storage }  // copy only when the derivative needs it
        }
        activation.apply(&out.storage)
        if phase == .training {
            cachedOutput = out.storage
            if !keepInput { cachedPreActivation = [] }
        }
        return out
    }

    public func backward(_ outputGradient: Matrix) -> Matrix {
        var delta = outputGradient
        activation.backward(input: activation.derivativeNeedsInput ? cachedPreActivation : cachedOutput,
                            output: cachedOutput, gradient: &delta.storage)
        weight.gradient.withUnsafeMutableBufferPointer { dW in
            BLAS.gemm(cachedInput, transposeA: true, delta, into: dW, rows: inputWidth, columns: units)
        }
        delta.storage.withUnsafeBufferPointer { d in
            bias.gradient.withUnsafeMutableBufferPointer { s in
                vaexprs_column_sums(d.baseAddress, s.baseAddress, Int64(delta.rows), Int64(units))
            }
        }
        guard computesInputGradient else { return Matrix(rows: 0, columns: 0) }
        let w = Matrix(rows: inputWidth, columns: units, storage: weight.value)
        return BLAS.product(delta, w, transposeB: true)
    }
}
