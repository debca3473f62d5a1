import Foundation

/// Writes the figure description itself, as JSON.
struct FigureJSON: Renderer {
    let spec: ComponentSpec
    var fileExtensions: [String] { ["{{NAME}}.json"] }

    func render(_ figure: Figure) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(figure))
    }
}

let component = ExportedComponent("{{NAME}}", "the figure description as JSON", .renderer { FigureJSON(spec: $0) },
                                  facts: .renderer(["{{NAME}}.json"]))
