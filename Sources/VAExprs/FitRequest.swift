import Foundation

/// Where validation cells come from.
public enum ValidationSource: Sendable {
    /// No validation.
    case none
    /// A seeded random fraction of the cells, in [0, 1).
    case split(Double)
    /// A separate matrix (same genes) with its labels for a CVAE.
    case data(ExpressionMatrix, labels: [[String]]?)
}

/// Everything `fitVAE` needs: the data, the architecture and the training options
/// (the library form of `vaexprs fit`).
public struct FitRequest: Sendable {
    /// Training cells × genes.
    public var counts: ExpressionMatrix
    /// Each cell's labels (one per column of `labelColumns`); nil for a plain VAE.
    public var labels: [[String]]?
    /// The label columns used as conditions.
    public var labelColumns: [String]
    /// Validation cells.
    public var validation: ValidationSource
    /// Normalisation before min-max scaling.
    public var normalization: Preprocessing.Normalization
    /// The architecture.
    public var spec: ModelSpec
    /// How to train.
    public var training: TrainingOptions
    /// Threads for numeric work; nil uses `defaultThreadCount`.
    public var threads: Int?
    /// Train on this many highly variable genes of the training cells (nil: all genes).
    public var topGenes: Int?
    /// How to rank genes for `topGenes`; nil: Seurat v3 for a count likelihood, dispersion otherwise.
    public var geneSelectionFlavor: GeneSelection.Flavor?
    /// Why the likelihood and normalisation were chosen (`DataSetup.choose`), recorded in the model.
    public var setupChoice: String?

    /// A request; defaults mirror the original package.
    public init(counts: ExpressionMatrix, labels: [[String]]? = nil, labelColumns: [String] = ["label"],
                validation: ValidationSource = .none, normalization: Preprocessing.Normalization = .none,
                spec: ModelSpec = ModelSpec(), training: TrainingOptions, threads: Int? = nil,
                topGenes: Int? = nil, geneSelectionFlavor: GeneSelection.Flavor? = nil, setupChoice: String? = nil) {
        self.counts = counts
        self.labels = labels
        self.labelColumns = labelColumns
        self.validation = validation
        self.normalization = normalization
        self.spec = spec
        self.training = training
        self.threads = threads
        self.topGenes = topGenes
        self.geneSelectionFlavor = geneSelectionFlavor
        self.setupChoice = setupChoice
    }
}
