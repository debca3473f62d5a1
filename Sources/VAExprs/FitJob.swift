import Foundation

/// `fit` (the original's `fit_vae`) on files as one library call: the inputs read (or
/// streamed from disk when they would not fit in memory), the setup chosen, the model trained.
public struct FitJobRequest {
    /// Cells × genes: CSV/TSV (.gz), a 10x folder, an .h5ad or a Cell Ranger .h5.
    public var counts: String
    /// The CSV/TSV has genes in rows.
    public var genesInRows = false
    /// A label file (`cell,label,...`) or an .h5ad holding them; nil for none.
    public var labels: String?
    /// The label columns used as conditions (nil: `label`, or none).
    public var labelColumns: [String]?
    /// A plain VAE even when the .h5ad's obs has a `label` column.
    public var noLabels = false
    /// The setup asked for (preset, likelihood, architecture, ...); what is not given is chosen.
    public var choices = FitSetupChoices()
    /// Epochs, batches, optimizer, early stopping, seed, processes.
    public var training: TrainingOptions
    /// Validation: the fraction of cells held out.
    public var validationSplit: Double?
    /// Validation: a file of other cells (same genes), instead of a split.
    public var validationFile: String?
    /// Train on the N most variable genes (ranked by `geneSelection`).
    public var topGenes: Int?
    /// How `topGenes` ranks genes (default: Seurat v3 for counts, dispersion otherwise).
    public var geneSelection: GeneSelection.Flavor?
    /// Stream the cells from disk even when they fit in memory.
    public var stream = false
    /// Memory the fit may plan to use; larger data are streamed when they can be.
    public var memoryLimit = MemoryBudget.defaultLimit
    /// Threads of numeric work (nil: the default).
    public var threads: Int?

    /// A request to fit the cells of `counts` with `training`'s options.
    public init(counts: String, training: TrainingOptions) {
        self.counts = counts
        self.training = training
    }
}

/// Runs `FitJobRequest`s.
public enum FitJob {
    /// Checks what can be checked before any data is read: values in range, every component
    /// name known to the registry.
    /// - Throws: `VAExprsError.usage` naming the parameter at fault.
    public static func check(_ request: FitJobRequest, registry: Registry) throws {
        let choices = request.choices
        if let topGenes = request.topGenes, topGenes < 1 { throw VAExprsError.usage("\(parameter: "topGenes") must be a positive whole number, got \(topGenes)") }
        if request.geneSelection != nil && request.topGenes == nil {
            throw VAExprsError.usage("\(parameter: "geneSelection") ranks genes for \(parameter: "topGenes") N; give \(parameter: "topGenes") too")
        }
        if let named = choices.likelihood { _ = try registry.makeLikelihood(named) }
        for layer in (choices.encoder ?? []) + (choices.decoder ?? []) { _ = try registry.factory(.layer, for: layer) }
        _ = try registry.makePrior(choices.prior)
        if let latent = choices.latentDimension, latent <= 0 { throw VAExprsError.usage("\(parameter: "latentDimension") must be a positive whole number, got \(latent)") }
        if let weight = choices.regularization, !(weight >= 0 && weight.isFinite) {
            throw VAExprsError.usage("\(parameter: "regularization") must be a finite number ≥ 0, got \(weight)")
        }
        _ = try registry.makeOptimizer(request.training.optimizer)
        try request.training.validate(hasValidation: request.validationFile != nil || (request.validationSplit ?? 0) > 0)
        try checkThreadCount(request.threads)
        let given = request.labelColumns ?? []
        if given.contains(where: \.isEmpty) { throw VAExprsError.usage("\(parameter: "labelColumns"): an empty column name in '\(given.joined(separator: ","))'") }
        // Each label column becomes an obs column of an .h5ad the model writes (an HDF5 group
        // under /obs): names HDF5 or anndata cannot hold are refused now, not at generate.
        if let bad = given.first(where: { !NameRules.isObsColumnName($0) }) {
            throw VAExprsError.usage("\(parameter: "labelColumns"): '\(DisplayText.neutralised(bad, keepingNewlines: false))' cannot name a label column: it becomes an obs column of the .h5ad files generate writes, where '_index', '.', '..', '/' and control characters are not allowed; rename the column")
        }
        if let repeated = given.first(where: { name in given.filter { $0 == name }.count > 1 }) {
            throw VAExprsError.usage("\(parameter: "labelColumns") names '\(repeated)' twice; each label column is a separate condition, name each once")
        }
        if request.noLabels && (request.labels != nil || request.labelColumns != nil) {
            throw VAExprsError.usage("\(parameter: "noLabels") asks for a plain VAE, but \(parameter: "labels") or \(parameter: "labelColumns") name labels; give one or the other")
        }
    }

    /// Checks `request`, reads (or streams) its cells, chooses what was not given and trains.
    /// - Parameters:
    ///   - progress: receives each epoch.
    ///   - notes: receives the choices made (likelihood, streaming, labels from obs).
    /// - Returns: the trained model (not yet saved).
    /// - Throws: `VAExprsError` naming the parameter or file at fault.
    public static func run(_ request: FitJobRequest, registry: Registry, progress: TrainingProgress? = nil,
                           notes: (Notice) -> Void = { _ in }) throws -> TrainedModel {
        try check(request, registry: registry)
        let columns = request.labelColumns
        let obsLabelsNote = Notice("\(request.counts): its obs column '\(DatasetLoader.defaultObsLabelColumn)' is the condition (a conditional VAE); \(parameter: "labelColumns") names other obs columns, \(parameter: "noLabels") fits a plain VAE")
        if let group = request.training.processGroup {
            notes(Notice("training over \(group.size) processes (MPI): each global batch of \(request.training.batchSize) cells is split between them; the model is written by rank 0"))
        }
        if let file = try streamedFile(request, notes: notes) {
            let (fileLabels, fromObs) = try DatasetLoader.labels(of: file, labelsPath: request.labels, labelColumns: columns,
                                                                obsLabelsByDefault: !request.noLabels)
            if fromObs { notes(obsLabelsNote) }
            let setup = try request.choices.resolve(for: try file.sample(cells: 20_000), registry: registry)
            if setup.chosenFromData { notes(Notice("\(setup.choice) (judged on a sample of cells); give \(parameter: "likelihood") to choose otherwise")) }
            var streamed = StreamedFitRequest(file: file, labels: fileLabels, labelColumns: columns ?? ["label"], validationSplit: request.validationSplit,
                                              spec: setup.spec, training: request.training, threads: request.threads, setupChoice: setup.choice)
            streamed.topGenes = request.topGenes
            streamed.geneSelectionFlavor = request.geneSelection
            return try fitVAEStreamed(streamed, registry: registry, progress: progress)
        }
        let inputs = try DatasetLoader.load(counts: request.counts, genesInRows: request.genesInRows, labels: request.labels,
                                            labelColumns: columns, validation: request.validationFile, validationSplit: request.validationSplit,
                                            obsLabelsByDefault: !request.noLabels)
        if inputs.labelsFromObsByDefault { notes(obsLabelsNote) }
        // Likelihood and normalisation: given, the preset's, or chosen from the values.
        let setup = try request.choices.resolve(for: inputs.data, registry: registry)
        if setup.chosenFromData { notes(Notice("\(setup.choice); give \(parameter: "likelihood") (and \(parameter: "normalization")) to choose otherwise")) }
        let fit = FitRequest(counts: inputs.data, labels: inputs.labels, labelColumns: columns ?? ["label"],
                             validation: inputs.validation, normalization: setup.normalization, spec: setup.spec,
                             training: request.training, threads: request.threads, topGenes: request.topGenes,
                             geneSelectionFlavor: request.geneSelection, setupChoice: setup.choice)
        return try fitVAE(fit, registry: registry, progress: progress)
    }

    /// The file to stream the cells from, when `stream` asks for it or training in memory
    /// would exceed the memory limit; nil to train in memory.
    static func streamedFile(_ request: FitJobRequest, notes: (Notice) -> Void) throws -> SparseRowFile? {
        let counts = request.counts
        let streamable = SparseRowFile.canStream(counts)
        guard request.stream else {
            guard streamable, !request.genesInRows, let file = try? SparseRowFile(counts) else { return nil }
            let needed = MemoryBudget.inMemoryEstimate(file)
            guard needed > request.memoryLimit else { return nil }
            let why = "training in memory would need about \(MemoryBudget.describe(needed)), more than the memory limit of \(MemoryBudget.describe(request.memoryLimit))"
            try checkStreamable(request, because: why + " (\(parameter: "memoryLimit"))", remedy: "or raise \(parameter: "memoryLimit") to train in memory")
            notes(Notice("\(why): streaming the cells from \(counts) (\(parameter: "memoryLimit") raises the limit)"))
            return file
        }
        guard streamable else {
            throw VAExprsError.usage("\(parameter: "stream") reads an .h5ad whose X is a CSR matrix, or a Cell Ranger .h5; \(counts) is neither: write it as .h5ad (scanpy: sc.read_10x_mtx(folder).write_h5ad('data.h5ad')), or train in memory without \(parameter: "stream")")
        }
        try checkStreamable(request, because: "\(parameter: "stream")", remedy: "or train in memory without \(parameter: "stream")")
        return try SparseRowFile(counts)
    }

    /// Options that training streamed from disk cannot honour, refused with what to do.
    static func checkStreamable(_ request: FitJobRequest, because reason: String, remedy: String) throws {
        if request.genesInRows {
            throw VAExprsError.usage("\(reason): cells are streamed from disk a block of rows at a time, so they must be the rows (\(parameter: "genesInRows") cannot be streamed); transpose the file, \(remedy)")
        }
        if request.validationFile != nil {
            throw VAExprsError.usage("\(reason): training streamed from disk holds out validation cells with \(parameter: "validationSplit"), not from a \(parameter: "validationFile") file; use \(parameter: "validationSplit"), \(remedy)")
        }
    }

    /// Refuses a model path the model file cannot be written to as named (`.gz`: model files
    /// are written uncompressed) and checks its folder is writable.
    /// - Throws: `VAExprsError` naming `output`.
    public static func checkModelOutput(_ path: String) throws {
        try AtomicOutput.checkDestination(path)
        if path.lowercased().hasSuffix(".gz") {
            throw VAExprsError.usage("\(parameter: "output") \(path): model files are written uncompressed (their float32 weights barely compress, and every command reads them directly); name it without .gz, e.g. model.vaexprs")
        }
    }

    /// The overfitting warning for a model whose validation loss ended far above its training
    /// loss (nil when it did not).
    public static func overfittingNotice(_ history: TrainingHistory) -> Notice? {
        guard let kept = history.overfitting, let val = kept.valLoss else { return nil }
        return Notice(String(format: "warning: at epoch %d the validation loss (%.4g) is %@ the training loss (%.4g): the model describes its training cells far better than cells it never saw (overfitting), and generated cells may copy them. Try fewer epochs with ", kept.epoch, val, kept.loss > 0 ? String(format: "%.1f×", val / kept.loss) : "far above", kept.loss)
                      + "\(parameter: "patience") (early stopping on val_loss), a smaller network (\(parameter: "encoder") dense:64:relu \(parameter: "decoder") dense:64:relu), a larger \(parameter: "regularization"), \(parameter: "topGenes"), or more cells.")
    }
}
