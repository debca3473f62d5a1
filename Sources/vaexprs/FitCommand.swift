import ArgumentParser
import Foundation
import VAExprs
import VAExprsPlatform

/// `vaexprs fit` (= `fit_vae`).
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit", abstract: "Fit a VAE (or, with --labels, a conditional VAE) and save the model.")

    @Option(
        help:
            """
            Cells × genes matrix: CSV/TSV, optionally .gz (header of gene names, first column cell ids), a 10x \
            folder (matrix.mtx, features.tsv, barcodes.tsv; .gz or not) or an .h5ad.
            """
    )
    var counts: String
    @Flag(help: "The matrix has genes in rows and cells in columns.")
    var genesInRows = false
    @Option(help: "An .h5ad's layer to fit instead of X, e.g. counts (where scanpy users keep raw counts).")
    var layer: String?
    @Flag(help: "Fit an .h5ad's .raw (raw.X, with raw.var's genes) instead of X.")
    var useRaw = false
    @Option(
        help:
            """
            Labels file 'cell,label,...' (matched by cell id), or an .h5ad whose obs holds them; makes the model \
            conditional. Without it, an .h5ad input's obs column 'label' is used when present.
            """
    )
    var labels: String?
    @Option(
        help:
            """
            Label column(s) used as conditions (default 'label' with --labels); repeat or separate with commas. \
            With an .h5ad input and no --labels, obs columns.
            """
    )
    var labelColumn: [String] = []
    @Flag(help: "A plain VAE even when the .h5ad input has an obs column 'label' (which is otherwise the condition).")
    var noLabels = false
    @Option(
        help:
            """
            Starting point: default (likelihood and normalisation chosen from the data, architecture measured \
            best on the shared data) or original (the original package: bernoulli on min-max-scaled lognorm data, \
            dense:512:relu, latent 2, KL weight 1, decoder means). Options given override it.
            """
    )
    var preset = "default"
    @Option(help: "Encoder layers, e.g. 'dense:512:relu,dropout:0.1' (default: the preset's).")
    var encoder: String?
    @Option(help: "Decoder layers; the output layer is added for the likelihood (default: the preset's).")
    var decoder: String?
    @Option(
        help: "JSON model spec file (encoder, decoder, latent_dim, likelihood, regularization); replaces those options."
    )
    var modelSpec: String?
    @Option(help: "Latent dimensions (default: the preset's: 5 for counts, 2 otherwise).")
    var latentDim: Int?
    @Option(help: "KL weight ≥ 0 (default: the preset's: 1 for counts, 4 otherwise).")
    var regularization: Double?
    @Option(
        help:
            """
            Reconstruction likelihood. Counts: nb (negative binomial; options dispersion=gene|gene-label), zinb \
            (zero-inflated NB), poisson. Continuous: censored_gaussian (Tobit: values at the gene minimum are \
            censored), gaussian, bernoulli (the original's loss). Default: chosen from the values (printed, and \
            recorded in the model).
            """
    )
    var likelihood: String?
    @Option(help: "Latent prior: standard_normal or a plugin's.")
    var prior = "standard_normal"
    @Option(
        help:
            """
            Passes over the training cells, e.g. 300 with --validation-split 0.1 --patience 20 (early stopping \
            ends the fit when validation stops improving and restores the best weights).
            """
    )
    var epochs: Int
    @Option(help: "Cells per gradient step.")
    var batchSize = 32
    @Option(help: "adam, sgd or rmsprop (options as 'sgd:momentum=0.9').")
    var optimizer = "adam"
    @Option(help: "Learning rate (default: the optimizer's Keras default).")
    var learningRate: Double?
    @Option(help: "Fraction of cells held out for validation, in [0, 1).")
    var validationSplit: Double?
    @Option(
        help:
            """
            Validation matrix, CSV/TSV, 10x folder or .h5ad (same genes; labels from the same source as the \
            training cells').
            """
    )
    var validation: String?
    @Option(help: "Early-stopping quantity: loss or val_loss.")
    var monitor: String?
    @Option(help: "Early stopping: epochs without improvement before stopping; best weights are restored.")
    var patience: Int?
    @Option(
        help:
            """
            auto (chosen with the likelihood; the default), none, or lognorm (scater logNormCounts: log2(x / size \
            factor + 1)); continuous likelihoods only (count likelihoods read raw counts).
            """
    )
    var normalize: String?
    @Option(
        help:
            """
            Train on the N most variable genes of the training cells (Seurat v3 ranking on counts, dispersion \
            otherwise; 0 keeps every gene); the model and its generated cells have those genes.
            """
    )
    var topGenes: Int?
    @Option(
        help:
            """
            How --top-genes ranks genes: seurat_v3 (raw counts) or dispersion (default: seurat_v3 for a count \
            likelihood).
            """
    )
    var geneSelection: String?
    @Flag(
        help:
            """
            Train on cells streamed from disk a block at a time (an .h5ad with CSR X, or a Cell Ranger .h5; count \
            likelihoods), so memory does not grow with the number of cells. Automatic when training in memory \
            would exceed --memory-limit.
            """
    )
    var stream = false
    @Option(
        help:
            """
            Memory fit may plan to use, e.g. 8G or 500M (default: half of this machine's memory, or of its \
            control group's limit if lower). Larger data are streamed from disk when they can be.
            """
    )
    var memoryLimit: String?
    @Option(
        help:
            """
            When streaming: consecutive cells read from disk at once (training shuffles chunks, then cells within \
            buffers of about 128 MB of counts).
            """
    )
    var chunkCells = 1024
    @Option(help: "Seed: the same seed gives the same model, bit for bit.")
    var seed: UInt64 = 1
    @Option(help: "OpenBLAS threads.")
    var threads: Int?
    @Option(
        help:
            """
            How the first layer reads sparse counts: auto (as CSR when at most 10 % of a batch is non-zero, else \
            as a dense batch), always or never. Speed only: results agree to rounding.
            """
    )
    var sparseInput = "auto"
    @Flag(help: "No progress output.")
    var quiet = false
    @Option(help: "Model file to write.")
    var output: String

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        // Started by mpirun or srun: train together with the other processes (rank 0 reports
        // and writes the model). A failure of one process stops them all (MPI_Abort) instead
        // of leaving them waiting in a collective call; a failure all raise alike (ranks that
        // were not started alike) is reported once, by rank 0, and all end normally.
        let group = MPIProcessGroup.launchedByMPI ? try MPIProcessGroup.join() : nil
        guard let group else { return try fit(group: nil) }
        do { try fit(group: group) } catch let error as VAExprsError {
            CLIErrors.fail(error, in: group)
        } catch {
            CLIErrors.fail(VAExprsError(.other, "\(error)"), in: group)
        }
    }

    private func fit(group: MPIProcessGroup?) throws {
        let silent = quiet || (group?.rank ?? 0) != 0
        let registry = try plugins.registry()
        try OutputSafety.refuseOverlaps(
            inputs: [
                ("--counts", counts), ("--labels", labels), ("--validation", validation), ("--model-spec", modelSpec)
            ],
            outputs: [("--output", output)])
        try Fit.checkModelOutput(output)
        let request = try makeRequest(group: group)
        if !silent, let pinned = BLASKernel.userPinnedBelowCPU { printError("fit: note: \(pinned)") }
        let start = Date()
        let model = try Fit.run(
            request, registry: registry, progress: silent ? nil : ProgressPrinter(),
            notes: { if !silent { printNotice($0, command: "fit") } })
        if (group?.rank ?? 0) == 0 { try finish(model, silent: silent, start: start) }
        group?.finish()
    }

    /// The library's request from the parsed options.
    private func makeRequest(group: MPIProcessGroup?) throws -> FitRequest {
        guard let presetValue = FitPreset(rawValue: preset) else {
            throw VAExprsError.usage(
                """
                --preset must be one of: \(FitPreset.allCases.map(\.rawValue).joined(separator: ", ")); got \
                '\(preset)'
                """
            )
        }
        var choices = FitSetupChoices()
        choices.preset = presetValue
        if let normalize {
            guard let n = Normalization(rawValue: normalize) else {
                throw VAExprsError.usage(
                    """
                    --normalize must be one of: \
                    \(Normalization.allCases.map(\.rawValue).joined(separator: ", ")); got '\(normalize)'
                    """
                )
            }
            choices.normalization = n
        }
        if let modelSpec {
            guard let data = FileManager.default.contents(atPath: modelSpec) else {
                throw VAExprsError(.missingInput, "--model-spec: \(modelSpec) cannot be read")
            }
            choices.wholeSpec = (try ModelSpec.fromJSON(data, source: modelSpec), modelSpec)
        }
        choices.likelihood = try likelihood.map { try ComponentSpec.parseItem($0, source: "--likelihood") }
        choices.encoder = try encoder.map { try ComponentSpec.parseList($0, source: "--encoder") }
        choices.decoder = try decoder.map { try ComponentSpec.parseList($0, source: "--decoder") }
        choices.prior = try ComponentSpec.parseItem(prior, source: "--prior")
        choices.latentDimension = latentDim
        choices.regularization = regularization
        var optimizerSpec = try ComponentSpec.parseItem(optimizer, source: "--optimizer")
        if let learningRate { optimizerSpec.options["lr"] = "\(learningRate)" }
        var training = TrainingOptions(
            epochs: epochs, batchSize: batchSize, optimizer: optimizerSpec,
            monitor: monitor, patience: patience, seed: seed)
        guard let sparseUse = SparseInputUse(rawValue: sparseInput) else {
            throw VAExprsError.usage("--sparse-input must be auto, always or never, got '\(sparseInput)'")
        }
        training.sparseInput = sparseUse
        training.processGroup = group
        var request = FitRequest(counts: counts, training: training)
        request.choices = choices
        request.genesInRows = genesInRows
        request.layer = layer
        request.useRaw = useRaw
        request.labels = labels
        // Every name given is kept, empty ones too, so that the library refuses them by name.
        let given = labelColumn.flatMap {
            $0.split(separator: ",", omittingEmptySubsequences: false).map {
                String($0).trimmingCharacters(in: .whitespaces)
            }
        }
        request.labelColumns = given.isEmpty ? nil : given
        request.noLabels = noLabels
        request.validationSplit = validationSplit
        request.validation = validation.map { .file($0) }
        request.topGenes = topGenes
        if let geneSelection {
            guard let flavor = GeneSelection.Flavor(rawValue: geneSelection) else {
                throw VAExprsError.usage(
                    """
                    --gene-selection must be one of: \
                    \(GeneSelection.Flavor.allCases.map(\.rawValue).joined(separator: ", ")); got \
                    '\(geneSelection)'
                    """
                )
            }
            request.geneSelection = flavor
        }
        request.stream = stream
        request.memoryLimit =
            try memoryLimit.map { try MemoryBudget.parse($0, parameter: "memoryLimit") } ?? MemoryBudget.defaultLimit
        request.chunkCells = chunkCells
        request.threads = threads
        return request
    }

    /// Saves the model and reports it (only the process that writes; the others are silent).
    private func finish(_ model: TrainedModel, silent: Bool, start: Date) throws {
        try model.save(to: output)
        let h = model.history
        var summary =
            """
            wrote \(output): \(model.conditions == nil ? "VAE" : "CVAE"), \(model.trainingCellIDs.count) training \
            cells × \(model.geneNames.count) genes, \(h.epochs.count) epochs in \
            \(String(format: "%.2f", Date().timeIntervalSince(start))) s
            """
        if let last = h.epochs.last { summary += String(format: ", final loss %.4f", last.loss) }
        if let restored = h.restoredEpoch { summary += ", weights of epoch \(restored) restored (best \(h.monitor))" }
        print(summary)
        if !silent { for note in model.setup?.notes ?? [] { printError("fit: \(note)") } }
        if let warning = Fit.overfittingNotice(h) { printNotice(warning, command: "fit") }
    }
}
