import Foundation

/// `plot aug` (the original's `plot_aug`) as one library call: real and generated cells read,
/// normalised together, embedded by a reducer and drawn.
public struct AugmentationPlotRequest {
    /// The cells and their labels.
    public var sources: AugmentationPlot.Sources
    /// The reducer, e.g. `pca` or `umap:neighbors=30`.
    public var reducer: ComponentSpec
    /// How the cells are normalised before embedding (the rule `evaluate` uses).
    public var normalization: Normalization
    /// Features of largest variance used (scater's 500); 0 for all.
    public var topGenes: Int
    /// What the colours show (shapes always show labels, fill always shows origin).
    public var colourBy: AugmentationFigure.ColourBy
    /// Figure width in points.
    public var width: Double
    /// Figure height in points.
    public var height: Double
    /// The renderer that draws the figure (e.g. `png`, `svg`, `html`); nil: the figure only.
    public var renderer: ComponentSpec?
    /// Threads of numeric work for this call (nil: the default; restored after).
    public var threads: Int?

    /// A request with `plot aug`'s defaults for everything but the cells.
    public init(
        sources: AugmentationPlot.Sources, reducer: ComponentSpec = ComponentSpec(name: "pca"),
        normalization: Normalization = .auto, topGenes: Int = 500, colourBy: AugmentationFigure.ColourBy = .origin,
        width: Double = 720, height: Double = 520, renderer: ComponentSpec? = nil
    ) {
        self.sources = sources
        self.reducer = reducer
        self.normalization = normalization
        self.topGenes = topGenes
        self.colourBy = colourBy
        self.width = width
        self.height = height
        self.renderer = renderer
    }
}

/// What `AugmentationPlot.run` made.
public struct AugmentationPlotResult {
    /// The figure, and its file when a renderer was given.
    public var rendered: RenderedFigure
    /// The cells drawn (real first).
    public var cells: [AugmentationFigure.Cell]
    /// Their joint embedding, row-aligned with `cells`.
    public var embedding: Embedding
    /// What was done along the way, for the user: subsamples, gene subsets, normalisation, label gaps.
    public var notes: [Notice]

    /// The embedding as CSV (`cell,dim1,dim2,...`).
    public var embeddingCSV: String { Reduction.csv(embedding, cellIDs: cells.map(\.id)) }
}

extension AugmentationPlot.Input {
    /// Lines for the user about how the files were read: a gene subset compared, subsamples.
    package func notes(_ sources: AugmentationPlot.Sources) -> [Notice] {
        var notes: [Notice] = []
        if let before = realGenesBeforeSelection {
            notes.append(
                Notice(
                    """
                    \(sources.generated) has \(generated.geneNames.count) of the \(before) genes of \
                    \(sources.real) (a model fitted on selected genes): comparing on those genes
                    """
                ))
        }
        for (path, kept, total) in [
            (sources.real, real.cellCount, realTotal), (sources.generated, generated.cellCount, generatedTotal)
        ] where kept < total {
            notes.append(CellSubsample.notice(path: path, kept: kept, total: total))
        }
        return notes
    }
}

extension AugmentationPlot {
    /// Reads, embeds and draws the cells of `request`, rendering the figure when it names a
    /// renderer.
    /// - Throws: `VAExprsError` naming the file or parameter at fault.
    public static func run(_ request: AugmentationPlotRequest, registry: Registry) throws -> AugmentationPlotResult {
        let reducer = try registry.makeReducer(request.reducer)
        let renderer = try request.renderer.map(registry.makeRenderer)
        return try ThreadCount.using(request.threads) {
            try draw(try load(request.sources), reducer: reducer, request: request, renderer: renderer)
        }
    }

    /// The same for cells already read with `load(request.sources)`, so several figures (or
    /// a figure and an evaluation) of one pair of files read them once.
    package static func run(_ input: Input, request: AugmentationPlotRequest, registry: Registry) throws
        -> AugmentationPlotResult
    {
        let reducer = try registry.makeReducer(request.reducer)
        let renderer = try request.renderer.map(registry.makeRenderer)
        return try ThreadCount.using(request.threads) {
            try draw(input, reducer: reducer, request: request, renderer: renderer)
        }
    }

    private static func draw(
        _ input: Input, reducer: any Reducer, request: AugmentationPlotRequest,
        renderer: (any Renderer)?
    ) throws -> AugmentationPlotResult {
        var notes = input.notes(request.sources)
        if (input.realLabels == nil) != (input.generatedLabels == nil) {
            let (has, lacks, missing) =
                input.realLabels != nil ? ("real", "generated", "generatedLabels") : ("generated", "real", "realLabels")
            notes.append(
                Notice(
                    """
                    warning: the \(has) cells have labels but the \(lacks) cells have none; they are drawn as \
                    '\(AugmentationFigure.unlabelled)' (give \(parameter: missing), or an .h5ad with the obs \
                    column \(parameter: "labelColumn") names)
                    """
                ))
        }
        notes.append(
            Notice(
                "normalisation: "
                    + request.normalization.statement(
                        logNormalized: request.normalization.logNormalizes(real: input.real),
                        method: "log-normalised as scater's logNormCounts")))
        var rng = SeededGenerator(seed: request.sources.seed)
        let (cells, embedding) = try embed(
            input, reducer: reducer, components: 2, topGenes: request.topGenes,
            normalization: request.normalization, rng: &rng)
        let figure = AugmentationFigure.make(
            cells: cells, coordinates: embedding.coordinates, axisTitles: embedding.axisTitles,
            method: request.reducer.name, colourBy: request.colourBy,
            width: request.width, height: request.height, seed: request.sources.seed)
        return AugmentationPlotResult(
            rendered: try RenderedFigure(figure, renderer: renderer), cells: cells, embedding: embedding,
            notes: notes)
    }
}
