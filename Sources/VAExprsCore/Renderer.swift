/// Turns a `Figure` into the bytes of one output format (SVG, PNG, PDF, HTML, terminal text...).
public protocol Renderer: Sendable {
    /// The spec that made it.
    var spec: ComponentSpec { get }
    /// File extensions this renderer writes, lower case without the dot (e.g. `["svg"]`).
    var fileExtensions: [String] { get }
    /// The rendered file.
    func render(_ figure: Figure) throws -> [UInt8]
}
