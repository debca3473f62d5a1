import VAExprsCore

/// One node of a model's architecture as `plot model` draws it.
public struct LayerSummary: Sendable, Equatable {
    /// Which part of the VAE it belongs to.
    public enum Part: String, Sendable, CaseIterable {
        case input, condition, encoder, mean, stddev, latent, decoder, output
    }

    /// Unique node name, e.g. `encoder.0` or `z_mean`.
    public var name: String
    /// Layer type with its settings, e.g. `dense:512:relu`.
    public var type: String
    /// The part.
    public var part: Part
    /// Input width ("None" batch dimension implied), 0 for inputs.
    public var inputWidth: Int
    /// Output width.
    public var outputWidth: Int
    /// Names of the nodes feeding this one.
    public var inputs: [String]
    /// Where the component comes from (a built-in module or a plugin), if known.
    public var origin: String?

    /// A summary.
    public init(name: String, type: String, part: Part, inputWidth: Int, outputWidth: Int, inputs: [String], origin: String? = nil) {
        self.name = name
        self.type = type
        self.part = part
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
        self.inputs = inputs
        self.origin = origin
    }
}
