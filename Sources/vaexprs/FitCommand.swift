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
    @Option(help: "Labels file 'cell,label,...' (matched by cell id), or an .h5ad whose obs holds them; makes the model conditional. Without it, an .h5ad input's obs column 'label' is used when present.")
    var labels: String?
    @Option(help: "Label column(s) used as conditions (default 'label' with --labels); repeat or separate with commas. With an .h5ad input and no --labels, obs columns.")
    var labelColumn: [String] = []
    @Flag(help: "A plain VAE even when the .h5ad input has an obs column 'label' (which is otherwise the condition).")
    var noLabels = false
    @Option(help: "Starting point: default (likelihood and normalisation chosen from the data, architecture measured best on the shared data) or original (the original package: bernoulli on min-max-scaled lognorm data, dense:512:relu, latent 2, KL weight 1, decoder means). Options given override it.")
    var preset = "default"
    @Option(help: "Encoder layers, e.g. 'dense:512:relu,dropout:0.1' (default: the preset's).")
    var encoder: String?
    @Option(help: "Decoder layers; the output layer is added for the likelihood (default: the preset's).")
    var decoder: String?
    @Option(help: "JSON model spec file (encoder, decoder, latent_dim, likelihood, regularization); replaces those options.")
    var modelSpec: String?
    @Option(help: "Latent dimensions (default: the preset's: 5 for counts, 2 otherwise).")
    var latentDim: Int?
    @Option(help: "KL weight ≥ 0 (default: the preset's: 1 for counts, 4 otherwise).")
    var regularization: Double?
    @Option(help: "Reconstruction likelihood. Counts: nb (negative binomial; options dispersion=gene|gene-label), zinb (zero-inflated NB), poisson. Continuous: censored_gaussian (Tobit: values at the gene minimum are censored), gaussian, bernoulli (the original's loss). Default: chosen from the values (printed, and recorded in the model).")
    var likelihood: String?
    @Option(help: "Latent prior: standard_normal or a plugin's.")
    var prior = "standard_normal"
    @Option(help: "Passes over the training cells, e.g. 300 with --validation-split 0.1 --patience 20 (early stopping ends the fit when validation stops improving and restores the best weights).")
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
    @Option(help: "none, or lognorm (scater logNormCounts: log2(x / size factor + 1)); continuous likelihoods only (count likelihoods read raw counts). Default: chosen with the likelihood.")
    var normalize: String?
    @Option(help: "Train on the N most variable genes of the training cells (Seurat v3 ranking on counts, dispersion otherwise); the model and its generated cells have those genes.")
    var topGenes: Int?
    @Option(help: "How --top-genes ranks genes: seurat_v3 (raw counts) or dispersion (default: seurat_v3 for a count likelihood).")
    var geneSelection: String?
    @Flag(help: "Train on cells streamed from disk a block at a time (an .h5ad with CSR X, or a Cell Ranger .h5; count likelihoods), so memory does not grow with the number of cells. Automatic when training in memory would exceed --memory-limit.")
    var stream = false
    @Option(help: "Memory fit may plan to use, e.g. 8G or 500M (default: half of this machine's memory, or of its control group's limit if lower). Larger data are streamed from disk when they can be.")
    var memoryLimit: String?
    @Option(help: "Seed: the same seed gives the same model, bit for bit.")
    var seed: UInt64 = 1
    @Option(help: "OpenBLAS threads.")
    var threads: Int?
    @Option(help: "How the first layer reads sparse counts: auto (as CSR when at most 10 % of a batch is non-zero, else as a dense batch), always or never. Speed only: results agree to rounding.")
    var sparseInput = "auto"
    @Flag(help: "No progress output.")
    var quiet = false
    @Option(help: "Model file to write.")
    var output: String

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        // Started by mpirun or srun: train together with the other processes (rank 0 reports
        // and writes the model). MPI is finished only after a fit that succeeded: a process
        // that fails exits without it, and the launcher then stops the others instead of
        // leaving them waiting in a collective call.
        let group = MPIProcessGroup.launchedByMPI ? try MPIProcessGroup.join() : nil
        let silent = quiet || (group?.rank ?? 0) != 0
        let registry = try plugins.registry()
        try OutputSafety.refuseOverlaps(inputs: [("--counts", counts), ("--labels", labels), ("--validation", validation), ("--model-spec", modelSpec)],
                                        outputs: [("--output", output)])
        try AtomicOutput.checkDestination(output)
        if output.lowercased().hasSuffix(".gz") {
            throw VAExprsError.usage("--output \(output): model files are written uncompressed (their float32 weights barely compress, and every command reads them directly); name it without .gz, e.g. model.vaexprs")
        }
        guard let presetValue = FitPreset(rawValue: preset) else {
            throw VAExprsError.usage("--preset must be one of: \(FitPreset.allCases.map(\.rawValue).joined(separator: ", ")); got '\(preset)'")
        }
        var normalization: Preprocessing.Normalization? = nil
        if let normalize {
            guard let n = Preprocessing.Normalization(rawValue: normalize) else {
                throw VAExprsError.usage("--normalize must be one of: \(Preprocessing.Normalization.allCases.map(\.rawValue).joined(separator: ", ")); got '\(normalize)'")
            }
            normalization = n
        }
        var flavor: GeneSelection.Flavor? = nil
        if let geneSelection {
            guard let f = GeneSelection.Flavor(rawValue: geneSelection) else {
                throw VAExprsError.usage("--gene-selection must be one of: \(GeneSelection.Flavor.allCases.map(\.rawValue).joined(separator: ", ")); got '\(geneSelection)'")
            }
            flavor = f
        }
        if let topGenes, topGenes < 1 { throw VAExprsError.usage("--top-genes must be a positive whole number, got \(topGenes)") }
        if geneSelection != nil && topGenes == nil { throw VAExprsError.usage("--gene-selection ranks genes for --top-genes N; give --top-genes too") }
        var fileSpec: ModelSpec? = nil
        if let modelSpec {
            guard let data = FileManager.default.contents(atPath: modelSpec) else {
                throw VAExprsError(.missingInput, "--model-spec: \(modelSpec) cannot be read")
            }
            fileSpec = try ModelSpec.fromJSON(data, source: modelSpec)
        }
        var choices = FitSetupChoices()
        choices.preset = presetValue
        choices.normalization = normalization
        choices.specFromFile = fileSpec.map { ($0, modelSpec!) }
        choices.likelihood = try likelihood.map { try ComponentSpec.parseItem($0, source: "--likelihood") }
        if let named = choices.likelihood { _ = try registry.makeLikelihood(named) }
        choices.encoder = try encoder.map { try ComponentSpec.parseList($0, source: "--encoder") }
        choices.decoder = try decoder.map { try ComponentSpec.parseList($0, source: "--decoder") }
        choices.prior = try ComponentSpec.parseItem(prior, source: "--prior")
        choices.latentDimension = latentDim
        choices.regularization = regularization
        // Check every name before reading data, so a typo fails fast.
        for layer in (choices.encoder ?? []) + (choices.decoder ?? []) { _ = try registry.factory(.layer, for: layer) }
        _ = try registry.makePrior(choices.prior)
        if let latentDim, latentDim <= 0 { throw VAExprsError.usage("--latent-dim must be a positive whole number, got \(latentDim)") }
        if let regularization, !(regularization >= 0 && regularization.isFinite) {
            throw VAExprsError.usage("--regularization must be a finite number ≥ 0, got \(regularization)")
        }
        var optimizerSpec = try ComponentSpec.parseItem(optimizer, source: "--optimizer")
        if let learningRate { optimizerSpec.options["lr"] = "\(learningRate)" }
        _ = try registry.makeOptimizer(optimizerSpec)
        var training = TrainingOptions(epochs: epochs, batchSize: batchSize, optimizer: optimizerSpec,
                                       monitor: monitor, patience: patience, seed: seed)
        guard let sparseUse = SparseInputUse(rawValue: sparseInput) else {
            throw VAExprsError.usage("--sparse-input must be auto, always or never, got '\(sparseInput)'")
        }
        training.sparseInput = sparseUse
        training.processGroup = group
        if let group, !silent {
            printError("fit: training over \(group.size) processes (MPI): each global batch of \(batchSize) cells is split between them; the model is written by rank 0")
        }
        try training.validate(hasValidation: validation != nil || (validationSplit ?? 0) > 0)
        try checkThreadCount(threads)

        if !silent, let pinned = BLASKernel.userPinnedBelowCPU { printError("fit: note: \(pinned)") }
        let given = labelColumn.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        let columns: [String]? = given.isEmpty ? nil : given
        if given.contains(where: \.isEmpty) { throw VAExprsError.usage("--label-column: an empty column name in '\(labelColumn.joined(separator: ","))'") }
        if let repeated = given.first(where: { name in given.filter { $0 == name }.count > 1 }) {
            throw VAExprsError.usage("--label-column names '\(repeated)' twice; each label column is a separate condition, name each once")
        }
        if noLabels && (labels != nil || columns != nil) {
            throw VAExprsError.usage("--no-labels asks for a plain VAE, but --labels or --label-column name labels; give one or the other")
        }
        let limit = try memoryLimit.map { try MemoryBudget.parse($0, option: "--memory-limit") } ?? MemoryBudget.defaultLimit
        if let file = try streamedFile(limit: limit, silent: silent) {
            let (fileLabels, fromObs) = try DatasetLoader.labels(of: file, labelsPath: labels, labelColumns: columns, obsLabelsByDefault: !noLabels)
            if fromObs && !silent { noteObsLabels() }
            let setup = try choices.resolve(for: try file.sample(cells: 20_000), registry: registry)
            if setup.chosenFromData && !silent { printError("fit: \(setup.choice) (judged on a sample of cells); give --likelihood to choose otherwise") }
            let request = StreamedFitRequest(file: file, labels: fileLabels, labelColumns: columns ?? ["label"], validationSplit: validationSplit,
                                             spec: setup.spec, training: training, threads: threads, setupChoice: setup.choice)
            let start = Date()
            try finish(writing: (group?.rank ?? 0) == 0, silent: silent, try fitVAEStreamed(request, registry: registry, progress: silent ? nil : ProgressPrinter()), start: start)
            group?.finish()
            return
        }
        let inputs = try DatasetLoader.load(counts: counts, genesInRows: genesInRows, labels: labels,
                                            labelColumns: columns, validation: validation, validationSplit: validationSplit,
                                            obsLabelsByDefault: !noLabels)
        if inputs.labelsFromObsByDefault && !silent { noteObsLabels() }
        // Likelihood and normalisation: given, the preset's, or chosen from the values.
        let setup = try choices.resolve(for: inputs.data, registry: registry)
        if setup.chosenFromData && !silent { printError("fit: \(setup.choice); give --likelihood (and --normalize) to choose otherwise") }
        let request = FitRequest(counts: inputs.data, labels: inputs.labels, labelColumns: columns ?? ["label"],
                                 validation: inputs.validation, normalization: setup.normalization, spec: setup.spec,
                                 training: training, threads: threads, topGenes: topGenes, geneSelectionFlavor: flavor,
                                 setupChoice: setup.choice)
        let start = Date()
        try finish(writing: (group?.rank ?? 0) == 0, silent: silent, try fitVAE(request, registry: registry, progress: silent ? nil : ProgressPrinter()), start: start)
        group?.finish()
    }

    private func noteObsLabels() {
        printError("fit: \(counts): its obs column '\(DatasetLoader.defaultObsLabelColumn)' is the condition (a conditional VAE); --label-column names other obs columns, --no-labels fits a plain VAE")
    }

    /// Saves the model and reports it (only the process that writes; the others are silent).
    private func finish(writing: Bool, silent: Bool, _ model: TrainedModel, start: Date) throws {
        guard writing else { return }
        try model.save(to: output)
        let h = model.history
        var summary = "wrote \(output): \(model.conditions == nil ? "VAE" : "CVAE"), \(model.trainingCellIDs.count) training cells × \(model.geneNames.count) genes, \(h.epochs.count) epochs in \(String(format: "%.2f", Date().timeIntervalSince(start))) s"
        if let last = h.epochs.last { summary += String(format: ", final loss %.4f", last.loss) }
        if let restored = h.restoredEpoch { summary += ", weights of epoch \(restored) restored (best \(h.monitor))" }
        print(summary)
        if !silent { for note in model.setup?.notes ?? [] { printError("fit: \(note)") } }
        if let kept = h.overfitting, let val = kept.valLoss {
            printError(String(format: "fit: warning: at epoch %d the validation loss (%.4g) is %@ the training loss (%.4g): the model describes its training cells far better than cells it never saw (overfitting), and generated cells may copy them. Try fewer epochs with --patience (early stopping on val_loss), a smaller network (--encoder dense:64:relu --decoder dense:64:relu), a larger --regularization, --top-genes, or more cells.",
                              kept.epoch, val, kept.loss > 0 ? String(format: "%.1f×", val / kept.loss) : "far above", kept.loss))
        }
    }

    /// The file to stream the cells from, when --stream asks for it or training in memory
    /// would exceed the memory limit; nil to train in memory.
    private func streamedFile(limit: Int, silent: Bool) throws -> SparseRowFile? {
        let streamable = SparseRowFile.canStream(counts)
        guard stream else {
            guard streamable, !genesInRows, let file = try? SparseRowFile(counts) else { return nil }
            let needed = MemoryBudget.inMemoryEstimate(file)
            guard needed > limit else { return nil }
            let why = "training in memory would need about \(MemoryBudget.describe(needed)), more than the memory limit of \(MemoryBudget.describe(limit))"
            try checkStreamable(because: why + " (--memory-limit)", remedy: "or raise --memory-limit to train in memory")
            if !silent { printError("fit: \(why): streaming the cells from \(counts) (--memory-limit raises the limit)") }
            return file
        }
        guard streamable else {
            throw VAExprsError.usage("--stream reads an .h5ad whose X is a CSR matrix, or a Cell Ranger .h5; \(counts) is neither: write it as .h5ad (scanpy: sc.read_10x_mtx(folder).write_h5ad('data.h5ad')), or train in memory without --stream")
        }
        try checkStreamable(because: "--stream", remedy: "or train in memory without --stream")
        return try SparseRowFile(counts)
    }

    /// Options that training streamed from disk cannot honour, refused with what to do.
    private func checkStreamable(because reason: String, remedy: String) throws {
        if genesInRows {
            throw VAExprsError.usage("\(reason): cells are streamed from disk a block of rows at a time, so they must be the rows (--genes-in-rows cannot be streamed); transpose the file, \(remedy)")
        }
        if validation != nil {
            throw VAExprsError.usage("\(reason): training streamed from disk holds out validation cells with --validation-split, not from a --validation file; use --validation-split, \(remedy)")
        }
        if topGenes != nil {
            throw VAExprsError.usage("\(reason): --top-genes is not available when training is streamed from disk; select genes first (scanpy: sc.pp.highly_variable_genes(adata, flavor='seurat_v3', n_top_genes=N, subset=True)), \(remedy)")
        }
    }
}
