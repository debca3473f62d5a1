import Foundation

/// `fit` (the original's `fit_vae`): the one fit pipeline, for cells in memory or streamed
/// from disk, in one process or many (a plain fit is a process group of one).
public enum Fit {
    /// Checks what can be checked before any data is read: values in range, every component
    /// name known to the registry, options that go together.
    /// - Throws: `VAExprsError.usage` naming the parameter at fault.
    public static func check(_ request: FitRequest, registry: Registry) throws {
        let choices = request.choices
        if let topGenes = request.topGenes, topGenes < 0 {
            throw VAExprsError.usage("\(parameter: "topGenes") must be ≥ 0 (0 keeps every gene), got \(topGenes)")
        }
        if request.geneSelection != nil && request.topGenes == nil {
            throw VAExprsError.usage(
                """
                \(parameter: "geneSelection") ranks genes for \(parameter: "topGenes") N; give \
                \(parameter: "topGenes") too
                """
            )
        }
        if let named = choices.likelihood { _ = try registry.facts(.likelihood, named) }
        for layer in (choices.encoder ?? []) + (choices.decoder ?? []) { _ = try registry.factory(.layer, for: layer) }
        _ = try registry.makePrior(choices.prior)
        if let latent = choices.latentDimension, latent <= 0 {
            throw VAExprsError.usage("\(parameter: "latentDimension") must be a positive whole number, got \(latent)")
        }
        if let weight = choices.regularization, !(weight >= 0 && weight.isFinite) {
            throw VAExprsError.usage("\(parameter: "regularization") must be a finite number ≥ 0, got \(weight)")
        }
        _ = try registry.makeOptimizer(request.training.optimizer)
        if request.validation != nil && request.validationSplit != nil {
            throw VAExprsError.usage(
                "give either \(parameter: "validationSplit") or \(parameter: "validationFile"), not both")
        }
        try request.training.validate(hasValidation: request.validation != nil || (request.validationSplit ?? 0) > 0)
        try ThreadCount.check(request.threads)
        let given = request.labelColumns ?? []
        if given.contains(where: \.isEmpty) {
            throw VAExprsError.usage(
                "\(parameter: "labelColumns"): an empty column name in '\(given.joined(separator: ","))'")
        }
        // Each label column becomes an obs column of an .h5ad the model writes (an HDF5 group
        // under /obs): names HDF5 or anndata cannot hold are refused now, not at generate.
        if let bad = given.first(where: { !NameRules.isObsColumnName($0) }) {
            throw VAExprsError.usage(
                """
                \(parameter: "labelColumns"): '\(DisplayText.neutralised(bad, keepingNewlines: false))' cannot \
                name a label column: it becomes an obs column of the .h5ad files generate writes, where '_index', \
                '.', '..', '/' and control characters are not allowed; rename the column
                """
            )
        }
        if let repeated = given.first(where: { name in given.filter { $0 == name }.count > 1 }) {
            throw VAExprsError.usage(
                """
                \(parameter: "labelColumns") names '\(repeated)' twice; each label column is a separate \
                condition, name each once
                """
            )
        }
        if request.noLabels && (request.labels != nil || request.labelColumns != nil) {
            throw VAExprsError.usage(
                """
                \(parameter: "noLabels") asks for a plain VAE, but \(parameter: "labels") or \
                \(parameter: "labelColumns") name labels; give one or the other
                """
            )
        }
        let matrix = try AnnDataMatrix.chosen(layer: request.layer, useRaw: request.useRaw)
        if case .matrix = request.counts {
            if matrix != .x {
                throw VAExprsError.usage(
                    """
                    \(parameter: matrix == .raw ? "useRaw" : "layer") reads a matrix of an .h5ad file; these \
                    cells are a matrix in memory
                    """)
            }
            if request.labels != nil {
                throw VAExprsError.usage(
                    """
                    \(parameter: "labels") names a label file for cells read from a file; cells given as a matrix \
                    carry their labels with them
                    """
                )
            }
            if request.stream {
                throw VAExprsError.usage(
                    "\(parameter: "stream") reads cells from a file; these cells are a matrix in memory")
            }
        }
    }

    /// Checks `request`, reads (or streams) its cells, chooses what was not given and trains.
    /// Numeric work runs on `request.threads`; the process's thread count is restored after.
    /// - Parameters:
    ///   - progress: receives each epoch.
    ///   - notes: receives the choices made (likelihood, streaming, labels from obs).
    /// - Returns: the trained model (not yet saved).
    /// - Throws: `VAExprsError` naming the parameter or file at fault.
    public static func run(
        _ request: FitRequest, registry: Registry, progress: TrainingProgress? = nil,
        notes: (Notice) -> Void = { _ in }
    ) throws -> TrainedModel {
        try check(request, registry: registry)
        // A named likelihood is built here, once: its options are checked before any data is read.
        let named = try request.choices.likelihood.map { try registry.makeLikelihood($0) }
        if let group = request.training.processGroup {
            notes(
                Notice(
                    """
                    training over \(group.size) processes (MPI): each global batch of \
                    \(request.training.batchSize) cells is split between them; the model is written by rank 0
                    """
                ))
        }
        let (cells, setup) = try open(request, registry: registry, notes: notes)
        let likelihood =
            try named.flatMap { setup.spec.likelihood == request.choices.likelihood ? $0 : nil }
            ?? registry.makeLikelihood(setup.spec.likelihood)
        return try ThreadCount.using(request.threads) {
            try train(
                cells, setup: setup, likelihood: likelihood, request: request, registry: registry, progress: progress,
                notes: notes)
        }
    }

    /// The cells (read into memory, or opened to stream) and the setup resolved for them.
    private static func open(
        _ request: FitRequest, registry: Registry,
        notes: (Notice) -> Void
    ) throws -> (any FitCellSource, FitSetupChoices.Resolved) {
        let columns = request.labelColumns
        switch request.counts {
        case .matrix(let given, let labels):
            let (data, validation, logScales) = try recoverLogCounts(
                given, validation: try request.validation.map { try validationMatrix($0, request: request) },
                source: "\(parameter: "counts")", request: request, registry: registry, notes: notes)
            let cells = try InMemoryCells(
                data, labels: labels, labelColumns: (columns ?? ["label"]).count, validation: validation,
                labelSource: "\(parameter: "labels")", logScales: logScales)
            return (cells, try resolve(request, for: data, registry: registry, notes: notes, sampled: false))
        case .file(let path):
            let matrix = try AnnDataMatrix.chosen(layer: request.layer, useRaw: request.useRaw)
            let obsLabelsNote = Notice(
                """
                \(path): its obs column '\(DatasetLoader.defaultObsLabelColumn)' is the condition (a conditional \
                VAE); \(parameter: "labelColumns") names other obs columns, \(parameter: "noLabels") fits a plain \
                VAE
                """
            )
            if let file = try streamedFile(request, path: path, matrix: matrix, notes: notes) {
                let (labels, fromObs) = try DatasetLoader.labels(
                    of: file, labelsPath: request.labels, labelColumns: columns,
                    obsLabelsByDefault: !request.noLabels)
                if fromObs { notes(obsLabelsNote) }
                let cells = try StreamedCells(
                    file, labels: labels, chunkCells: request.chunkCells, bufferBytes: request.bufferBytes)
                let setup = try resolve(
                    request, for: try file.sample(cells: 20_000), registry: registry, notes: notes, sampled: true)
                guard try registry.likelihoodFacts(setup.spec.likelihood).data == .counts else {
                    throw VAExprsError.usage(
                        """
                        training streamed from disk reads raw counts for a count likelihood (nb, zinb, poisson); \
                        \(setup.spec.likelihood.name) models continuous values: name a count likelihood, or train \
                        in memory (without \(parameter: "stream"), with a larger \(parameter: "memoryLimit"))
                        """
                    )
                }
                return (cells, setup)
            }
            if case .matrix = request.validation {
                throw VAExprsError.usage(
                    """
                    \(parameter: "validationFile") is a matrix in memory while the training cells are a file; \
                    give both as files or both as matrices
                    """
                )
            }
            let inputs = try DatasetLoader.load(
                counts: path, genesInRows: request.genesInRows, matrix: matrix, labels: request.labels,
                labelColumns: columns, validation: request.validation?.path,
                obsLabelsByDefault: !request.noLabels)
            if inputs.labelsFromObsByDefault { notes(obsLabelsNote) }
            let (data, validation, logScales) = try recoverLogCounts(
                inputs.data, validation: inputs.validation, source: path, request: request, registry: registry,
                notes: notes)
            let setup = try resolve(request, for: data, registry: registry, notes: notes, sampled: false)
            // X fitted as continuous values while another matrix of the file holds counts: say
            // which option fits those (the values are profiled only then, and only for an .h5ad).
            if matrix == .x, H5AD.isH5AD(path), try registry.likelihoodFacts(setup.spec.likelihood).data != .counts,
                !ValueProfile(data.cells).isCounts, let counts = H5AD.countMatrices(path).first
            {
                let option =
                    counts == .raw ? "\(parameter: "useRaw")" : "\(parameter: "layer") \(counts.layerName ?? "")"
                notes(
                    Notice(
                        """
                        \(path): X holds values that are not counts (log-normalised or scaled), while \
                        \(counts.description) holds whole numbers: \(option) models those counts as counts
                        """
                    ))
            }
            let cells = try InMemoryCells(
                data, labels: inputs.labels, labelColumns: (columns ?? ["label"]).count,
                validation: validation, labelSource: request.labels ?? path, logScales: logScales)
            return (cells, setup)
        }
    }

    /// Log-normalised counts given where counts could be modelled (no normalisation or
    /// continuous likelihood asked for): the counts recovered, with the validation cells', and
    /// each training cell's scale; the values as they are otherwise (said when they could have
    /// been log-normalised counts but are not).
    private static func recoverLogCounts(
        _ data: ExpressionMatrix, validation: (ExpressionMatrix, labels: [[String]]?)?, source: String,
        request: FitRequest, registry: Registry, notes: (Notice) -> Void
    ) throws -> (ExpressionMatrix, (ExpressionMatrix, labels: [[String]]?)?, InMemoryCells.LogScales?) {
        let choices = request.choices
        let named = choices.likelihood ?? choices.wholeSpec?.spec.likelihood ?? choices.preset.likelihood
        guard choices.normalization == nil || choices.normalization == .auto,
            try named.map({ try registry.likelihoodFacts($0).data == .counts }) ?? true,
            let outcome = LogCountsRecovery.recover(data)
        else { return (data, validation, nil) }
        switch outcome {
        case .failure(let refusal):
            notes(
                Notice(
                    """
                    \(source): the values are not log-normalised counts (cell '\(data.cellIDs[refusal.cell])', \
                    value \(refusal.value): no log1p, log2 or log10 with one scale per cell inverts its values to \
                    whole numbers), so they are modelled as continuous values
                    """
                ))
            return (data, validation, nil)
        case .success(let recovered):
            var validationCounts = validation
            if let (cells, labels) = validation {
                guard let counts = LogCountsRecovery.counts(of: cells, base: recovered.base) else {
                    throw VAExprsError.badData(
                        """
                        \(parameter: "validationFile"): the training cells are log-normalised counts \
                        (\(recovered.base.formula)) but the validation cells are not; normalise both alike
                        """
                    )
                }
                validationCounts = (counts.counts, labels)
            }
            notes(
                Notice(
                    """
                    \(source): \(recovered.statement): the counts are recovered and modelled as counts; generated \
                    cells come back on this scale (\(parameter: "asCounts") gives the counts)
                    """
                ))
            return (recovered.counts, validationCounts, .init(base: recovered.base, scales: recovered.scales))
        }
    }

    /// A validation matrix given with a matrix of training cells.
    private static func validationMatrix(_ cells: FitCells, request: FitRequest) throws -> (
        ExpressionMatrix, labels: [[String]]?
    ) {
        guard case .matrix(let data, let labels) = cells else {
            throw VAExprsError.usage(
                """
                \(parameter: "validationFile") is a file while the training cells are a matrix in memory; give \
                both as files or both as matrices
                """
            )
        }
        return (data, labels)
    }

    /// Likelihood and normalisation: given, the preset's, or chosen from the values (said).
    private static func resolve(
        _ request: FitRequest, for data: ExpressionMatrix, registry: Registry, notes: (Notice) -> Void,
        sampled: Bool
    ) throws -> FitSetupChoices.Resolved {
        let setup = try request.choices.resolve(for: data, registry: registry)
        if setup.chosenFromData {
            notes(
                Notice(
                    sampled
                        ? """
                        \(setup.choice) (judged on a sample of cells); give \(parameter: "likelihood") to choose \
                        otherwise
                        """
                        : """
                        \(setup.choice); give \(parameter: "likelihood") (and \(parameter: "normalization")) to \
                        choose otherwise
                        """
                ))
        }
        return setup
    }

    /// Each label group's offsets on the decoder's outputs (`OutputOffsetEstimating`): cells of
    /// the label drawn as `generate` draws them, brought to the mean of the label's cells in the
    /// even sample of training cells; nil when the likelihood has none or no label has
    /// `OutputOffsets.minimumCells` cells in the sample.
    static func outputOffsets(
        _ model: TrainedModel, sample: LikelihoodSample, registry: Registry, drawnCells: Int = OutputOffsets.drawnCells
    ) throws -> StoredOutputOffsets? {
        guard let estimating = model.network.likelihood as? any OutputOffsetEstimating else { return nil }
        var groups: [StoredOutputOffsets.Group] = []
        try Generator(model: model, registry: registry).forEachCalibrationDraw(
            count: drawnCells, minimumCells: OutputOffsets.minimumCells, seed: model.seed
        ) { key, output, context in
            // The sample cells of the draw's label group (all of them for a plain VAE).
            var rows = Array(0..<sample.target.rows)
            if model.conditions != nil, let index = context.group?.first, let sampleGroups = sample.context.group {
                rows = sampleGroups.indices.filter { sampleGroups[$0] == index }
            }
            guard rows.count >= OutputOffsets.minimumCells else { return }
            // Counts: each cell's proportions (counts over its library size), as the draws carry
            // no library sizes and as normalised data show the cells.
            var targetMeans = [Double](repeating: 0, count: sample.target.columns)
            for i in rows {
                let scale = sample.context.librarySize.map { 1 / max(Double($0[i]), 1) } ?? 1
                for j in targetMeans.indices { targetMeans[j] += scale * Double(sample.target[i, j]) }
            }
            for j in targetMeans.indices { targetMeans[j] /= Double(rows.count) }
            let evidence = sample.context.librarySize.map { l in rows.reduce(0.0) { $0 + Double(l[$1]) } }
            let offsets = estimating.outputOffsets(
                output: output, context: context, targetMeans: targetMeans, evidence: evidence ?? Double(rows.count))
            groups.append(StoredOutputOffsets.Group(label: key, offsets: offsets))
        }
        return groups.isEmpty ? nil : StoredOutputOffsets(groups: groups)
    }

    /// The pipeline: validation cells held out, conditions encoded, genes selected, cells
    /// prepared, the network built on an even sample, trained, the training cells' latent
    /// means taken and the likelihood refitted at them.
    private static func train(
        _ cells: any FitCellSource, setup: FitSetupChoices.Resolved, likelihood: any Likelihood,
        request: FitRequest, registry: Registry, progress: TrainingProgress?, notes: (Notice) -> Void
    ) throws -> TrainedModel {
        let spec = setup.spec
        let facts = try registry.likelihoodFacts(spec.likelihood)
        var rng = SeededGenerator(seed: request.training.seed)
        var splitRNG = rng.split()
        let fraction = cells.hasSeparateValidation ? nil : request.validationSplit
        let isTraining = try ValidationSplit.trainingRows(cells.cellCount, fraction: fraction, rng: &splitRNG)
        let trainingRows = isTraining.indices.filter { isTraining[$0] }
        let labelColumns = request.labelColumns ?? ["label"]

        // Conditions: the training cells' label combinations; a held-out cell's label that no
        // training cell has cannot be encoded.
        let trainingLabels = cells.labels.map { l in trainingRows.map { l[$0] } }
        let encoding = trainingLabels.map { ConditionEncoding(columns: labelColumns, labels: $0) }
        let groupKeys = encoding.map { $0.groups(of: trainingLabels!).keys } ?? []
        if let encoding, let labels = cells.labels {
            var seen = Set<String>(), distinct: [[String]] = []
            let held =
                cells.separateValidationLabels ?? isTraining.indices.filter { !isTraining[$0] }.map { labels[$0] }
            for l in held where seen.insert(encoding.key(l)).inserted { distinct.append(l) }
            _ = try encoding.encode(distinct, source: "\(parameter: "labels") (validation cells)")
        }

        var plan = FitPlan(
            isTraining: isTraining, trainingRows: trainingRows, encoding: encoding, groupKeys: groupKeys,
            selection: nil,
            normalization: setup.normalization, target: facts.data, samplePositions: [],
            source: request.counts.describe("counts"))
        if let top = request.topGenes, top > 0 {
            let flavor = request.geneSelection ?? (facts.data == .counts ? .seuratV3 : .dispersion)
            plan.selection = try cells.selectGenes(plan, count: top, flavor: flavor)
        }
        let geneNames = plan.selection.map { $0.selected.map { cells.geneNames[$0] } } ?? cells.geneNames
        // The likelihood's statistics read a dense even sample, bounded so that cells × outputs
        // stays small on atlas-sized data.
        let sampleLimit = max(1, likelihoodSampleEntries / max(facts.outputsPerFeature * geneNames.count, 1))
        plan.samplePositions =
            trainingRows.count > sampleLimit
            ? (0..<sampleLimit).map { $0 * trainingRows.count / sampleLimit }
            : Array(trainingRows.indices)
        let prepared = try cells.prepare(plan)

        var initRNG = rng.split()
        var sample = prepared.sample
        let network = try VAENetwork(
            spec: spec, featureCount: geneNames.count, conditionWidth: encoding?.width ?? 0,
            groups: groupKeys.count, registry: registry, likelihood: likelihood,
            training: sample.target, context: sample.context, rng: &initRNG)
        let (training, validation) = try cells.batches(likelihood: network.likelihood)
        var options = request.training
        if (options.processGroup?.size ?? 1) > 1 {  // what the processes compare (DataParallel.agree)
            options.fingerprint.add("counts", "gene ids", strings: geneNames)
            options.fingerprint.add("counts", "training cell ids", strings: trainingRows.map { cells.cellIDs[$0] })
            options.fingerprint.add(
                "labels", "labels", strings: trainingLabels?.map { $0.joined(separator: "\u{1F}") } ?? [])
            options.fingerprint.add("normalization", "normalisation", prepared.preprocessing.normalization.rawValue)
            options.fingerprint.add("stream", "training data", cells.readingDescription)
        }
        let history = try Trainer(options: options, registry: registry)
            .train(network, source: training, validation: validation, rng: rng.split(), progress: progress)

        let means = try latentMeans(network, of: training)
        sample.context.constant = network.likelihood.constantTerms(target: sample.target)
        let sampled =
            plan.samplePositions.count == trainingRows.count
            ? ""
            : " (on \(plan.samplePositions.count) of \(trainingRows.count) cells, spread evenly)"
        let refit = network.likelihood.refitAtLatentMeans(
            output: TrainedModel.decodedMeans(
                network, means: means.gatherRows(plan.samplePositions), conditions: sample.conditions),
            target: sample.target, context: sample.context
        ).map { $0 + sampled }
        let fitSetup = FitSetup(
            choice: setup.choice, geneSelection: plan.selection, notes: prepared.notes + (refit.map { [$0] } ?? []),
            trainingProcesses: request.training.processGroup.flatMap { $0.size > 1 ? $0.size : nil })
        let model = TrainedModel(
            network: network, geneNames: geneNames, preprocessing: prepared.preprocessing,
            conditions: encoding, trainingCellIDs: trainingRows.map { cells.cellIDs[$0] }, trainingLatentMeans: means,
            trainingLabels: trainingLabels, history: history, seed: request.training.seed, setup: fitSetup)
        // The latent mixture search, once, so that every `generate` samples without it; by the
        // process that writes the model (MPI rank 0) only.
        let searchStart = Date()
        if (request.training.processGroup?.rank ?? 0) == 0 {
            model.latentMixtures = try Generator(model: model, registry: registry).storedMixtures(
                seed: request.training.seed)
        }
        if let groups = model.latentMixtures?.groups.count {
            notes(
                Notice(
                    """
                    latent mixtures searched once (\(groups) label group(s), \
                    \(String(format: "%.2f", Date().timeIntervalSince(searchStart))) s) and stored in the model
                    """
                ))
        }
        if (request.training.processGroup?.rank ?? 0) == 0 {
            if let validation, model.latentMixtures != nil {
                notes(
                    Notice(
                        try chooseLatentShrinkage(
                            model, validation: validation, sample: sample, samplePositions: plan.samplePositions,
                            registry: registry)))
            }
            model.outputOffsets = try outputOffsets(model, sample: sample, registry: registry)
        }
        if let offsets = model.outputOffsets {
            notes(
                Notice(
                    """
                    per-label output offsets for \(offsets.groups.count) label group(s) (median |offset| \
                    \(String(format: "%.3g", offsets.medianMagnitude))): each label's generated gene means follow its \
                    training cells'\(sampled)
                    """
                ))
        }
        return model
    }

    /// The training cells' latent means, in order, read in batches of 1 024.
    private static func latentMeans(_ network: VAENetwork, of cells: any MiniBatchSource) throws -> Matrix {
        var means = Matrix(rows: cells.count, columns: network.spec.latentDimension)
        var unused = SeededGenerator(seed: 0), inference = SeededGenerator(seed: 0)  // inference draws nothing
        var filled = 0
        try cells.forEachBatch(batchSize: 1024, shuffle: false, rng: &unused) { batch in
            let mean = network.encode(batch.input, conditions: batch.conditions, phase: .inference, rng: &inference)
                .mean
            means.storage.replaceSubrange(
                (filled * means.columns)..<((filled + mean.rows) * means.columns), with: mean.storage)
            filled += mean.rows
        }
        return means
    }

    /// Cells × likelihood outputs that the likelihood's dense statistics may read at once
    /// (2²⁵ values, 128 MiB): every cell of small data, an even sample of large data.
    static let likelihoodSampleEntries = 1 << 25

    /// The file to stream the cells from, when `stream` asks for it or training in memory
    /// would exceed the memory limit; nil to read the cells into memory.
    private static func streamedFile(
        _ request: FitRequest, path: String, matrix: AnnDataMatrix, notes: (Notice) -> Void
    ) throws -> SparseRowFile? {
        let streamable = SparseRowFile.canStream(path)
        guard request.stream else {
            guard streamable, !request.genesInRows, let file = try? SparseRowFile(path, matrix: matrix) else {
                return nil
            }
            let needed = MemoryBudget.inMemoryEstimate(file)
            guard needed > request.memoryLimit else { return nil }
            let why =
                """
                training in memory would need about \(MemoryBudget.describe(needed)), more than the memory limit \
                of \(MemoryBudget.describe(request.memoryLimit))
                """
            try checkStreamable(
                request, because: why + " (\(parameter: "memoryLimit"))",
                remedy: "or raise \(parameter: "memoryLimit") to train in memory")
            notes(Notice("\(why): streaming the cells from \(path) (\(parameter: "memoryLimit") raises the limit)"))
            return file
        }
        guard streamable else {
            throw VAExprsError.usage(
                """
                \(parameter: "stream") reads an .h5ad whose X is a CSR matrix, or a Cell Ranger .h5; \(path) is \
                neither: write it as .h5ad (scanpy: sc.read_10x_mtx(folder).write_h5ad('data.h5ad')), or train in \
                memory without \(parameter: "stream")
                """
            )
        }
        try checkStreamable(
            request, because: "\(parameter: "stream")", remedy: "or train in memory without \(parameter: "stream")")
        return try SparseRowFile(path, matrix: matrix)
    }

    /// Options that training streamed from disk cannot honour, refused with what to do.
    private static func checkStreamable(_ request: FitRequest, because reason: String, remedy: String) throws {
        if request.genesInRows {
            throw VAExprsError.usage(
                """
                \(reason): cells are streamed from disk a block of rows at a time, so they must be the rows \
                (\(parameter: "genesInRows") cannot be streamed); transpose the file, \(remedy)
                """
            )
        }
        if request.validation != nil {
            throw VAExprsError.usage(
                """
                \(reason): training streamed from disk holds out validation cells with \
                \(parameter: "validationSplit"), not from a \(parameter: "validationFile") file; use \
                \(parameter: "validationSplit"), \(remedy)
                """
            )
        }
    }
}
