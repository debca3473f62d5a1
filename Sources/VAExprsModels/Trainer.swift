import Foundation
import VAExprsCore

/// Receives training progress (the CLI draws a bar or prints one line per epoch).
public protocol TrainingProgress: AnyObject {
    /// After each batch.
    func batchFinished(epoch: Int, epochs: Int, batch: Int, batches: Int)
    /// After each epoch, with its wall-clock seconds and training throughput.
    func epochFinished(_ record: EpochRecord, epochs: Int, seconds: Double, cellsPerSecond: Double)
    /// Asked after each batch of a fit in one process: true stops the fit, which then throws
    /// `VAExprsError` with code `cancelled` (a host language's interrupt). Default false.
    func shouldStop() -> Bool
}

extension TrainingProgress {
    /// Never stops a fit.
    public func shouldStop() -> Bool { false }
}

/// Whether the first layer reads sparse cells as CSR (x·W over the stored entries) or as a
/// dense batch (one BLAS product): the results agree to rounding, only speed differs.
public enum SparseInputUse: String, Sendable, CaseIterable {
    /// CSR for batches at most `VAENetwork.defaultSparseInputDensityLimit` dense.
    case auto
    /// Always CSR for sparse cells.
    case always
    /// Always dense.
    case never

    /// The density limit this choice means.
    package var densityLimit: Double {
        switch self {
        case .auto: VAENetwork.defaultSparseInputDensityLimit
        case .always: 1
        case .never: -1
        }
    }
}

/// How to train.
public struct TrainingOptions: Sendable {
    /// Passes over the training cells (> 0).
    public var epochs: Int
    /// Cells per gradient step (> 0).
    public var batchSize: Int
    /// The optimizer (default Adam with Keras' defaults).
    public var optimizer: ComponentSpec
    /// `loss` or `val_loss`; nil picks `val_loss` when there is validation data.
    public var monitor: String?
    /// Epochs without improvement before stopping; nil = no early stopping.
    public var patience: Int?
    /// Seed of every random draw (initialisation, shuffling, noise, dropout).
    public var seed: UInt64
    /// How the first layer reads sparse cells (`VAENetwork.sparseInputDensityLimit`).
    public var sparseInput: SparseInputUse = .auto
    /// The precision of the dense layers' products in training (float32, or bf16 inputs with
    /// float32 sums on CPUs with AVX512_BF16); the model's weights stay float32 either way and
    /// encoding and generation run in float32.
    public var precision: ProductPrecision = .float32
    /// The processes training together (data-parallel, e.g. MPI ranks); nil: this one alone.
    public var processGroup: (any ProcessGroup)? = nil
    /// What the processes of `processGroup` must agree on besides these options and the
    /// network (the pipeline adds the data's gene and cell ids, labels and preprocessing).
    package var fingerprint = FitFingerprint()

    /// Options; defaults mirror the original (Adam, batch 32).
    public init(
        epochs: Int, batchSize: Int = 32, optimizer: ComponentSpec = ComponentSpec(name: "adam"),
        monitor: String? = nil, patience: Int? = nil, seed: UInt64 = 1
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.monitor = monitor
        self.patience = patience
        self.seed = seed
    }

    /// Checks every number; throws a usage error naming the option.
    package func validate(hasValidation: Bool) throws {
        guard epochs > 0 else {
            throw VAExprsError.usage("\(parameter: "epochs") must be a positive whole number, got \(epochs)")
        }
        guard batchSize > 0 else {
            throw VAExprsError.usage("\(parameter: "batchSize") must be a positive whole number, got \(batchSize)")
        }
        if let patience, patience < 0 {
            throw VAExprsError.usage("\(parameter: "patience") must be ≥ 0, got \(patience)")
        }
        guard precision.isSupported else {
            throw VAExprsError.usage(
                """
                \(parameter: "precision") bf16 needs a processor with AVX512_BF16 (Intel Cooper Lake, Sapphire \
                Rapids or later; AMD Zen 4 or later) and this one has none: use float32
                """
            )
        }
        if let monitor {
            guard monitor == "loss" || monitor == "val_loss" else {
                throw VAExprsError.usage("\(parameter: "monitor") must be 'loss' or 'val_loss', got '\(monitor)'")
            }
            if monitor == "val_loss" && !hasValidation {
                throw VAExprsError.usage(
                    """
                    \(parameter: "monitor") val_loss needs validation data: give \(parameter: "validationSplit") \
                    or \(parameter: "validationFile")
                    """
                )
            }
        }
    }
}

/// Mini-batch training of a `VAENetwork` with per-epoch shuffling, validation, early
/// stopping with best-weight restore, and a per-epoch history.
package struct Trainer {
    /// The options.
    package let options: TrainingOptions
    /// The registry that makes the optimizer.
    package let registry: Registry

    /// A trainer.
    package init(options: TrainingOptions, registry: Registry) {
        self.options = options
        self.registry = registry
    }

    /// Trains `network` on prepared cells; validation data is optional. Returns the history;
    /// the network ends with the restored best weights when early stopping is on.
    package func train(
        _ network: VAENetwork, data: TrainingData, validation: TrainingData?, rng seedRNG: SeededGenerator,
        progress: TrainingProgress?
    ) throws -> TrainingHistory {
        try train(
            network, source: InMemoryBatches(data), validation: validation.map(InMemoryBatches.init), rng: seedRNG,
            progress: progress)
    }

    /// Trains `network` on batches from `source` (in memory or streamed from disk), validating
    /// on `validation` after each epoch.
    package func train(
        _ network: VAENetwork, source data: any MiniBatchSource, validation: (any MiniBatchSource)?,
        rng seedRNG: SeededGenerator, progress: TrainingProgress?
    ) throws -> TrainingHistory {
        try options.validate(hasValidation: validation != nil)
        network.sparseInputDensityLimit = options.sparseInput.densityLimit
        network.productPrecision = options.precision
        defer { network.productPrecision = .float32 }
        let optimizer = try registry.makeOptimizer(options.optimizer)
        var rng = seedRNG
        var shuffleRNG = rng.split(), noiseRNG = rng.split()
        let validationSeed = rng.next()
        var history = TrainingHistory()
        history.monitor = options.monitor ?? (validation != nil ? "val_loss" : "loss")
        let n = data.count
        let batches = data.batchCount(batchSize: options.batchSize)
        let regularization = network.spec.regularization
        let parameters = network.parameters
        var best = Double.infinity, bestWeights: [String: [Float]]? = nil, bestEpoch = 0, wait = 0
        // A plain fit is a group of one: the same steps, draws and sums as one MPI process.
        let group = options.processGroup ?? SingleProcess()
        var gradientBuffer: [Float] = []
        if group.size > 1 {
            try DataParallel.agree(on: fingerprint(network, data: data, validation: validation), group: group)
            try DataParallel.start(parameters, group: group)
        }

        for epoch in 1...options.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            var rec = 0.0, kl = 0.0, b = 0
            try data.forEachBatch(batchSize: options.batchSize, shuffle: true, rng: &shuffleRNG, share: group) {
                batch in
                let loss = try DataParallel.step(
                    network, parameters: parameters, batch: batch, group: group, rng: &noiseRNG,
                    buffer: &gradientBuffer)
                optimizer.step(parameters)
                rec += loss.reconstruction
                kl += loss.kl
                b += 1
                progress?.batchFinished(epoch: epoch, epochs: options.epochs, batch: b, batches: batches)
                // Only a fit in one process stops on request: the ranks of an MPI fit would have
                // to agree first, and they stop together on errors instead.
                if group.size == 1, progress?.shouldStop() == true {
                    throw VAExprsError(.cancelled, "the fit was stopped by its caller at epoch \(epoch), batch \(b)")
                }
            }
            var sums = [rec, kl]
            try group.sum(&sums)
            rec = sums[0]
            kl = sums[1]
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            var record = EpochRecord(
                epoch: epoch, loss: (rec + regularization * kl) / Double(n),
                reconstruction: rec / Double(n), kl: kl / Double(n))
            guard record.loss.isFinite else {
                throw VAExprsError(
                    .other,
                    """
                    training diverged at epoch \(epoch) (loss is not finite); lower \(parameter: "learningRate") \
                    or \(parameter: "regularization")
                    """
                )
            }
            if let validation {
                // The same noise every epoch.
                let loss = try DataParallel.evaluate(network, source: validation, group: group, seed: validationSeed)
                record.valReconstruction = loss.reconstruction
                record.valKL = loss.kl
                record.valLoss = loss.reconstruction + regularization * loss.kl
            }
            history.epochs.append(record)
            progress?.epochFinished(
                record, epochs: options.epochs, seconds: seconds, cellsPerSecond: Double(n) / max(seconds, 1e-9))

            if let patience = options.patience {
                let value = history.monitor == "val_loss" ? record.valLoss! : record.loss
                if value < best {
                    best = value
                    bestEpoch = epoch
                    wait = 0
                    bestWeights = network.snapshot()
                } else {
                    wait += 1
                    if wait >= patience {
                        history.stoppedEarly = true
                        break
                    }
                }
            }
        }
        if let bestWeights {
            try network.restore(bestWeights)
            history.restoredEpoch = bestEpoch
        }
        return history
    }

    /// The options' fingerprint with the network's and the data's sizes, after what the
    /// pipeline added: what the processes of a group compare before training together.
    func fingerprint(_ network: VAENetwork, data: any MiniBatchSource, validation: (any MiniBatchSource)?)
        -> FitFingerprint
    {
        var f = options.fingerprint
        let spec = network.spec
        f.add("counts", "training cells", "\(data.count)")
        f.add("validationSplit", "validation cells", "\(validation?.count ?? -1)")
        f.add("counts", "features", "\(network.featureCount)")
        f.add("epochs", "", "\(options.epochs)")
        f.add("batchSize", "", "\(options.batchSize)")
        f.add("optimizer", "", options.optimizer.description)
        f.add("monitor", "", options.monitor ?? "")
        f.add("patience", "", options.patience.map(String.init) ?? "")
        f.add("seed", "", "\(options.seed)")
        f.add("sparseInput", "", options.sparseInput.rawValue)
        f.add("precision", "", options.precision.rawValue)
        f.add("encoder", "", spec.encoder.map(\.description).joined(separator: ","))
        f.add("decoder", "", spec.decoder.map(\.description).joined(separator: ","))
        f.add("latentDimension", "", "\(spec.latentDimension)")
        f.add("likelihood", "", spec.likelihood.description)
        f.add("prior", "", spec.prior.description)
        f.add("regularization", "", "\(spec.regularization)")
        return f
    }

}
