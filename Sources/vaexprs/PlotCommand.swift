import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs plot`: the original's `plot_aug` and `plot_vae`, and the loss history.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract:
            "Plot real vs generated cells (aug), a model's architecture (model) or its training history (history).",
        subcommands: [PlotAugCommand.self, PlotModelCommand.self, PlotHistoryCommand.self])
}

/// Where a figure goes and through which renderer.
struct FigureOutputOptions: ParsableArguments {
    @Option(
        help:
            """
            Output file; its extension picks the renderer (svg, png, pdf, html, txt). Omit with --format terminal \
            to print.
            """
    )
    var output: String?
    @Option(help: "Renderer: svg, png, pdf, html, terminal or a plugin's, with options (e.g. png:scale=3).")
    var format: String?
    @Option(
        help:
            """
            Figure width in points (1/72 inch); for the terminal renderer, in characters (default: the terminal's \
            width).
            """
    )
    var width: Double?
    @Option(help: "Figure height in points; for the terminal renderer, in lines.")
    var height: Double?

    /// The renderer for `--format` or the output's extension, and the figure's size in points
    /// (nil: the plot's default). Sizes are checked first: the terminal renderer counts them in
    /// characters and takes them as its options instead.
    func renderer(_ registry: Registry) throws -> (renderer: ComponentSpec, width: Double?, height: Double?) {
        var format = try self.format.map { try ComponentSpec.parseItem($0, source: "--format") }
        if format == nil, let output,
            try FigureRendering.rendererName(forFile: output, registry: registry) == "terminal"
        {
            format = ComponentSpec(name: "terminal")
        }
        let terminal = format?.name == "terminal"
        try FigureRendering.checkSize(width: width, height: height, terminal: terminal)
        if var spec = format {
            spec.source = "--format \(spec.name)"
            if terminal { spec = terminalSpec(spec) }
            format = spec
        }
        let renderer = try FigureRendering.rendererSpec(format: format, file: output, registry: registry)
        return (renderer, terminal ? nil : width, terminal ? nil : height)
    }

    /// The terminal renderer sized and coloured for where it writes, unless its options say:
    /// `--width`/`--height` in characters, else the terminal's width when printing to one
    /// (100 otherwise); colour only when printing to a terminal and `NO_COLOR` is not set.
    private func terminalSpec(_ given: ComponentSpec) -> ComponentSpec {
        var spec = given
        let printingToTerminal = output == nil && isatty(STDOUT_FILENO) == 1
        if spec.options["width"] == nil {
            if let width {
                spec.options["width"] = String(Int(width))
            } else if printingToTerminal, let columns = Self.terminalColumns() {
                spec.options["width"] = String(min(max(columns, 20), TerminalRenderer.maximumSide))
            }
        }
        if spec.options["height"] == nil, let height { spec.options["height"] = String(Int(height)) }
        if spec.options["color"] == nil {
            let noColour = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            spec.options["color"] = printingToTerminal && !noColour ? "true" : "false"
        }
        return spec
    }

    /// The width of the terminal on standard output, in characters.
    private static func terminalColumns() -> Int? {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init)
    }

    /// Checks the destination before any work.
    func checkDestination() throws {
        if let output { try AtomicOutput.checkDestination(output) }
    }

    /// Writes (atomically) or prints the rendered figure.
    func write(_ bytes: [UInt8], extra: [(String, String)] = []) throws {
        let outputs = AtomicOutput()
        for (path, text) in extra { try outputs.stage(text: text, at: path) }
        if let output {
            try outputs.stage(bytes, at: output)
            try outputs.commit()
            print("wrote \(output)")
        } else {
            try outputs.commit()
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}

/// `vaexprs plot aug` (= `plot_aug`).
struct PlotAugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aug",
        abstract:
            "Real and generated cells embedded together (pca, mds, tsne, umap, nmf, diffmap or a plugin's reducer).")

    @OptionGroup var cells: RealGeneratedOptions
    @Option(help: "Reducer: pca, mds, tsne, umap, nmf, diffmap or a plugin's.")
    var method = "pca"
    @Option(help: "Reducer option as key=value (repeatable).")
    var option: [String] = []
    @Option(
        help: "auto (log-normalise only counts), lognorm (scater's logNormCounts: log2(x / size factor + 1)) or none.")
    var normalize = "auto"
    @Option(help: "Features of largest variance used (scater's 500); 0 for all.")
    var topGenes = 500
    @Option(help: "Colour by origin or label (shapes always show labels, fill always shows origin).")
    var colorBy = "origin"
    @Option(help: "Also write the coordinates here (cell,dim1,dim2,...).")
    var embeddingOutput: String?
    @Option(help: "Seed for randomized reducers.")
    var seed: UInt64 = 1
    @Option(help: "Threads for numeric work.")
    var threads: Int?
    @OptionGroup var figure: FigureOutputOptions
    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let registry = try plugins.registry()
        let (renderer, width, height) = try figure.renderer(registry)
        guard let colourBy = AugmentationFigure.ColourBy(rawValue: colorBy) else {
            throw VAExprsError.usage("--color-by must be origin or label, got '\(colorBy)'")
        }
        var request = AugmentationPlotRequest(
            sources: cells.sources(seed: seed), reducer: try reducerSpec(method: method, options: option),
            normalization: try Normalization.parse(normalize, option: "--normalize"),
            topGenes: topGenes, colourBy: colourBy, width: width ?? 720, height: height ?? 520,
            renderer: renderer)
        try ThreadCount.check(threads)
        request.threads = threads
        try OutputSafety.refuseOverlaps(
            inputs: cells.inputs,
            outputs: [("--output", figure.output), ("--embedding-output", embeddingOutput)])
        try figure.checkDestination()
        if let embeddingOutput { try AtomicOutput.checkDestination(embeddingOutput) }
        let result = try AugmentationPlot.run(request, registry: registry)
        result.notes.forEach { printNotice($0, command: "plot aug") }
        try figure.write(result.rendered.bytes!, extra: embeddingOutput.map { [($0, result.embeddingCSV)] } ?? [])
    }
}

/// `vaexprs plot model` (= `plot_vae`).
struct PlotModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "A model's architecture as a Graphviz graph (dot source, svg, png or pdf).")

    @Argument(help: "Model file written by 'vaexprs fit'.")
    var model: String
    @Option(help: "Output file (.dot, .gv, .svg, .png, .pdf).")
    var output: String
    @Option(help: "dot, svg, png or pdf (default: from the extension).")
    var format: String?
    @Option(
        help:
            """
            Node colour by part, e.g. encoder=#ff6347 (parts: encoder, mean, stddev, latent, decoder, condition); \
            repeatable.
            """
    )
    var color: [String] = []
    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let chosen = try ModelFigures.architectureFormat(file: output, format: format)
        let colours = try ArchitectureGraph.colours(overrides: color)
        try OutputSafety.refuseOverlaps(inputs: [("the model", model)], outputs: [("--output", output)])
        try AtomicOutput.checkDestination(output)
        let registry = try plugins.registry()
        let trained = try TrainedModel.load(model, registry: registry)
        let graph = try ModelFigures.architecture(
            trained, name: (model as NSString).lastPathComponent, format: chosen, colours: colours)
        let outputs = AtomicOutput()
        try outputs.stage(graph.bytes, at: output)
        try outputs.commit()
        print("wrote \(output)")
    }
}

/// `vaexprs plot history`.
struct PlotHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Loss, reconstruction and KL per epoch (training and validation), restored epoch marked.")

    @Argument(help: "Model file written by 'vaexprs fit'.")
    var model: String
    @OptionGroup var figure: FigureOutputOptions
    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let registry = try plugins.registry()
        let (renderer, width, height) = try figure.renderer(registry)
        try OutputSafety.refuseOverlaps(inputs: [("the model", model)], outputs: [("--output", figure.output)])
        try figure.checkDestination()
        let trained = try TrainedModel.load(model, registry: registry)
        let history = try ModelFigures.history(
            trained, name: model, width: width ?? 1080, height: height ?? 380,
            renderer: try registry.makeRenderer(renderer))
        try figure.write(history.bytes!)
    }
}
