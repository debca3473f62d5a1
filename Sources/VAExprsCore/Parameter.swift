/// A trainable tensor with its gradient, named by its path (e.g. `encoder.0.weight`).
///
/// Layers own their parameters; optimizers update `value` from `gradient` and keep
/// their state keyed by `path`. This is the one mutation path for weights.
public final class Parameter {
    /// Unique path within a model, used as the key for optimizer state and model files.
    public var path: String
    /// Shape, outermost first (e.g. `[inputs, units]` for a dense weight).
    public let shape: [Int]
    /// Current values, row-major.
    public var value: [Float]
    /// Gradient of the loss with respect to `value`, same layout.
    public var gradient: [Float]

    /// A parameter with the given path, shape and initial values.
    public init(path: String, shape: [Int], value: [Float]) {
        precondition(value.count == shape.reduce(1, *), "parameter \(path): value count does not match shape")
        self.path = path
        self.shape = shape
        self.value = value
        self.gradient = [Float](repeating: 0, count: value.count)
    }

    /// Sets every gradient element to zero.
    public func zeroGradient() {
        for i in gradient.indices { gradient[i] = 0 }
    }
}
