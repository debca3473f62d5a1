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

    /// A record.
    package init(
        epoch: Int, loss: Double, reconstruction: Double, kl: Double,
        valLoss: Double? = nil, valReconstruction: Double? = nil, valKL: Double? = nil
    ) {
        self.epoch = epoch
        self.loss = loss
        self.reconstruction = reconstruction
        self.kl = kl
        self.valLoss = valLoss
        self.valReconstruction = valReconstruction
        self.valKL = valKL
    }
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
    package init() {}

    /// How many times the training loss the validation loss may be before the fit counts as
    /// overfitted (`overfitting`).
    public static let overfittingRatio = 1.5

    /// The epoch whose weights the model keeps (the restored one, else the last), when its
    /// validation loss is more than `overfittingRatio` × its training loss (or positive while
    /// the training loss is not): the model describes its training cells far better than cells
    /// it never saw. nil without validation, or when the two are close.
    public var overfitting: EpochRecord? {
        let kept = restoredEpoch.flatMap { e in epochs.first { $0.epoch == e } } ?? epochs.last
        guard let kept, let val = kept.valLoss, val.isFinite, kept.loss.isFinite else { return nil }
        let far = kept.loss > 0 ? val > Self.overfittingRatio * kept.loss : val > 0
        return far ? kept : nil
    }
}
