import Foundation

/// Cells given to `fit`: a file, or a matrix in memory (what a host language hands over).
public enum FitCells {
    /// CSV/TSV (.gz), a 10x folder, an .h5ad or a Cell Ranger .h5; labels come from
    /// `FitRequest.labels` or the .h5ad's obs.
    case file(String)
    /// Cells × genes in memory, with each cell's labels (one per label column; nil: none).
    case matrix(ExpressionMatrix, labels: [[String]]? = nil)
}

/// Everything `fit` (the original's `fit_vae`) needs, in one request: the cells (a file, read
/// or streamed from disk, or a matrix), their labels, the setup asked for, how to train and
/// validate, and the threads. `Fit.run` turns it into a model.
public struct FitRequest {
    /// The training cells.
    public var counts: FitCells
    /// A CSV/TSV file has genes in rows.
    public var genesInRows = false
    /// An `.h5ad`'s layer to read instead of `X` (scanpy users keep raw counts in
    /// `layers["counts"]`).
    public var layer: String?
    /// Read an `.h5ad`'s `.raw` (`raw.X`, with `raw.var`'s genes) instead of `X`.
    public var useRaw = false
    /// A label file (`cell,label,...`) or an .h5ad holding them, matched by cell id (file
    /// inputs only; a matrix carries its labels); nil for none.
    public var labels: String?
    /// The label columns used as conditions (nil: `label`, or none).
    public var labelColumns: [String]?
    /// A plain VAE even when the .h5ad's obs has a `label` column.
    public var noLabels = false
    /// The setup asked for (preset, likelihood, architecture, ...); what is not given is chosen.
    public var choices = FitSetupChoices()
    /// Epochs, batches, optimizer, early stopping, seed, processes.
    public var training: TrainingOptions
    /// Validation: the fraction of cells held out (seeded), in [0, 1).
    public var validationSplit: Double?
    /// Validation: other cells with the same genes, instead of a split (never streamed).
    public var validation: FitCells?
    /// Train on the N most variable genes of the training cells (ranked by `geneSelection`;
    /// nil or 0: every gene).
    public var topGenes: Int?
    /// How `topGenes` ranks genes (default: Seurat v3 for counts, dispersion otherwise).
    public var geneSelection: GeneSelection.Flavor?
    /// Stream the cells from disk even when they fit in memory.
    public var stream = false
    /// Memory the fit may plan to use; larger data are streamed when they can be.
    public var memoryLimit = MemoryBudget.defaultLimit
    /// Cells read from disk at once when streaming.
    public var chunkCells = 1024
    /// Bytes of compressed cells read and shuffled together when streaming (the next buffer is
    /// read while one trains, so two are in memory).
    public var bufferBytes = 128 << 20
    /// Threads of numeric work for this call (nil: the default); the process's count is
    /// restored when the call returns.
    public var threads: Int?

    /// A request to fit the cells of the file `counts` with `training`'s options.
    public init(counts: String, training: TrainingOptions) {
        self.counts = .file(counts)
        self.training = training
    }

    /// A request to fit the cells of a matrix in memory (with each cell's labels for a CVAE).
    public init(cells: ExpressionMatrix, labels: [[String]]? = nil, training: TrainingOptions) {
        self.counts = .matrix(cells, labels: labels)
        self.training = training
    }
}

extension FitCells {
    /// The file named, if any.
    var path: String? { if case .file(let path) = self { path } else { nil } }

    /// How messages name these cells.
    func describe(_ parameter: String) -> String { path ?? "\(parameter: parameter)" }
}
