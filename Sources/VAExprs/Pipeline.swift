import Foundation

/// `fit_vae`: preprocesses, splits validation cells, builds and trains a (C)VAE and returns
/// the model with its training cells' latent means.
package func fitVAE(_ request: FitRequest, registry: Registry, progress: TrainingProgress? = nil) throws -> TrainedModel {
    try request.spec.validate()
    try checkThreadCount(request.threads)
    let threads = request.threads ?? defaultThreadCount
    let threadsBefore = BLAS.setThreads(threads)
    defer { BLAS.setThreads(threadsBefore) }
    let all = request.counts
    guard all.cellCount > 0 else { throw VAExprsError.badData("the training matrix has no cells") }
    guard all.geneCount > 0 else { throw VAExprsError.badData("the training matrix has no genes") }
    var rng = SeededGenerator(seed: request.training.seed)
    var splitRNG = rng.split()

    // Validation cells.
    var trainRows = Array(0..<all.cellCount)
    var validationData: ExpressionMatrix? = nil
    var validationLabels: [[String]]? = nil
    switch request.validation {
    case .none: break
    case .split(let fraction):
        let isTraining = try ValidationSplit.trainingRows(all.cellCount, fraction: fraction, rng: &splitRNG)
        trainRows = trainRows.filter { isTraining[$0] }
        if trainRows.count < all.cellCount {
            let valRows = (0..<all.cellCount).filter { !isTraining[$0] }
            validationData = all.selectingCells(valRows)
            validationLabels = request.labels.map { l in valRows.map { l[$0] } }
        }
    case .data(let data, let labels):
        guard data.geneNames == all.geneNames else {
            throw VAExprsError.badData("\(parameter: "validationFile"): its genes differ from the training matrix's (same genes in the same order are needed)")
        }
        validationData = data
        validationLabels = labels
        if request.labels != nil && labels == nil {
            throw VAExprsError.usage("\(parameter: "validationFile"): a conditional model needs labels for the validation cells too (in the \(parameter: "labels") file)")
        }
    }
    // Every cell trains when none is held out: no copy then.
    var training = trainRows.count == all.cellCount ? all : all.selectingCells(trainRows)
    let trainingLabels = request.labels.map { l in trainRows.map { l[$0] } }

    // The likelihood decides what it scores (scaled values or raw counts).
    let likelihood = try registry.likelihoodFacts(request.spec.likelihood)
    let targetKind = likelihood.data
    var selection: GeneSelection? = nil
    if let top = request.topGenes {
        let flavor = request.geneSelectionFlavor ?? (targetKind == .counts ? .seuratV3 : .dispersion)
        var ranked = training.cells
        if flavor == .dispersion && request.normalization == .lognorm {
            ranked = .dense(try Preprocessing.libraryNormalized(training, source: "\(parameter: "counts")"))
        }
        let chosen = try GeneSelection.select(ranked, count: top, flavor: flavor)
        selection = chosen
        training = training.selectingGenes(chosen.selected)
        validationData = validationData?.selectingGenes(chosen.selected)
    }

    let (preprocessing, prepared) = try Preprocessing.fit(training, normalization: request.normalization,
                                                          target: targetKind, source: "\(parameter: "counts")")
    var data = prepared
    let encoding = trainingLabels.map { ConditionEncoding(columns: request.labelColumns, labels: $0) }
    data.conditions = try encoding.map { try $0.encode(trainingLabels!, source: "\(parameter: "labels")") }
    let groups = encoding.map { $0.groups(of: trainingLabels!) }
    data.context.group = groups?.index
    var validation: TrainingData? = nil
    if let validationData {
        var v = try preprocessing.transform(validationData, source: "\(parameter: "validationFile")")
        if let encoding {
            v.conditions = try encoding.encode(validationLabels!, source: "\(parameter: "labels") (validation cells)")
            v.context.group = encoding.groupIndices(of: validationLabels!, keys: groups!.keys)
        }
        validation = v
    }

    var initRNG = rng.split()
    // The likelihood's statistics (initial values, the refit after training) read a dense
    // sample of cells, bounded so that cells × outputs stays small on atlas-sized data.
    let outputWidth = likelihood.outputsPerFeature * data.featureCount
    let sample = data.evenSampleRows(limit: max(1, likelihoodSampleEntries / max(outputWidth, 1)))
    let network = try VAENetwork(spec: request.spec, featureCount: data.featureCount, conditionWidth: encoding?.width ?? 0,
                                 groups: groups?.keys.count ?? 0, registry: registry, training: data.target.denseRows(sample),
                                 context: data.context.gatherRows(sample), rng: &initRNG)
    // Parameter-free likelihood terms, once for all training and validation cells.
    data.context.constant = data.constantTerms(of: network.likelihood)
    if let v = validation { validation!.context.constant = v.constantTerms(of: network.likelihood) }
    var trainingOptions = request.training
    if (trainingOptions.processGroup?.size ?? 1) > 1 {  // what the processes compare (DataParallel.agree)
        trainingOptions.fingerprint.add("counts", "gene ids", strings: training.geneNames)
        trainingOptions.fingerprint.add("counts", "training cell ids", strings: training.cellIDs)
        trainingOptions.fingerprint.add("labels", "labels", strings: trainingLabels?.map { $0.joined(separator: "\u{1F}") } ?? [])
        trainingOptions.fingerprint.add("normalization", "normalisation", request.normalization.rawValue)
        trainingOptions.fingerprint.add("stream", "training data", "in memory")
    }
    let history = try Trainer(options: trainingOptions, registry: registry)
        .train(network, data: data, validation: validation, rng: rng.split(), progress: progress)
    let means = TrainedModel.latentMeans(network, x: data.input, conditions: data.conditions)
    let sampled = sample.count == data.count ? nil : " (on \(sample.count) of \(data.count) cells, spread evenly)"
    let noteOfRefit = network.likelihood.refitAtLatentMeans(
        output: TrainedModel.decodedMeans(network, means: means.gatherRows(sample), conditions: data.conditions?.gatherRows(sample)),
        target: data.target.denseRows(sample), context: data.context.gatherRows(sample)).map { $0 + (sampled ?? "") }
    let setup = FitSetup(choice: request.setupChoice ?? "given: likelihood \(request.spec.likelihood), normalisation \(request.normalization.rawValue)",
                         geneSelection: selection, notes: noteOfRefit.map { [$0] } ?? [],
                         trainingProcesses: request.training.processGroup.flatMap { $0.size > 1 ? $0.size : nil })
    return TrainedModel(network: network, geneNames: training.geneNames, preprocessing: preprocessing,
                        conditions: encoding, trainingCellIDs: training.cellIDs, trainingLatentMeans: means,
                        trainingLabels: trainingLabels, history: history, seed: request.training.seed, setup: setup)
}

/// Cells × likelihood outputs that the likelihood's dense statistics may read at once
/// (2²⁵ values, 128 MiB): every cell of small data, an even sample of large data.
let likelihoodSampleEntries = 1 << 25

/// Threads used when none are asked for: the cores this process may use, at most 8.
package var defaultThreadCount: Int { min(8, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

/// The most threads numeric work may use: 4 × the processors this process may run on (more
/// only adds switching; a mistyped 10000 would otherwise start ten thousand threads).
package var maximumThreadCount: Int { 4 * max(1, ProcessInfo.processInfo.activeProcessorCount) }

/// Checks a thread count given as `parameter` (absent is fine: the default applies).
/// - Throws: `VAExprsError.usage` naming the parameter.
package func checkThreadCount(_ threads: Int?, parameter: String = "threads") throws {
    guard let threads else { return }
    guard threads >= 1, threads <= maximumThreadCount else {
        throw VAExprsError.usage("\(parameter: parameter) must be a whole number from 1 to \(maximumThreadCount) (4 × the \(maximumThreadCount / 4) processors), got \(threads)")
    }
}

/// `gen_exprs`: generates cells from a trained model.
/// Numeric work runs on `threads` (default `defaultThreadCount`), like `fitVAE`.
package func generateExpression(_ model: TrainedModel, options: GenerationOptions, registry: Registry,
                               threads: Int? = nil) throws -> GeneratedCells {
    try checkThreadCount(threads)
    let threadsBefore = BLAS.setThreads(threads ?? defaultThreadCount)
    defer { BLAS.setThreads(threadsBefore) }
    return try Generator(model: model, registry: registry).generate(options)
}

extension TrainedModel {
    /// Loads a model file, rebuilding its layers through `registry`.
    public static func load(_ path: String, registry: Registry) throws -> TrainedModel {
        try ModelFile.decode(try readModelBytes(path), source: path, registry: registry)
    }

    /// Writes the model atomically to `path` (temporary file + rename).
    public func save(to path: String) throws {
        let output = AtomicOutput()
        try output.stage(try ModelFile.encode(self), at: path)
        try output.commit()
    }

    private static func readModelBytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VAExprsError(.missingInput, "\(path): no such model file (or it cannot be read); give a model file as fitting saves it")
        }
        return Array(data)
    }
}
