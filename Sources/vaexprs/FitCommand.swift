import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs fit` (= `fit_vae`).
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fit", abstract: "Fit a VAE (or, with --labels, a conditional VAE) and save the model.")

    @Option(help: "Cells × genes matrix: CSV/TSV, optionally .gz (header of gene names, first column cell ids), a 10x folder (matrix.mtx, features.tsv, barcodes.tsv; .gz or not) or an .h5ad.")
    var counts: String
    @Flag(help: "The matrix has genes in rows and cells in columns.")
    var genesInRows = false
    @Option(help: "Labels file 'cell,label,...' (matched by cell id); makes the model conditional.")
    var labels: String?
    @Option(help: "Label column(s) used as conditions (default 'label' with --labels); repeat or separate with commas. With an .h5ad input and no --labels, obs columns.")
    var labelColumn: [String] = []
    @Option(help: "Encoder layers, e.g. 'dense:512:relu,dropout:0.1'.")
    var encoder = "dense:512:relu"
    @Option(help: "Decoder layers (the output layer is added for the likelihood).")
    var decoder = "dense:512:relu"
    @Option(help: "JSON model spec file (encoder, decoder, latent_dim, likelihood, regularization); replaces those options.")
    var modelSpec: String?
    @Option(help: "Latent dimensions.")
    var latentDim = 2
    @Option(help: "KL weight (≥ 0).")
    var regularization = 1.0
    @Option(help: "Reconstruction likelihood: bernoulli (the original's loss), gaussian (per-gene learned variance) or censored_gaussian (Tobit: values at the gene minimum are censored; recommended for counts and zero-heavy data).")
    var likelihood = "bernoulli"
    @Option(help: "Latent prior: standard_normal or a plugin's.")
    var prior = "standard_normal"
    @Option(help: "Passes over the training cells.")
    var epochs: Int
    @Option(help: "Cells per gradient step.")
    var batchSize = 32
    @Option(help: "adam, sgd or rmsprop (options as 'sgd:momentum=0.9').")
    var optimizer = "adam"
    @Option(help: "Learning rate (default: the optimizer's Keras default).")
    var learningRate: Double?
    @Option(help: "Fraction of cells held out for validation, in [0, 1).")
    var validationSplit: Double?
    @Option(help: "Validation matrix, CSV/TSV, 10x folder or .h5ad (same genes; labels from the same source as the training cells').")
    var validation: String?
    @Option(help: "Early-stopping quantity: loss or val_loss.")
    var monitor: String?
    @Option(help: "Early stopping: epochs without improvement before stopping; best weights are restored.")
    var patience: Int?
    @Option(help: "none, or lognorm (scater logNormCounts: log2(x / size factor + 1)).")
    var normalize = "none"
    @Option(help: "Seed: the same seed gives the same model, bit for bit.")
    var seed: UInt64 = 1
    @Option(help: "OpenBLAS threads.")
    var threads: Int?
    @Flag(help: "No progress output.")
    var quiet = false
    @Option(help: "Model file to write.")
    var output: String

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let registry = try plugins.registry()
        try AtomicOutput.checkDestination(output)
        guard let normalization = Preprocessing.Normalization(rawValue: normalize) else {
            throw VAExprsError.usage("--normalize must be one of: \(Preprocessing.Normalization.allCases.map(\.rawValue).joined(separator: ", ")); got '\(normalize)'")
        }
        var spec: ModelSpec
        if let modelSpec {
            guard let data = FileManager.default.contents(atPath: modelSpec) else {
                throw VAExprsError(.missingInput, "--model-spec: \(modelSpec) cannot be read")
            }
            spec = try ModelSpec.fromJSON(data, source: modelSpec)
        } else {
            spec = ModelSpec(encoder: try ComponentSpec.parseList(encoder, source: "--encoder"),
                             decoder: try ComponentSpec.parseList(decoder, source: "--decoder"),
                             latentDimension: latentDim,
                             likelihood: try ComponentSpec.parseItem(likelihood, source: "--likelihood"),
                             prior: try ComponentSpec.parseItem(prior, source: "--prior"),
                             regularization: regularization)
        }
        try spec.validate()
        var optimizerSpec = try ComponentSpec.parseItem(optimizer, source: "--optimizer")
        if let learningRate { optimizerSpec.options["lr"] = "\(learningRate)" }
        // Check every name before reading data, so a typo fails fast.
        for layer in spec.encoder + spec.decoder { _ = try registry.factory(.layer, for: layer) }
        _ = try registry.makeLikelihood(spec.likelihood)
        _ = try registry.makePrior(spec.prior)
        _ = try registry.makeOptimizer(optimizerSpec)
        let training = TrainingOptions(epochs: epochs, batchSize: batchSize, optimizer: optimizerSpec,
                                       monitor: monitor, patience: patience, seed: seed)
        try training.validate(hasValidation: validation != nil || (validationSplit ?? 0) > 0)
        if let threads, threads <= 0 { throw VAExprsError.usage("--threads must be a positive whole number, got \(threads)") }

        let given = labelColumn.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        let columns: [String]? = given.isEmpty ? nil : given
        let inputs = try DatasetLoader.load(counts: counts, genesInRows: genesInRows, labels: labels,
                                            labelColumns: columns, validation: validation, validationSplit: validationSplit)
        let request = FitRequest(counts: inputs.data, labels: inputs.labels, labelColumns: columns ?? ["label"],
                                 validation: inputs.validation, normalization: normalization, spec: spec,
                                 training: training, threads: threads)
        let start = Date()
        let model = try fitVAE(request, registry: registry, progress: quiet ? nil : ProgressPrinter())
        try model.save(to: output)
        let h = model.history
        var summary = "wrote \(output): \(model.conditions == nil ? "VAE" : "CVAE"), \(model.trainingCellIDs.count) training cells × \(model.geneNames.count) genes, \(h.epochs.count) epochs in \(String(format: "%.2f", Date().timeIntervalSince(start))) s"
        if let last = h.epochs.last { summary += String(format: ", final loss %.4f", last.loss) }
        if let restored = h.restoredEpoch { summary += ", weights of epoch \(restored) restored (best \(h.monitor))" }
        print(summary)
    }
}
