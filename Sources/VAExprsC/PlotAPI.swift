import CVAExprsAPI
import Foundation
import VAExprs

/// Hands rendered bytes to the host.
private func deliver(
    _ data: [UInt8], _ bytes: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
    _ length: UnsafeMutablePointer<Int64>?
) throws {
    guard let bytes, let length else { throw usage("bytes", "or length is NULL; give where the figure goes") }
    bytes.pointee = mallocBytes(data)
    length.pointee = Int64(data.count)
}

/// plot_aug's request from a call's options (`rendered`: with format and size).
private func augmentationRequest(_ o: Options, rendered: Bool) throws -> AugmentationPlotRequest {
    var sources = AugmentationPlot.Sources(real: "real cells", generated: "generated cells")
    sources.seed = try o.seed("seed") ?? 1
    var request = AugmentationPlotRequest(
        sources: sources, reducer: try o.spec("method") ?? ComponentSpec(name: "pca"),
        normalization: try o.choice("normalization", Normalization.self) ?? .auto,
        topGenes: try o.int("topGenes") ?? 500,
        colourBy: try o.choice("colourBy", AugmentationFigure.ColourBy.self) ?? .origin)
    if rendered {
        request.width = try o.double("width") ?? 720
        request.height = try o.double("height") ?? 520
        request.renderer = try o.spec("format") ?? ComponentSpec(name: "svg")
        try FigureRendering.checkSize(width: request.width, height: request.height, terminal: false)
    }
    request.threads = try o.int("threads")
    return request
}

@_cdecl("vaexprs_embed_aug")
public func vaexprs_embed_aug(
    _ real: UnsafePointer<vaexprs_matrix>?, _ realLabels: UnsafePointer<vaexprs_labels>?,
    _ generated: UnsafePointer<vaexprs_matrix>?, _ generatedLabels: UnsafePointer<vaexprs_labels>?,
    _ optionsJSON: UnsafePointer<CChar>?, _ json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    json?.pointee = nil
    return guarded(error) {
        guard let json else { throw usage("json", "is NULL; give the address where the embedding goes") }
        let o = try Options(optionsJSON)
        let request = try augmentationRequest(o, rendered: false)
        try o.checkAllRead(call: "embed_aug")
        let input = try CellPair.read(real, realLabels, generated, generatedLabels)
        let result = try AugmentationPlot.run(input, request: request, registry: try LibraryRegistry.shared.current())
        let xy = result.embedding.coordinates
        let object: [String: Any] = [
            "x": (0..<xy.rows).map { xy[$0, 0] }, "y": (0..<xy.rows).map { xy.columns > 1 ? xy[$0, 1] : 0 },
            "generated": result.cells.map(\.generated), "label": result.cells.map { $0.label ?? "" },
            "cell": result.cells.map(\.id), "axis_titles": result.embedding.axisTitles
        ]
        let data = try JSONSerialization.data(withJSONObject: object)
        json.pointee = mallocString(String(decoding: data, as: UTF8.self))
    }
}

@_cdecl("vaexprs_plot_aug")
public func vaexprs_plot_aug(
    _ real: UnsafePointer<vaexprs_matrix>?, _ realLabels: UnsafePointer<vaexprs_labels>?,
    _ generated: UnsafePointer<vaexprs_matrix>?, _ generatedLabels: UnsafePointer<vaexprs_labels>?,
    _ optionsJSON: UnsafePointer<CChar>?, _ bytes: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
    _ length: UnsafeMutablePointer<Int64>?, _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    bytes?.pointee = nil
    return guarded(error) {
        let o = try Options(optionsJSON)
        let request = try augmentationRequest(o, rendered: true)
        try o.checkAllRead(call: "plot_aug")
        let input = try CellPair.read(real, realLabels, generated, generatedLabels)
        let result = try AugmentationPlot.run(input, request: request, registry: try LibraryRegistry.shared.current())
        try deliver(result.rendered.bytes ?? [], bytes, length)
    }
}

@_cdecl("vaexprs_plot_model")
public func vaexprs_plot_model(
    _ model: OpaquePointer?, _ optionsJSON: UnsafePointer<CChar>?,
    _ bytes: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
    _ length: UnsafeMutablePointer<Int64>?, _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    bytes?.pointee = nil
    return guarded(error) {
        guard let box = Handles.object(model, as: ModelBox.self) else { throw usage("model", "is NULL") }
        let o = try Options(optionsJSON)
        let name = try o.string("format") ?? "svg"
        let given = try o.names("colours") ?? [:]
        try o.checkAllRead(call: "plot_model")
        guard ModelFigures.architectureFormats.contains(name) else {
            throw VAExprsError.usage(
                """
                \(parameter: "format") is '\(name)'; give one of \
                \(ModelFigures.architectureFormats.joined(separator: ", "))
                """)
        }
        let colours = try ArchitectureGraph.colours(overrides: given.keys.sorted().map { "\($0)=\(given[$0]!)" })
        try deliver(
            try ModelFigures.architecture(box.model, name: "model", format: name, colours: colours).bytes, bytes, length
        )
    }
}

@_cdecl("vaexprs_plot_history")
public func vaexprs_plot_history(
    _ model: OpaquePointer?, _ format: UnsafePointer<CChar>?,
    _ bytes: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
    _ length: UnsafeMutablePointer<Int64>?, _ error: UnsafeMutablePointer<OpaquePointer?>?
) -> vaexprs_status {
    bytes?.pointee = nil
    return guarded(error) {
        guard let box = Handles.object(model, as: ModelBox.self) else { throw usage("model", "is NULL") }
        let spec = try ComponentSpec.parseItem(try Inputs.string(format, parameter: "format"), source: "format")
        let renderer = try LibraryRegistry.shared.current().makeRenderer(spec)
        let figure = try ModelFigures.history(box.model, name: "model", renderer: renderer)
        try deliver(figure.bytes ?? [], bytes, length)
    }
}
