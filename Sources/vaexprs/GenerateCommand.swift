import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs generate` (= `gen_exprs`).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Generate synthetic cells from a fitted model.")

    @Argument(help: "Model file written by 'vaexprs fit'.")
    var model: String
    @Option(help: "Number of cells (a CVAE draws their labels with the training proportions).")
    var numSamples: Int?
    @Option(
        help:
            """
            Latent sampler fitted to the training cells' latent means: mclust (Gaussian mixture chosen by BIC, as \
            the original; options as 'mclust:components=1..5:models=VVV,EEE'), normal (one Gaussian) or prior.
            """
    )
    var sampler = "mclust"
    @Option(
        help:
            """
            Exact counts per label for a CVAE, e.g. 'T cell=100,B cell=50' (several label columns: 'T \
            cell|batch1=100').
            """
    )
    var perLabel: String?
    @Option(
        help:
            """
            sample (a draw from the likelihood: whole counts for nb, zinb and poisson; the default except for \
            bernoulli) or mean (the decoder mean: expected counts for the count likelihoods; the original's, and \
            the default for bernoulli).
            """
    )
    var decode: String?
    @Option(
        help:
            """
            Library sizes of generated cells for a count likelihood, drawn per label from the training cells: \
            lognormal (the default: a log-normal fitted to their log totals) or empirical (a random training \
            cell's total).
            """
    )
    var library: String?
    @Flag(
        help:
            """
            Write counts when the model was fitted on log-normalised counts (recovered by fit), whose scale it \
            otherwise gives back.
            """
    )
    var asCounts = false

    @Flag(
        help:
            """
            Draw from the decoder's means as they are, without the per-label offsets fit stored (they bring each \
            label's generated gene means to its training cells'; models from before 0.11 have none).
            """
    )
    var noOutputOffsets = false
    @Flag(
        help:
            """
            Draw latent points as the label's mixture gives them, without pulling them towards the label's centre \
            by the factor fit chose on its validation cells (models fitted without validation cells, or before 0.13, \
            have none).
            """
    )
    var noLatentShrinkage = false
    @Option(help: "Seed of every draw.")
    var seed: UInt64 = 1
    @Option(
        help:
            """
            Output matrix, written a block of cells at a time: .h5ad (AnnData: X as CSR integer counts or dense \
            floats, labels in obs, latent points in obsm['X_vaexprs']), .h5 (Cell Ranger's feature-barcode \
            matrix, counts), a folder path (no extension or ending in /: a 10x Matrix Market folder, counts), \
            else CSV (TSV for .tsv; gzipped when it ends in .gz).
            """
    )
    var output: String
    @Option(help: "Output format when the extension does not say it: csv, h5ad, 10x-h5 or mtx.")
    var format: String?
    @Flag(
        help:
            """
            CSV only: write genes in rows and cells in columns (the transposed layout, as 'fit --genes-in-rows' \
            reads; held in memory).
            """
    )
    var genesInRows = false
    @Option(
        help:
            """
            Labels of the generated cells (CVAE) as CSV; default: <output>_labels.csv, except for .h5ad output, \
            whose obs holds them.
            """
    )
    var labelsOutput: String?
    @Option(help: "Also write the training cells' latent means here.")
    var latentOutput: String?
    @Option(
        help:
            """
            After generating, print the realism summary against these real cells (e.g. the training matrix: its \
            cells that did not train the model, such as validation cells, measure copying); a CVAE's labels come \
            from the model. At most 10 000 generated cells, spread evenly over the output, are compared.
            """
    )
    var evaluate: String?
    @Option(
        help:
            """
            For --evaluate: auto (log-normalise when the real cells are whole counts, else the values as given), \
            lognorm or none; as 'vaexprs evaluate --normalize'.
            """
    )
    var normalize = "auto"

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let registry = try plugins.registry()
        let outputFormat = try CellOutputFormat.of(path: output, option: format)
        try AtomicOutput.checkDestination(output, folder: outputFormat == .mtx)
        for path in [labelsOutput, latentOutput].compactMap({ $0 }) { try AtomicOutput.checkDestination(path) }
        let normalization = try Normalization.parse(normalize, option: "--normalize")
        let samplerSpec = try ComponentSpec.parseItem(sampler, source: "--sampler")
        _ = try registry.makeLatentSampler(samplerSpec)
        var mode: DecodeMode? = nil
        if let decode {
            guard let m = DecodeMode(rawValue: decode) else {
                throw VAExprsError.usage("--decode must be 'sample' or 'mean', got '\(decode)'")
            }
            mode = m
        }
        let libraryModel = try library.map { name in
            guard let model = LibrarySizeModel(rawValue: name) else {
                throw VAExprsError.usage(
                    """
                    --library must be one of: \
                    \(LibrarySizeModel.allCases.map(\.rawValue).joined(separator: ", ")); got '\(name)'
                    """
                )
            }
            return model
        }
        let perLabelCounts = try perLabel.map(GenerationRequest.parsePerLabel)
        let trained = try TrainedModel.load(model, registry: registry)
        var request = GenerationRequest(
            modelPath: model,
            options: GenerationOptions(
                count: numSamples ?? 0, sampler: samplerSpec, perLabel: perLabelCounts,
                decode: mode, seed: seed, library: libraryModel),
            output: output, format: outputFormat)
        request.options.asCounts = asCounts
        request.options.addsOutputOffsets = !noOutputOffsets
        request.options.shrinksLatent = !noLatentShrinkage
        request.genesInRows = genesInRows
        request.labelsOutput = labelsOutput
        request.latentOutput = latentOutput
        request.evaluationReference = evaluate
        request.normalization = normalization
        let labelsPath = request.labelsPath(for: trained)
        // Before any cell is drawn; with the labels path that will really be written.
        try OutputSafety.refuseOverlaps(
            inputs: [("the model", model), ("--evaluate", evaluate)],
            outputs: [
                ("--output", output), (labelsOutput == nil ? "the default labels file" : "--labels-output", labelsPath),
                ("--latent-output", latentOutput)
            ])
        let result = try Generation.run(request, registry: registry, model: trained)
        result.notes.forEach { printNotice($0, command: "generate") }
        for line in result.samplerSummaries { printError("latent sampler: \(line)") }
        var written = ["\(output) (\(result.cells) cells × \(trained.geneNames.count) genes, \(outputFormat.rawValue))"]
        if trained.conditions != nil, let labelsPath = result.labelsPath { written.append(labelsPath) }
        if let latentOutput { written.append(latentOutput) }
        print("wrote " + written.joined(separator: ", "))
        if let evaluation = result.evaluation { print(RealismReportOutput.summary(evaluation), terminator: "") }
    }
}
