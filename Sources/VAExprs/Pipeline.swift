import Foundation

/// `fit_vae`: preprocesses, splits validation cells, builds and trains a (C)VAE and returns
/// the model with its training cells' latent means.
public func fitVAE(_ request: FitRequest, registry: Registry, progress: TrainingProgress? = nil) throws -> TrainedModel {
    try request.spec.validate()
    let threads = request.threads ?? defaultThreadCount
    guard threads > 0 else { throw VAExprsError.usage("--threads must be a positive whole number, got \(threads)") }
    BLAS.setThreads(threads)
    let all = request.counts
    guard all.values.rows > 0 else { throw VAExprsError.badData("the training matrix has no cells") }
    guard all.values.columns > 0 else { throw VAExprsError.badData("the training matrix has no genes") }
    var rng = SeededGenerator(seed: request.training.seed)
    var splitRNG = rng.split()

    // Validation cells.
    var trainRows = Array(0..<all.values.rows)
    var validationData: ExpressionMatrix? = nil
    var validationLabels: [[String]]? = nil
    switch request.validation {
    case .none: break
    case .split(let fraction):
        guard fraction >= 0 && fraction < 1 else {
            throw VAExprsError.usage("--validation-split must be in [0, 1), got \(fraction)")
        }
        let nVal = Int((Double(all.values.rows) * fraction).rounded())
        if fraction > 0 {
            guard nVal >= 1 && nVal < all.values.rows else {
                throw VAExprsError.usage("--validation-split \(fraction) leaves \(nVal) of \(all.values.rows) cells for validation; choose a fraction that keeps at least one cell on each side")
            }
            var order = trainRows
            order.shuffle(using: &splitRNG)
            let valRows = order.prefix(nVal).sorted()
            trainRows = order.dropFirst(nVal).sorted()
            validationData = ExpressionMatrix(cellIDs: valRows.map { all.cellIDs[$0] }, geneNames: all.geneNames,
                                              values: all.values.gatherRows(valRows))
            validationLabels = request.labels.map { l in valRows.map { l[$0] } }
        }
    case .data(let data, let labels):
        guard data.geneNames == all.geneNames else {
            throw VAExprsError.badData("--validation: its genes differ from the training matrix's (same genes in the same order are needed)")
        }
        validationData = data
        validationLabels = labels
        if request.labels != nil && labels == nil {
            throw VAExprsError.usage("--validation: a conditional model needs labels for the validation cells too (in the --labels file)")
        }
    }
    var training = ExpressionMatrix(cellIDs: trainRows.map { all.cellIDs[$0] }, geneNames: all.geneNames,
                                    values: all.values.gatherRows(trainRows))
    let trainingLabels = request.labels.map { l in trainRows.map { l[$0] } }

    // The likelihood decides what it scores (scaled values or raw counts).
    let targetKind = try registry.makeLikelihood(request.spec.likelihood).data
    var selection: GeneSelection? = nil
    if let top = request.topGenes {
        let flavor = request.geneSelectionFlavor ?? (targetKind == .counts ? .seuratV3 : .dispersion)
        var ranked = training.values
        if flavor == .dispersion && request.normalization == .lognorm {
            ranked = try Preprocessing.libraryNormalized(training, source: "--counts")
        }
        let chosen = try GeneSelection.select(ranked, count: top, flavor: flavor)
        selection = chosen
        training = training.selectingGenes(chosen.selected)
        validationData = validationData?.selectingGenes(chosen.selected)
    }

    let (preprocessing, prepared) = try Preprocessing.fit(training, normalization: request.normalization,
                                                          target: targetKind, source: "--counts")
    var data = prepared
    let encoding = trainingLabels.map { ConditionEncoding(columns: request.labelColumns, labels: $0) }
    data.conditions = try encoding.map { try $0.encode(trainingLabels!, source: "--labels") }
    let groups = encoding.map { $0.groups(of: trainingLabels!) }
    data.context.group = groups?.index
    var validation: TrainingData? = nil
    if let validationData {
        var v = try preprocessing.transform(validationData, source: "--validation")
        if let encoding {
            v.conditions = try encoding.encode(validationLabels!, source: "--labels (validation cells)")
            v.context.group = encoding.groupIndices(of: validationLabels!, keys: groups!.keys)
        }
        validation = v
    }

    var initRNG = rng.split()
    let network = try VAENetwork(spec: request.spec, featureCount: data.input.columns, conditionWidth: encoding?.width ?? 0,
                                 groups: groups?.keys.count ?? 0, registry: registry, training: data.target,
                                 context: data.context, rng: &initRNG)
    // Parameter-free likelihood terms, once for all training and validation cells.
    data.context.constant = network.likelihood.constantTerms(target: data.target)
    if let v = validation { validation!.context.constant = network.likelihood.constantTerms(target: v.target) }
    let history = try Trainer(options: request.training, registry: registry)
        .train(network, data: data, validation: validation, rng: rng.split(), progress: progress)
    let means = TrainedModel.latentMeans(network, x: data.input, conditions: data.conditions)
    let noteOfRefit = network.likelihood.refitAtLatentMeans(output: TrainedModel.decodedMeans(network, means: means, conditions: data.conditions),
                                                            target: data.target, context: data.context)
    let setup = FitSetup(choice: request.setupChoice ?? "given: likelihood \(request.spec.likelihood), normalisation \(request.normalization.rawValue)",
                         geneSelection: selection, notes: noteOfRefit.map { [$0] } ?? [])
    return TrainedModel(network: network, geneNames: training.geneNames, preprocessing: preprocessing,
                        conditions: encoding, trainingCellIDs: training.cellIDs, trainingLatentMeans: means,
                        trainingLabels: trainingLabels, history: history, seed: request.training.seed, setup: setup)
}

/// Threads used when none are asked for: the cores this process may use, at most 8.
public var defaultThreadCount: Int { min(8, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

/// `gen_exprs`: generates cells from a trained model.
/// Numeric work runs on `threads` (default `defaultThreadCount`), like `fitVAE`.
public func generateExpression(_ model: TrainedModel, options: GenerationOptions, registry: Registry,
                               threads: Int? = nil) throws -> GeneratedCells {
    BLAS.setThreads(threads ?? defaultThreadCount)
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
            throw VAExprsError(.missingInput, "\(path): no such model file (or it cannot be read); give the file written by 'vaexprs fit --output'")
        }
        return Array(data)
    }
}
