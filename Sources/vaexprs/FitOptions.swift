import ArgumentParser
import Foundation
import VAExprs

/// The cells `fit` (and `utility`) read: the matrix and its labels.
struct FitInputOptions: ParsableArguments {
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

    /// Sets how the request's file (`counts`, given to `FitModelOptions.request`) is read, and
    /// its labels.
    func apply(to request: inout FitRequest) {
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
    }
}

/// How `fit` (and `utility`) build and train a model.
struct FitModelOptions: ParsableArguments {
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
    var epochs: Int?
    @Option(help: "Cells per gradient step.")
    var batchSize = 32
    @Option(help: "adam, sgd or rmsprop (options as 'sgd:momentum=0.9').")
    var optimizer = "adam"
    @Option(help: "Learning rate (default: the optimizer's Keras default).")
    var learningRate: Double?
    @Option(help: "Fraction of cells held out for validation, in [0, 1).")
    var validationSplit: Double?
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
    @Option(
        help:
            """
            The precision of the dense layers' products in training: float32, or bf16 (bfloat16 inputs with float32 \
            sums, 1.5-1.7x faster at batch 128; CPUs with AVX512_BF16 only). Weights stay float32.
            """
    )
    var precision = "float32"

    /// The library's request for `counts` from these options (`epochs` as given, or `defaultEpochs`).
    func request(counts: String, defaultEpochs: Int? = nil) throws -> FitRequest {
        guard let epochs = epochs ?? defaultEpochs else {
            throw VAExprsError.usage(
                """
                --epochs is required: passes over the training cells, e.g. 300 with --validation-split 0.1 \
                --patience 20
                """
            )
        }
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
        guard let productPrecision = ProductPrecision(rawValue: precision) else {
            throw VAExprsError.usage("--precision must be float32 or bf16, got '\(precision)'")
        }
        training.precision = productPrecision
        var request = FitRequest(counts: counts, training: training)
        request.choices = choices
        request.validationSplit = validationSplit
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
        request.threads = threads
        return request
    }
}
