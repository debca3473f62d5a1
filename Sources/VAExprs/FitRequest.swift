import Foundation

/// Where validation cells come from.
package enum ValidationSource: Sendable {
    /// No validation.
    case none
    /// A seeded random fraction of the cells, in [0, 1).
    case split(Double)
    /// A separate matrix (same genes) with its labels for a CVAE.
    case data(ExpressionMatrix, labels: [[String]]?)
}

/// Everything `fitVAE` needs: the data, the architecture and the training options
/// (the library form of `vaexprs fit`).
package struct FitRequest: Sendable {
    /// Training cells × genes.
    package var counts: ExpressionMatrix
    /// Each cell's labels (one per column of `labelColumns`); nil for a plain VAE.
    package var labels: [[String]]?
    /// The label columns used as conditions.
    package var labelColumns: [String]
    /// Validation cells.
    package var validation: ValidationSource
    /// Normalisation before min-max scaling.
    package var normalization: Preprocessing.Normalization
    /// The architecture.
    package var spec: ModelSpec
    /// How to train.
    package var training: TrainingOptions
    /// Threads for numeric work; nil uses `defaultThreadCount`.
    package var threads: Int?
    /// Train on this many highly variable genes of the training cells (nil: all genes).
    package var topGenes: Int?
    /// How to rank genes for `topGenes`; nil: Seurat v3 for a count likelihood, dispersion otherwise.
    package var geneSelectionFlavor: GeneSelection.Flavor?
    /// Why the likelihood and normalisation were chosen (`DataSetup.choose`), recorded in the model.
    package var setupChoice: String?

    /// A request; defaults mirror the original package.
    package init(counts: ExpressionMatrix, labels: [[String]]? = nil, labelColumns: [String] = ["label"],
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
