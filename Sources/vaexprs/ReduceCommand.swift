import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs reduce`: embed cells with a registered reducer (scater's `run<Method>`).
struct ReduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduce",
        abstract: "Embed cells in a few dimensions with a registered reducer (pca, mds, tsne, umap, nmf, diffmap).")

    @Option(help: "Reducer: pca, mds, tsne, umap, nmf, diffmap or a plugin's (see 'vaexprs components').")
    var method: String
    @Option(help: "Cells × genes matrix: CSV/TSV (.gz), a 10x folder, an .h5ad or a Cell Ranger .h5.")
    var input: String
    @Flag(help: "The CSV/TSV has genes in rows.")
    var genesInRows = false
    @Option(help: "Dimensions (default: 50 for pca, capped by the data; 2 otherwise).")
    var components: Int?
    @Option(help: "Reducer option as key=value (repeatable), e.g. 'solver=exact', 'perplexity=30', 'neighbors=30'.")
    var option: [String] = []
    @Option(help: "Use the N features of largest variance (scater's default 500); 0 for all.")
    var topGenes = 500
    @Option(
        help:
            """
            none, lognorm (scater logNormCounts: log2(x / size factor + 1)) or auto (lognorm when the cells are \
            counts), before selecting and embedding.
            """
    )
    var normalize = "none"
    @Option(help: "Threads for numeric work.")
    var threads: Int?
    @Option(help: "Seed for randomized methods and the subsample.")
    var seed: UInt64 = 1
    @Option(
        help:
            """
            Embed at most this many cells: a seeded uniform subsample above it (default: \
            \(CellSubsample.defaultMaxCells)).
            """
    )
    var maxCells = CellSubsample.defaultMaxCells
    @Option(help: "Embedding CSV (cell,dim1,dim2,...).")
    var output: String
    @Option(help: "Also write the method's metadata (e.g. explained variance) as JSON here.")
    var metadataOutput: String?

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let registry = try plugins.registry()
        try OutputSafety.refuseOverlaps(
            inputs: [("--input", input)],
            outputs: [("--output", output), ("--metadata-output", metadataOutput)])
        // Checked before anything is read: the check exists to stop a mistyped 100000.
        try ThreadCount.check(threads)
        var request = ReductionRequest(input: input, reducer: try reducerSpec(method: method, options: option))
        guard let normalization = Normalization(rawValue: normalize) else {
            throw VAExprsError.usage(
                """
                --normalize must be one of: \(Normalization.allCases.map(\.rawValue).joined(separator: ", ")); \
                got '\(normalize)'
                """
            )
        }
        (
            request.genesInRows, request.components, request.topGenes, request.normalization, request.seed,
            request.maxCells
        ) = (genesInRows, components, topGenes, normalization, seed, maxCells)
        request.threads = threads
        for path in [output, metadataOutput].compactMap({ $0 }) { try AtomicOutput.checkDestination(path) }
        let result = try Reduction.run(request, registry: registry)
        result.notes.forEach { printNotice($0, command: "reduce") }
        let outputs = AtomicOutput()
        try outputs.stage(text: result.csv, at: output)
        if let metadataOutput { try outputs.stage(try result.metadataJSON(), at: metadataOutput) }
        try outputs.commit()
        print(
            """
            wrote \(output) (\(result.cellIDs.count) cells × \(result.embedding.coordinates.columns) dimensions, \
            \(result.method) on \(result.features) features)
            """
        )
    }
}
