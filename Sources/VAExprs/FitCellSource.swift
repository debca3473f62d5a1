import Foundation

/// The cells one fit reads, in memory (`InMemoryCells`) or streamed from a file
/// (`StreamedCells`). `Fit` asks every source the same questions in the same order — its
/// cells and labels, the variable genes of the training cells, the prepared cells — so that
/// the validation split, conditions, gene selection, network, training, latent means and the
/// likelihood's refit are written once, for both.
protocol FitCellSource: AnyObject {
    /// Cells, before any are held out.
    var cellCount: Int { get }
    /// Genes of the input.
    var geneNames: [String] { get }
    /// Cell ids, one per cell.
    var cellIDs: [String] { get }
    /// Each cell's labels (one per label column); nil for a plain VAE.
    var labels: [[String]]? { get }
    /// Labels of cells held out in a separate validation matrix (nil: none, or unlabelled).
    var separateValidationLabels: [[String]]? { get }
    /// True when validation cells come from a separate matrix rather than a split.
    var hasSeparateValidation: Bool { get }
    /// How the cells were read, for the fingerprint that MPI processes compare.
    var readingDescription: String { get }

    /// The `count` most variable genes of the training cells (`plan.isTraining`) by `flavor`.
    func selectGenes(_ plan: FitPlan, count: Int, flavor: GeneSelection.Flavor) throws -> GeneSelection

    /// Fits the preprocessing to the training cells (in the selected genes) and prepares
    /// them, returning it with the dense even sample (`plan.samplePositions`) that the
    /// likelihood's statistics read.
    func prepare(_ plan: FitPlan) throws -> PreparedFitCells

    /// The training and validation batches, once the network's likelihood is built (it
    /// scores each cell's parameter-free terms once).
    func batches(likelihood: any Likelihood) throws -> (
        training: any MiniBatchSource, validation: (any MiniBatchSource)?
    )
}

/// What `Fit` has decided before the cells are prepared.
struct FitPlan {
    /// Whether each cell trains (false: held out for validation).
    var isTraining: [Bool]
    /// The training cells, in order.
    var trainingRows: [Int]
    /// The conditions of a CVAE.
    var encoding: ConditionEncoding?
    /// The label groups (combinations) of the training cells, sorted.
    var groupKeys: [String]
    /// Genes kept (nil: all).
    var selection: GeneSelection?
    /// Normalisation before scaling (continuous likelihoods).
    var normalization: Normalization
    /// What the likelihood scores.
    var target: LikelihoodData
    /// Positions among the training cells of the even sample the likelihood's statistics read.
    var samplePositions: [Int]
    /// How messages name the training cells.
    var source: String

    /// True when some cells are held out of `isTraining`.
    var hasSplit: Bool { trainingRows.count < isTraining.count }
}

/// Prepared cells: the preprocessing stored in the model and the sample of training cells.
struct PreparedFitCells {
    /// The preprocessing (generation undoes it).
    var preprocessing: Preprocessing
    /// The even sample of training cells.
    var sample: LikelihoodSample
    /// What the source says about how it trained (streaming), for the model's notes.
    var notes: [String]
}

/// A dense sample of training cells for the likelihood's statistics (its initial values, its
/// refit after training), bounded so that cells × outputs stays small on atlas-sized data.
struct LikelihoodSample {
    /// The likelihood targets (cells × genes).
    var target: Matrix
    /// Their per-cell likelihood inputs (library size, group; constant terms once known).
    var context: CellContext
    /// Their one-hot conditions (CVAE).
    var conditions: Matrix?
}
