import CGraphviz
import Synchronization
import VAExprsCore

/// Lays out DOT with Graphviz's `dot` engine (libgvc) and renders it to svg, png or pdf.
package enum GraphvizLayout {
    /// Output formats Graphviz renders for `plot model`.
    package static let formats = ["svg", "png", "pdf"]

    /// libgvc keeps global state; one render at a time.
    private static let lock = Mutex(())

    /// The rendered bytes of `dot` in `format`.
    package static func render(dot: String, format: String) throws -> [UInt8] {
        guard formats.contains(format) else {
            throw VAExprsError.usage(
                """
                \(parameter: "format"): Graphviz renders \(formats.joined(separator: ", ")) (or use dot), not \
                '\(format)'
                """
            )
        }
        return try lock.withLock { _ in
            guard let context = gvContext() else { throw VAExprsError(.other, "Graphviz: could not create a context") }
            defer { gvFreeContext(context) }
            guard let graph = agmemread(dot) else {
                throw VAExprsError(.other, "Graphviz: could not parse the generated DOT")
            }
            defer { agclose(graph) }
            guard gvLayout(context, graph, "dot") == 0 else {
                throw VAExprsError(.other, "Graphviz: dot layout failed")
            }
            defer { gvFreeLayout(context, graph) }
            var data: UnsafeMutablePointer<CChar>?
            var length: UInt32 = 0
            guard
                gvRenderData(
                    context, graph, format == "png" ? "png:cairo" : (format == "pdf" ? "pdf:cairo" : "svg"), &data,
                    &length) == 0,
                let data
            else {
                throw VAExprsError(
                    .other, "Graphviz could not render \(format) (is the libgvc6 cairo plugin installed?)")
            }
            defer { gvFreeRenderData(data) }
            return data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
                Array(UnsafeBufferPointer(start: $0, count: Int(length)))
            }
        }
    }
}
