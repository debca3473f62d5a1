import Foundation
import Testing
import VAExprsCore
import VAExprsModels
import VAExprsPlots

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct ArchitectureGraphTests {
    let layers = [
        LayerSummary(name: "input", type: "input", part: .input, inputWidth: 0, outputWidth: 100, inputs: []),
        LayerSummary(
            name: "condition", type: "one-hot condition", part: .condition, inputWidth: 0, outputWidth: 3, inputs: []),
        LayerSummary(
            name: "encoder.0", type: "dense:64:relu", part: .encoder, inputWidth: 103, outputWidth: 64,
            inputs: ["input", "condition"]),
        LayerSummary(
            name: "z_mean", type: "dense:2", part: .mean, inputWidth: 64, outputWidth: 2, inputs: ["encoder.0"]),
        LayerSummary(
            name: "z_log_var", type: "dense:2", part: .stddev, inputWidth: 64, outputWidth: 2, inputs: ["encoder.0"]),
        LayerSummary(
            name: "z", type: "sampling", part: .latent, inputWidth: 2, outputWidth: 2, inputs: ["z_mean", "z_log_var"]),
        LayerSummary(
            name: "decoder.0", type: "dense:64:relu", part: .decoder, inputWidth: 5, outputWidth: 64,
            inputs: ["z", "condition"])
    ]

    @Test func dotHasARecordPerLayerAndTheDataFlow() throws {
        let dot = ArchitectureGraph.dot(layers, title: "m")
        #expect(dot.components(separatedBy: "shape=record").count == 2)  // the node default
        #expect(dot.contains("\"condition\" -> \"encoder.0\"") && dot.contains("\"condition\" -> \"decoder.0\""))
        #expect(dot.contains("input: (None, 103) | output: (None, 64)"))
        #expect(
            dot.contains("fillcolor=\"tomato\"") && dot.contains("fillcolor=\"gray\"")
                && dot.contains("fillcolor=\"lavender\""))
        let custom = ArchitectureGraph.dot(
            layers, title: "m", colours: try ArchitectureGraph.colours(overrides: ["encoder=#112233"]))
        #expect(custom.contains("fillcolor=\"#112233\"") && !custom.contains("tomato"))
        #expect(throws: VAExprsError.self) { try ArchitectureGraph.colours(overrides: ["encoderx=red"]) }
        #expect(throws: VAExprsError.self) { try ArchitectureGraph.colours(overrides: ["encoder=red;x"]) }
    }

    @Test func graphvizRendersSVGAndPNG() throws {
        let dot = ArchitectureGraph.dot(layers, title: "m")
        let svg = try GraphvizLayout.render(dot: dot, format: "svg")
        let parser = XMLParser(data: Data(svg))
        #expect(parser.parse())
        #expect(String(decoding: svg, as: UTF8.self).contains("z_log_var"))
        let png = try GraphvizLayout.render(dot: dot, format: "png")
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect(throws: VAExprsError.self) { try GraphvizLayout.render(dot: dot, format: "jpeg") }
    }
}
