import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs generate` (= `gen_exprs`).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate synthetic cells from a fitted model.")

    @Argument(help: "Model file written by 'vaexprs fit'.")
    var model: String
    @Option(help: "Number of cells (a CVAE draws their labels with the training proportions).")
    var numSamples: Int?
    @Option(help: "Latent sampler fitted to the training cells' latent means: mclust (Gaussian mixture chosen by BIC, as the original; options as 'mclust:components=1..5:models=VVV,EEE'), normal (one Gaussian) or prior.")
    var sampler = "mclust"
    @Option(help: "Exact counts per label for a CVAE, e.g. 'T cell=100,B cell=50' (several label columns: 'T cell|batch1=100').")
    var perLabel: String?
    @Option(help: "sample (a draw from the likelihood: whole counts for nb, zinb and poisson; the default except for bernoulli) or mean (the decoder mean: expected counts for the count likelihoods; the original's, and the default for bernoulli).")
    var decode: String?
    @Option(help: "Library sizes of generated cells for a count likelihood, drawn per label from the training cells: lognormal (the default: a log-normal fitted to their log totals) or empirical (a random training cell's total).")
    var library: String?
    @Option(help: "Seed of every draw.")
    var seed: UInt64 = 1
    @Option(help: "Output matrix, written a block of cells at a time: .h5ad (AnnData: X as CSR integer counts or dense floats, labels in obs, latent points in obsm['X_vaexprs']), .h5 (Cell Ranger's feature-barcode matrix, counts), a folder path (no extension or ending in /: a 10x Matrix Market folder, counts), else CSV (TSV for .tsv; gzipped when it ends in .gz).")
    var output: String
    @Option(help: "Output format when the extension does not say it: csv, h5ad, 10x-h5 or mtx.")
    var format: String?
    @Flag(help: "CSV only: write genes in rows and cells in columns (the transposed layout, as 'fit --genes-in-rows' reads; held in memory).")
    var genesInRows = false
    @Option(help: "Labels of the generated cells (CVAE) as CSV; default: <output>_labels.csv, except for .h5ad output, whose obs holds them.")
    var labelsOutput: String?
    @Option(help: "Also write the training cells' latent means here.")
    var latentOutput: String?
    @Option(help: "After generating, print the realism summary against these real cells (e.g. the training matrix: its cells that did not train the model, such as validation cells, measure copying); a CVAE's labels come from the model. At most 10 000 generated cells, spread evenly over the output, are compared.")
    var evaluate: String?
    @Option(help: "For --evaluate: auto (log-normalise when the real cells are whole counts, else the values as given), lognorm or none; as 'vaexprs evaluate --normalize'.")
    var normalize = "auto"

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let registry = try plugins.registry()
        let outputFormat = try CellOutputFormat.of(path: output, option: format)
        try AtomicOutput.checkDestination(output, folder: outputFormat == .mtx)
        for path in [labelsOutput, latentOutput].compactMap({ $0 }) { try AtomicOutput.checkDestination(path) }
        if let evaluate { try ExpressionReader.checkReadable(evaluate, option: "--evaluate") }
        let normalization = try ComparisonNormalization.parse(normalize, option: "--normalize")
        if evaluate == nil && normalize != "auto" { throw VAExprsError.usage("--normalize applies to --evaluate; give --evaluate REAL too, or drop it") }
        let samplerSpec = try ComponentSpec.parseItem(sampler, source: "--sampler")
        _ = try registry.makeLatentSampler(samplerSpec)
        var mode: DecodeMode? = nil
        if let decode {
            guard let m = DecodeMode(rawValue: decode) else {
                throw VAExprsError.usage("--decode must be 'sample' or 'mean', got '\(decode)'")
            }
            mode = m
        }
        guard let libraryModel = LibrarySizeModel(rawValue: library ?? LibrarySizeModel.logNormal.rawValue) else {
            throw VAExprsError.usage("--library must be one of: \(LibrarySizeModel.allCases.map(\.rawValue).joined(separator: ", ")); got '\(library!)'")
        }
        let perLabelCounts = try perLabel.map(Self.parsePerLabel)
        guard numSamples != nil || perLabelCounts != nil else {
            throw VAExprsError.usage("give --num-samples N (or --per-label for a conditional model)")
        }
        if perLabelCounts != nil && numSamples != nil {
            throw VAExprsError.usage("give either --num-samples or --per-label, not both")
        }
        let trained = try TrainedModel.load(model, registry: registry)
        if library != nil && !trained.preprocessing.modelsCounts {
            throw VAExprsError.usage("--library applies to models of counts (nb, zinb, poisson); \(model) was fitted with \(trained.network.spec.likelihood), whose generated cells take the size factors of training cells")
        }
        let options = GenerationOptions(count: numSamples ?? 0, sampler: samplerSpec, perLabel: perLabelCounts,
                                        decode: mode, seed: seed, library: libraryModel)
        var labelsPath = labelsOutput
        if trained.conditions != nil && labelsPath == nil && outputFormat != .h5ad { labelsPath = Self.defaultLabelsPath(for: output) }
        // Before any cell is drawn; with the labels path that will really be written.
        try OutputSafety.refuseOverlaps(inputs: [("the model", model), ("--evaluate", evaluate)],
                                        outputs: [("--output", output), (labelsOutput == nil ? "the default labels file" : "--labels-output", labelsPath),
                                                  ("--latent-output", latentOutput)])
        var stream = GenerationStream(model: trained, options: options, path: output, format: outputFormat)
        stream.genesInRows = genesInRows
        stream.labelsPath = labelsPath
        stream.latentPath = latentOutput
        stream.keepSample = evaluate == nil ? 0 : Self.evaluatedCells
        stream.settings = [("model", model), ("likelihood", trained.network.spec.likelihood.description),
                           ("latent_dimension", "\(trained.network.spec.latentDimension)"), ("sampler", samplerSpec.description),
                           ("decode", (mode ?? trained.network.likelihood.defaultDecodeMode).rawValue), ("seed", "\(seed)")]
            + (trained.preprocessing.modelsCounts ? [("library", libraryModel.rawValue)] : [])
            + [("conditions", trained.conditions?.columns.joined(separator: ",") ?? "")]
        // The evaluation runs before any file is renamed into place: if it fails (a damaged
        // reference matrix, say), nothing was written.
        var summary = ""
        let result = try stream.run(registry: registry) { result in
            guard let evaluate, let sample = result.sample else { return }
            if sample.data.cellCount < result.cells {
                printError("--evaluate: comparing \(sample.data.cellCount) of the \(result.cells) generated cells (every \((result.cells + Self.evaluatedCells - 1) / Self.evaluatedCells)th)")
            }
            summary = try Self.evaluate(real: evaluate, generated: sample, model: trained, normalization: normalization, seed: seed)
        }
        for line in result.samplerSummaries { printError("latent sampler: \(line)") }
        var written = ["\(output) (\(result.cells) cells × \(trained.geneNames.count) genes, \(outputFormat.rawValue))"]
        if trained.conditions != nil, let labelsPath { written.append(labelsPath) }
        if let latentOutput { written.append(latentOutput) }
        print("wrote " + written.joined(separator: ", "))
        print(summary, terminator: "")
    }

    /// Generated cells kept for `--evaluate`, at most.
    static let evaluatedCells = 10_000

    /// `--evaluate`: the realism summary of the generated cells against `real`.
    static func evaluate(real path: String, generated cells: GeneratedCells, model: TrainedModel,
                         normalization: ComparisonNormalization, seed: UInt64) throws -> String {
        var real = try ExpressionReader.read(path)
        // A model fitted on selected genes (--top-genes) is compared on those genes.
        guard Set(cells.data.geneNames).isSubset(of: Set(real.geneNames)) else {
            throw VAExprsError.badData("--evaluate \(path): it lacks some of the model's genes; give the matrix the model was fitted on")
        }
        real = AugmentationPlot.reordered(real, genes: cells.data.geneNames)
        var realLabels: [String]?
        if let training = model.trainingLabels, let generated = cells.labels {
            let byID = Dictionary(zip(model.trainingCellIDs, training.map { $0.joined(separator: "|") }), uniquingKeysWith: { a, _ in a })
            let matched = real.cellIDs.compactMap { byID[$0] }
            if matched.count == real.cellIDs.count && !generated.isEmpty {
                realLabels = matched
            } else {
                printError("--evaluate: \(real.cellIDs.count - matched.count) of \(path)'s cells are not among the model's training cells (validation cells, or another matrix), so label metrics are skipped; run 'vaexprs evaluate' with --labels and --generated-labels for them")
            }
        }
        var options = RealismEvaluation.Options()
        options.seed = seed
        options.normalization = normalization
        // The model's training cells among the real ones: copying is judged against the others.
        let trainingIDs = Set(model.trainingCellIDs)
        let trainingRows = real.cellIDs.indices.filter { trainingIDs.contains(real.cellIDs[$0]) }
        let training = trainingRows.isEmpty ? nil : real.selectingCells(trainingRows)
        if training != nil && trainingRows.count == real.cellCount {
            printError("--evaluate: every cell of \(path) trained the model, so copying cannot be measured; fit with --validation-split (its cells did not train the model) or compare with held-out cells")
        }
        let (report, _) = try RealismEvaluation.evaluate(real: real, generated: cells.data, realLabels: realLabels,
                                                         generatedLabels: realLabels == nil ? nil : cells.labels?.map { $0.joined(separator: "|") },
                                                         training: training, options: options)
        return RealismReportOutput.summary(report)
    }

    /// `T cell=100,B cell=50` → [(T cell, 100), (B cell, 50)].
    static func parsePerLabel(_ text: String) throws -> [(label: String, count: Int)] {
        try text.split(separator: ",").map { item in
            guard let eq = item.lastIndex(of: "="), let n = Int(item[item.index(after: eq)...].trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw VAExprsError.usage("--per-label: '\(item)' must look like 'LABEL=COUNT' with a count ≥ 0")
            }
            return (item[..<eq].trimmingCharacters(in: .whitespaces), n)
        }
    }

    /// `out.csv.gz` → `out_labels.csv`.
    static func defaultLabelsPath(for output: String) -> String {
        var stem = output
        for suffix in [".gz", ".csv", ".tsv", ".h5"] where stem.hasSuffix(suffix) { stem = String(stem.dropLast(suffix.count)) }
        return stem + "_labels.csv"
    }
}
