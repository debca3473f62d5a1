import VAExprsCore

/// Registers this module's renderers.
package enum RendererBuiltins {
    /// The origin string shown for these components.
    package static let origin = "built-in (VAExprsRenderers)"

    /// Registers `svg`, `png`, `pdf`, `html` and `terminal` through `registry.register`, the call plugins use.
    package static func register(into registry: Registry) throws {
        try registry.register(
            .renderer { SVGRenderer(spec: $0) }, name: "svg", origin: origin, facts: .renderer(["svg"]))
        try registry.register(
            .renderer { try CairoRenderer(spec: $0, format: .png) }, name: "png", origin: origin,
            facts: .renderer(["png"]))
        try registry.register(
            .renderer { try CairoRenderer(spec: $0, format: .pdf) }, name: "pdf", origin: origin,
            facts: .renderer(["pdf"]))
        try registry.register(
            .renderer { HTMLRenderer(spec: $0) }, name: "html", origin: origin, facts: .renderer(["html", "htm"]))
        try registry.register(
            .renderer { try TerminalRenderer(spec: $0) }, name: "terminal", origin: origin, facts: .renderer(["txt"]))
    }
}
