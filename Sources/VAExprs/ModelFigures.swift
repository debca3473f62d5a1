import Foundation

/// The figures of a trained model: its architecture as a Graphviz graph (the original's
/// `plot_vae`) and its loss history.
public enum ModelFigures {
    /// What the architecture graph can be written as.
    package static let architectureFormats = ["dot"] + GraphvizLayout.formats

    /// The architecture graph's format: `format` if given (it must agree with `file`'s
    /// extension), else the extension's (`.gv` is dot).
    /// - Throws: `VAExprsError.usage` naming `format` or `output`.
    package static func architectureFormat(file: String, format: String?) throws -> String {
        let ext = (file as NSString).pathExtension.lowercased()
        let chosen = format ?? (ext == "gv" ? "dot" : ext)
        guard architectureFormats.contains(chosen) else {
            throw VAExprsError.usage(
                """
                \(parameter: "format"): the architecture graph is written as \
                \(architectureFormats.dropLast().joined(separator: ", ")) or \(architectureFormats.last!), not \
                '\(chosen)'
                """
            )
        }
        if let format, !ext.isEmpty, ext != format, !(format == "dot" && ext == "gv") {
            throw VAExprsError.usage(
                """
                \(parameter: "format") \(format) disagrees with the extension of \(parameter: "output") \(file); \
                change one of them
                """
            )
        }
        return chosen
    }

    /// The architecture of `model` (called `name` in the title) as Graphviz dot source and as
    /// the bytes of `format` (dot, svg, png or pdf), nodes coloured by part (`colours`: part →
    /// colour, nil for the original's colours).
    public static func architecture(
        _ model: TrainedModel, name: String, format: String,
        colours: [String: String]? = nil
    ) throws -> (dot: String, bytes: [UInt8]) {
        let colours = colours ?? ArchitectureGraph.defaultColours
        let kind = model.conditions == nil ? "VAE" : "conditional VAE"
        let dot = ArchitectureGraph.dot(
            model.network.architecture, title: "\(name): \(kind), \(model.geneNames.count) genes",
            colours: colours, dpi: format == "png" ? 192 : nil)
        return (dot, format == "dot" ? Array(dot.utf8) : try GraphvizLayout.render(dot: dot, format: format))
    }

    /// Loss, reconstruction and KL per epoch (training and validation), the restored epoch
    /// marked; rendered when a renderer is given.
    /// - Throws: `VAExprsError.badData` when the model (called `name`) has no history.
    public static func history(
        _ model: TrainedModel, name: String, width: Double = 1080, height: Double = 380,
        renderer: (any Renderer)?
    ) throws -> RenderedFigure {
        guard !model.history.epochs.isEmpty else {
            throw VAExprsError.badData("\(name): the model has no training history to plot")
        }
        return try RenderedFigure(HistoryFigure.make(model.history, width: width, height: height), renderer: renderer)
    }
}
