import VAExprsCore

/// Registers this module's renderers.
public enum RendererBuiltins {
    /// The origin string shown for these components.
    public static let origin = "built-in (VAExprsRenderers)"

    /// Registers `svg`, `png`, `pdf`, `html` and `terminal` through `registry.register`, the call plugins use.
    public static func register(into registry: Registry) throws {
        try registry.register(.renderer { SVGRenderer(spec: $0) }, name: "svg", origin: origin)
        try registry.register(.renderer { try CairoRenderer(spec: $0, format: .png) }, name: "png", origin: origin)
        try registry.register(.renderer { try CairoRenderer(spec: $0, format: .pdf) }, name: "pdf", origin: origin)
        try registry.register(.renderer { HTMLRenderer(spec: $0) }, name: "html", origin: origin)
        try registry.register(.renderer { try TerminalRenderer(spec: $0) }, name: "terminal", origin: origin)
    }
}
