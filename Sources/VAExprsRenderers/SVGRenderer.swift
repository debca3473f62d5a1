import VAExprsCore

/// `svg`: standalone SVG 1.1, written in pure Swift. Spec: `svg`.
public struct SVGRenderer: Renderer {
    public let spec: ComponentSpec
    public var fileExtensions: [String] { ["svg"] }

    /// The renderer.
    public init(spec: ComponentSpec) { self.spec = spec }

    public func render(_ figure: Figure) throws -> [UInt8] {
        SVGDocument.write(SceneLayout.layout(figure))
    }
}
