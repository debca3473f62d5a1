import VAExprsCore

/// `svg`: standalone SVG 1.1, written in pure Swift. Spec: `svg`.
package struct SVGRenderer: Renderer {
    package let spec: ComponentSpec
    package var fileExtensions: [String] { ["svg"] }

    /// The renderer.
    package init(spec: ComponentSpec) { self.spec = spec }

    package func render(_ figure: Figure) throws -> [UInt8] {
        SVGDocument.write(SceneLayout.layout(figure))
    }
}
