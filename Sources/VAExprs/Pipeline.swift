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
    let training = ExpressionMatrix(cellIDs: trainRows.map { all.cellIDs[$0] }, geneNames: all.geneNames,
                                    values: all.values.gatherRows(trainRows))
    let trainingLabels = request.labels.map { l in trainRows.map { l[$0] } }

    let (preprocessing, x) = try Preprocessing.fit(training, normalization: request.normalization, source: "--counts")
    let encoding = trainingLabels.map { ConditionEncoding(columns: request.labelColumns, labels: $0) }
    let conditions = try encoding.map { try $0.encode(trainingLabels!, source: "--labels") }
    var validation: (x: Matrix, conditions: Matrix?)? = nil
    if let validationData {
        let vx = try preprocessing.transform(validationData, source: "--validation")
        let vc = try encoding.map { try $0.encode(validationLabels!, source: "--labels (validation cells)") }
        validation = (vx, vc)
    }

    var initRNG = rng.split()
    let network = try VAENetwork(spec: request.spec, featureCount: x.columns, conditionWidth: encoding?.width ?? 0,
                                 registry: registry, training: x, rng: &initRNG)
    let history = try Trainer(options: request.training, registry: registry)
        .train(network, x: x, conditions: conditions, validation: validation, rng: rng.split(), progress: progress)
    let means = TrainedModel.latentMeans(network, x: x, conditions: conditions)
    return TrainedModel(network: network, geneNames: all.geneNames, preprocessing: preprocessing,
                        conditions: encoding, trainingCellIDs: training.cellIDs, trainingLatentMeans: means,
                        trainingLabels: trainingLabels, history: history, seed: request.training.seed)
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
