import Foundation

/// Which renderer draws a figure, and the sizes it accepts: the renderer named by a format
/// spec, else the one whose registered file extensions end the output's name (built-ins and
/// plugins alike; the longest extension wins, a built-in before a plugin).
package enum FigureRendering {
    /// The largest page side in points: the PDF format's own limit (200 inches).
    package static let maximumSide = 14_400.0
    /// The smallest (one inch: axes, legend and labels need room).
    package static let minimumSide = 72.0

    /// The name of the registered renderer whose file extensions end `path`, nil when none does.
    package static func rendererName(forFile path: String, registry: Registry) throws -> String? {
        let lower = path.lowercased()
        var best: (name: String, length: Int, builtIn: Bool)?
        for entry in registry.entriesSorted where entry.kind == .renderer {
            for ext in entry.facts.fileExtensions where lower.hasSuffix("." + ext) {
                let builtIn = entry.plugin == nil
                if best == nil || ext.count > best!.length || (ext.count == best!.length && builtIn && !best!.builtIn) {
                    best = (entry.name, ext.count, builtIn)
                }
            }
        }
        return best?.name
    }

    /// The renderer for `format` (a spec such as `png:scale=3`), else for `file`'s extension;
    /// an explicit format must write files of `file`'s extension.
    /// - Throws: `VAExprsError.usage` naming the format or the file when neither decides or they disagree.
    package static func renderer(format: ComponentSpec?, file: String?, registry: Registry) throws -> any Renderer {
        try registry.makeRenderer(try rendererSpec(format: format, file: file, registry: registry))
    }

    /// The renderer `renderer(format:file:registry:)` makes, as a spec (checked, not built).
    package static func rendererSpec(format: ComponentSpec?, file: String?, registry: Registry) throws -> ComponentSpec
    {
        var spec: ComponentSpec
        if let format {
            spec = format
        } else if let file {
            guard !(file as NSString).pathExtension.isEmpty else {
                throw VAExprsError.usage(
                    """
                    \(parameter: "output") \(file) has no extension; give \(parameter: "format") (svg, png, pdf, \
                    html, terminal)
                    """
                )
            }
            guard let name = try rendererName(forFile: file, registry: registry) else {
                let known = try extensions(registry).map { "." + $0 }.joined(separator: ", ")
                throw VAExprsError.usage(
                    """
                    \(parameter: "output") \(file): no renderer writes '.\((file as NSString).pathExtension)' \
                    files; use one of \(known), or give \(parameter: "format")
                    """
                )
            }
            spec = ComponentSpec(name: name, source: "renderer \(name)")
        } else {
            throw VAExprsError.usage(
                "give \(parameter: "output") FILE (or \(parameter: "format") terminal to print to the terminal)")
        }
        let written = try registry.facts(.renderer, spec).fileExtensions
        if format != nil, let file, !(file as NSString).pathExtension.isEmpty, !written.isEmpty,
            !written.contains(where: { file.lowercased().hasSuffix("." + $0) })
        {
            throw VAExprsError.usage(
                """
                \(parameter: "format") \(spec.name) writes .\(written.joined(separator: " or .")) files, but \
                \(parameter: "output") is \(file); change one of them
                """
            )
        }
        return spec
    }

    /// Every extension a registered renderer writes, sorted.
    static func extensions(_ registry: Registry) throws -> [String] {
        Set(registry.entriesSorted.filter { $0.kind == .renderer }.flatMap(\.facts.fileExtensions)).sorted()
    }

    /// Checks a figure's requested size: points for figures, characters when `terminal`.
    /// - Throws: `VAExprsError.usage` naming `width` or `height`.
    package static func checkSize(width: Double?, height: Double?, terminal: Bool) throws {
        for (name, value, smallest) in [("width", width, 20.0), ("height", height, 5.0)] {
            guard let value else { continue }
            if terminal {
                guard value.isFinite, value >= smallest, value <= Double(TerminalRenderer.maximumSide) else {
                    throw VAExprsError.usage(
                        """
                        \(parameter: name) \(value): the terminal renderer counts characters, from \
                        \(Int(smallest)) to \(TerminalRenderer.maximumSide)
                        """
                    )
                }
            } else {
                guard value.isFinite, value >= minimumSide, value <= maximumSide else {
                    throw VAExprsError.usage(
                        """
                        \(parameter: name) \(value) is outside \(Int(minimumSide))…\(Int(maximumSide)) points (1 \
                        to 200 inches, the largest page PDF allows)
                        """
                    )
                }
            }
        }
    }
}

/// A figure and, when a renderer was given, the file it makes.
public struct RenderedFigure {
    /// The renderer-neutral description.
    public var figure: Figure
    /// The rendered file's bytes, when a renderer was given.
    public var bytes: [UInt8]?

    /// Renders `figure` with `renderer` when there is one.
    package init(_ figure: Figure, renderer: (any Renderer)?) throws {
        self.figure = figure
        bytes = try renderer?.render(figure)
    }
}
