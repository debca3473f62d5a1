import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs plot`: the original's `plot_aug` and `plot_vae`, and the loss history.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Plot real vs generated cells (aug), a model's architecture (model) or its training history (history).",
        subcommands: [PlotAugCommand.self, PlotModelCommand.self, PlotHistoryCommand.self])
}

/// Where a figure goes and through which renderer.
struct FigureOutputOptions: ParsableArguments {
    @Option(help: "Output file; its extension picks the renderer (svg, png, pdf, html, txt). Omit with --format terminal to print.")
    var output: String?
    @Option(help: "Renderer: svg, png, pdf, html, terminal or a plugin's, with options (e.g. png:scale=3).")
    var format: String?
    @Option(help: "Figure width in points (1/72 inch); for the terminal renderer, in characters (default: the terminal's width).")
    var width: Double?
    @Option(help: "Figure height in points; for the terminal renderer, in lines.")
    var height: Double?

    /// The built-in renderer of each output extension.
    static let rendererOfExtension = ["svg": "svg", "png": "png", "pdf": "pdf", "html": "html", "htm": "html", "txt": "terminal"]

    /// The renderer for the format or the output's extension (sizes checked first: the
    /// terminal renderer takes them as options).
    func renderer(_ registry: Registry) throws -> any Renderer {
        try checkSizes()
        let name: String
        if let format {
            name = format
        } else if let output {
            let ext = (output as NSString).pathExtension.lowercased()
            guard !ext.isEmpty else { throw VAExprsError.usage("--output \(output) has no extension; give --format (svg, png, pdf, html, terminal)") }
            if let known = Self.rendererOfExtension[ext] {
                name = known
            } else if let plugin = try pluginRenderer(for: output, registry) {
                name = plugin
            } else {
                throw VAExprsError.usage("--output \(output): unknown extension '.\(ext)'; use .svg, .png, .pdf, .html or .txt (or a plugin renderer's), or give --format")
            }
        } else {
            throw VAExprsError.usage("give --output FILE (or --format terminal to print to the terminal)")
        }
        var spec = try ComponentSpec.parseItem(name, source: "--format")
        spec.source = "--format \(spec.name)"
        if spec.name == "terminal" { spec = terminalSpec(spec) }
        let renderer = try registry.makeRenderer(spec)
        // An explicit --format must agree with the output's extension (PNG bytes in an .svg
        // would open nowhere).
        if format != nil, let output, !(output as NSString).pathExtension.isEmpty, !renderer.fileExtensions.isEmpty,
           !renderer.fileExtensions.contains(where: { output.lowercased().hasSuffix("." + $0) }) {
            throw VAExprsError.usage("--format \(spec.name) writes .\(renderer.fileExtensions.joined(separator: " or .")) files, but --output is \(output); change one of them")
        }
        return renderer
    }

    /// The terminal renderer sized and coloured for where it writes, unless its options say:
    /// `--width`/`--height` in characters, else the terminal's width when printing to one
    /// (100 otherwise); colour only when printing to a terminal and `NO_COLOR` is not set.
    private func terminalSpec(_ given: ComponentSpec) -> ComponentSpec {
        var spec = given
        let printingToTerminal = output == nil && isatty(STDOUT_FILENO) == 1
        if spec.options["width"] == nil {
            if let width { spec.options["width"] = String(Int(width)) }
            else if printingToTerminal, let columns = Self.terminalColumns() { spec.options["width"] = String(min(max(columns, 20), TerminalRenderer.maximumSide)) }
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

    /// A plugin renderer whose file extensions (e.g. `vl.json`) end the output's name.
    private func pluginRenderer(for output: String, _ registry: Registry) throws -> String? {
        let lower = output.lowercased()
        for entry in registry.entriesSorted where entry.kind == .renderer && entry.plugin != nil {
            let renderer = try registry.makeRenderer(ComponentSpec(name: entry.name))
            if renderer.fileExtensions.contains(where: { lower.hasSuffix("." + $0) }) { return entry.name }
        }
        return nil
    }

    /// The largest page side in points: the PDF format's own limit (200 inches).
    static let maximumSide = 14_400.0
    /// The smallest (one inch: axes, legend and labels need room).
    static let minimumSide = 72.0

    /// The figure's size in points (nil: the plot's default); the terminal renderer's sizes
    /// are characters and go to it instead.
    var figureWidth: Double? { isTerminal ? nil : width }
    var figureHeight: Double? { isTerminal ? nil : height }

    /// True when the figure goes to the terminal renderer (whose sizes are characters).
    var isTerminal: Bool {
        let ext = output.map { ($0 as NSString).pathExtension.lowercased() } ?? ""
        return (format ?? Self.rendererOfExtension[ext] ?? "").hasPrefix("terminal")
    }

    /// Checks `--width` and `--height`: points for figures, characters for the terminal.
    private func checkSizes() throws {
        for (option, value, smallest) in [("--width", width, 20.0), ("--height", height, 5.0)] {
            guard let value else { continue }
            if isTerminal {
                guard value.isFinite, value >= smallest, value <= Double(TerminalRenderer.maximumSide) else {
                    throw VAExprsError.usage("\(option) \(value): the terminal renderer counts characters, from \(Int(smallest)) to \(TerminalRenderer.maximumSide)")
                }
            } else {
                guard value.isFinite, value >= Self.minimumSide, value <= Self.maximumSide else {
                    throw VAExprsError.usage("\(option) \(value) is outside \(Int(Self.minimumSide))…\(Int(Self.maximumSide)) points (1 to 200 inches, the largest page PDF allows)")
                }
            }
        }
    }

    /// Checks the size and the destination before any work.
    func checkBeforeWork() throws {
        try checkSizes()
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
        abstract: "Real and generated cells embedded together (pca, mds, tsne, umap, nmf, diffmap or a plugin's reducer).")

    @OptionGroup var cells: RealGeneratedOptions
    @Option(help: "Reducer: pca, mds, tsne, umap, nmf, diffmap or a plugin's.")
    var method = "pca"
    @Option(help: "Reducer option as key=value (repeatable).")
    var option: [String] = []
    @Option(help: "auto (log-normalise only counts), lognorm or none.")
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
        let renderer = try figure.renderer(registry)
        let spec = try reducerSpec(method: method, options: option)
        let reducer = try registry.makeReducer(spec)
        let normalization = try ComparisonNormalization.parse(normalize, option: "--normalize")
        guard let colourBy = AugmentationFigure.ColourBy(rawValue: colorBy) else {
            throw VAExprsError.usage("--color-by must be origin or label, got '\(colorBy)'")
        }
        try checkThreadCount(threads)
        BLAS.setThreads(threads ?? defaultThreadCount)
        try OutputSafety.refuseOverlaps(inputs: cells.inputs,
                                        outputs: [("--output", figure.output), ("--embedding-output", embeddingOutput)])
        try figure.checkBeforeWork()
        if let embeddingOutput { try AtomicOutput.checkDestination(embeddingOutput) }
        let input = try cells.load(seed: seed)
        if (input.realLabels == nil) != (input.generatedLabels == nil) {
            let (has, lacks, option) = input.realLabels != nil ? ("real", "generated", "--generated-labels") : ("generated", "real", "--labels")
            printError("plot aug: warning: the \(has) cells have labels but the \(lacks) cells have none; they are drawn as '\(AugmentationFigure.unlabelled)' (give \(option), or an .h5ad with the obs column --label-column names)")
        }
        printError("plot aug: normalisation: " + normalization.statement(logNormalized: normalization.logNormalizes(real: input.real),
                                                                          method: "log-normalised as scater's logNormCounts"))
        var rng = SeededGenerator(seed: seed)
        let (embedded, embedding) = try AugmentationPlot.embed(input, reducer: reducer, components: 2, topGenes: topGenes,
                                                               normalization: normalization, rng: &rng)
        let plot = AugmentationFigure.make(cells: embedded, coordinates: embedding.coordinates, axisTitles: embedding.axisTitles, method: spec.name,
                                           colourBy: colourBy, width: figure.figureWidth ?? 720, height: figure.figureHeight ?? 520, seed: seed)
        let extra = embeddingOutput.map { [($0, EmbeddingPipeline.csv(embedding, cellIDs: embedded.map(\.id)))] } ?? []
        try figure.write(try renderer.render(plot), extra: extra)
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
    @Option(help: "Node colour by part, e.g. encoder=#ff6347 (parts: encoder, mean, stddev, latent, decoder, condition); repeatable.")
    var color: [String] = []
    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let ext = (output as NSString).pathExtension.lowercased()
        let chosen = format ?? (ext == "gv" ? "dot" : ext)
        guard (["dot"] + GraphvizLayout.formats).contains(chosen) else {
            throw VAExprsError.usage("--format: plot model writes dot, svg, png or pdf, not '\(chosen)'")
        }
        if let format, !ext.isEmpty, ext != format, !(format == "dot" && ext == "gv") {
            throw VAExprsError.usage("--format \(format) disagrees with the extension of --output \(output); change one of them")
        }
        let colours = try ArchitectureGraph.colours(overrides: color)
        try OutputSafety.refuseOverlaps(inputs: [("the model", model)], outputs: [("--output", output)])
        try AtomicOutput.checkDestination(output)
        let registry = try plugins.registry()
        let trained = try TrainedModel.load(model, registry: registry)
        let name = (model as NSString).lastPathComponent
        let kind = trained.conditions == nil ? "VAE" : "conditional VAE"
        let dot = ArchitectureGraph.dot(trained.network.architecture, title: "\(name): \(kind), \(trained.geneNames.count) genes",
                                         colours: colours, dpi: chosen == "png" ? 192 : nil)
        let bytes = chosen == "dot" ? Array(dot.utf8) : try GraphvizLayout.render(dot: dot, format: chosen)
        let outputs = AtomicOutput()
        try outputs.stage(bytes, at: output)
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
        let renderer = try figure.renderer(registry)
        try OutputSafety.refuseOverlaps(inputs: [("the model", model)], outputs: [("--output", figure.output)])
        try figure.checkBeforeWork()
        let trained = try TrainedModel.load(model, registry: registry)
        guard !trained.history.epochs.isEmpty else { throw VAExprsError.badData("\(model): the model has no training history to plot") }
        let plot = HistoryFigure.make(trained.history, width: figure.figureWidth ?? 1080, height: figure.figureHeight ?? 380)
        try figure.write(try renderer.render(plot))
    }
}
