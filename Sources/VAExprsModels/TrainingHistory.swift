/// One epoch's losses (means per cell).
public struct EpochRecord: Codable, Sendable, Equatable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Training loss: reconstruction + regularization × KL.
    public var loss: Double
    /// Training reconstruction loss.
    public var reconstruction: Double
    /// Training KL divergence (unweighted).
    public var kl: Double
    /// Validation loss, when there is validation data.
    public var valLoss: Double?
    /// Validation reconstruction loss.
    public var valReconstruction: Double?
    /// Validation KL divergence.
    public var valKL: Double?
}

/// The per-epoch history of a fit and what early stopping did.
public struct TrainingHistory: Codable, Sendable, Equatable {
    /// Every epoch run.
    public var epochs: [EpochRecord] = []
    /// The monitored quantity (`loss` or `val_loss`).
    public var monitor: String = "loss"
    /// The epoch whose weights the model holds when they were restored (early stopping).
    public var restoredEpoch: Int?
    /// True when early stopping ended the fit before the epoch limit.
    public var stoppedEarly = false

    /// Creates an empty history.
    public init() {}
}
