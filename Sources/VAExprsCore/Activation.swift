/// An element-wise activation function with its derivative, applied to whole arrays.
public protocol Activation: Sendable {
    /// The registered name (e.g. `relu`).
    var name: String { get }
    /// Replaces every value by f(value).
    func apply(_ values: inout [Float])
    /// Multiplies `gradient` in place by f'(x), given the inputs `x` and outputs `y = f(x)`.
    func backward(input x: [Float], output y: [Float], gradient: inout [Float])
    /// False when `backward` reads only the outputs (then layers need not keep the inputs,
    /// and may pass the outputs as `input`).
    var derivativeNeedsInput: Bool { get }
}

extension Activation {
    /// Most activations need their inputs for the derivative.
    public var derivativeNeedsInput: Bool { true }
}
