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
        var out = Matrix(rows: input.rows, columns: units)
        BLAS.gemm(input, w, into: &out)
        let b = bias.value
        out.storage.withUnsafeMutableBufferPointer { o in
            b.withUnsafeBufferPointer { b in
                for r in 0..<input.rows {
                    let base = r * units
                    for j in 0..<units { o[base + j] += b[j] }
                }
            }
        }
        if phase == .training {
            cachedInput = input
            cachedPreActivation = out.storage
        }
        activation.apply(&out.storage)
        if phase == .training { cachedOutput = out.storage }
        return out
    }

    public func backward(_ outputGradient: Matrix) -> Matrix {
        var delta = outputGradient
        activation.backward(input: cachedPreActivation, output: cachedOutput, gradient: &delta.storage)
        var dW = Matrix(rows: inputWidth, columns: units)
        BLAS.gemm(cachedInput, transposeA: true, delta, into: &dW)
        weight.gradient = dW.storage
        bias.gradient = delta.columnSums()
        guard computesInputGradient else { return Matrix(rows: 0, columns: 0) }
        let w = Matrix(rows: inputWidth, columns: units, storage: weight.value)
        return BLAS.product(delta, w, transposeB: true)
    }
}
