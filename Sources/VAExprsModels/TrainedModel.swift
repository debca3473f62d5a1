import VAExprsCore

/// Everything `generate` needs from a fit: the network, the preprocessing to undo, the
/// condition encoding, the training cells' latent means (and labels), and the history.
public final class TrainedModel {
    /// The trained network.
    package let network: VAENetwork
    /// Gene names, in column order.
    public let geneNames: [String]
    /// The preprocessing to undo.
    public let preprocessing: Preprocessing
    /// The one-hot condition encoding (nil for a plain VAE).
    public let conditions: ConditionEncoding?
    /// Training cell ids, in training order.
    public let trainingCellIDs: [String]
    /// Latent means of the training cells (`gen_exprs` fits its sampler to these).
    public let trainingLatentMeans: Matrix
    /// Each training cell's labels (one per condition column), for a CVAE.
    public let trainingLabels: [[String]]?
    /// The per-epoch history.
    public let history: TrainingHistory
    /// The seed the fit used.
    public let seed: UInt64
    /// How the data were prepared (chosen setup, gene selection); nil in older model files.
    public let setup: FitSetup?
    /// The latent mixtures `fit` searched once per label group (nil in older model files, or
    /// when a group's fit could not be stored): `generate` with the same sampler uses them.
    package var latentMixtures: StoredLatentMixtures?
    /// Per-label offsets on the decoder's outputs that `generate` adds (nil in older model files
    /// and for likelihoods without them).
    package var outputOffsets: StoredOutputOffsets?
    /// How far `generate` keeps latent draws from each label's centre, chosen on the validation
    /// cells (nil in older model files and in fits without validation cells: no shrinkage).
    package var latentShrinkage: LatentShrinkage?

    /// A model from its parts.
    package init(
        network: VAENetwork, geneNames: [String], preprocessing: Preprocessing,
        conditions: ConditionEncoding?, trainingCellIDs: [String], trainingLatentMeans: Matrix,
        trainingLabels: [[String]]?, history: TrainingHistory, seed: UInt64, setup: FitSetup? = nil,
        latentMixtures: StoredLatentMixtures? = nil, outputOffsets: StoredOutputOffsets? = nil,
        latentShrinkage: LatentShrinkage? = nil
    ) {
        self.network = network
        self.geneNames = geneNames
        self.preprocessing = preprocessing
        self.conditions = conditions
        self.trainingCellIDs = trainingCellIDs
        self.trainingLatentMeans = trainingLatentMeans
        self.trainingLabels = trainingLabels
        self.history = history
        self.seed = seed
        self.setup = setup
        self.latentMixtures = latentMixtures
        self.outputOffsets = outputOffsets
        self.latentShrinkage = latentShrinkage
    }

    /// The decoder's outputs at the given latent points (inference mode, batches of 1 024).
    package static func decodedMeans(_ network: VAENetwork, means: Matrix, conditions: Matrix?) -> Matrix {
        var out = Matrix(rows: means.rows, columns: network.likelihood.outputWidth(features: network.featureCount))
        var rng = SeededGenerator(seed: 0)  // inference draws nothing
        var start = 0
        while start < means.rows {
            let rows = start..<min(means.rows, start + 1024)
            let decoded = network.decode(
                means.gatherRows(rows), conditions: conditions?.gatherRows(rows), phase: .inference, rng: &rng)
            out.storage.replaceSubrange(
                (rows.lowerBound * out.columns)..<(rows.upperBound * out.columns), with: decoded.storage)
            start = rows.upperBound
        }
        return out
    }

    /// Latent means of prepared cells (encoder inputs), in inference mode, in batches of 1 024.
    package static func latentMeans(_ network: VAENetwork, x: Matrix, conditions: Matrix?) -> Matrix {
        latentMeans(network, x: .dense(x), conditions: conditions)
    }

    /// Latent means of dense or sparse prepared cells, read in batches of 1 024.
    package static func latentMeans(_ network: VAENetwork, x: CellMatrix, conditions: Matrix?) -> Matrix {
        var out = Matrix(rows: x.rows, columns: network.spec.latentDimension)
        var rng = SeededGenerator(seed: 0)  // inference draws nothing
        var start = 0
        while start < x.rows {
            let rows = start..<min(x.rows, start + 1024)
            let mean = network.encode(
                x.gatherRows(rows), conditions: conditions?.gatherRows(rows), phase: .inference, rng: &rng
            ).mean
            for (k, r) in rows.enumerated() {
                for j in 0..<out.columns { out[r, j] = mean[k, j] }
            }
            start = rows.upperBound
        }
        return out
    }
}

/// The latent mixtures of a model's label groups and the sampler spec they were fitted with.
package struct StoredLatentMixtures: Codable, Sendable, Equatable {
    /// The sampler's spec, as `generate --sampler` names it (`mclust`).
    package var sampler: String
    /// One mixture per label group.
    package var groups: [StoredLatentMixture]

    /// Mixtures fitted by `sampler`.
    package init(sampler: String, groups: [StoredLatentMixture]) {
        self.sampler = sampler
        self.groups = groups
    }
}
