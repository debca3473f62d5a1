import Foundation
import VAExprsCore

/// How to generate cells.
public struct GenerationOptions: Sendable {
    /// Number of cells (> 0), ignored when `perLabel` is given.
    public var count: Int
    /// The latent sampler, by spec (default `mclust`, the mclust-equivalent mixture).
    public var sampler: ComponentSpec
    /// Exact counts per label key (CVAE only); nil draws labels with the training proportions.
    public var perLabel: [(label: String, count: Int)]?
    /// How to read cells off the decoder; nil uses the likelihood's default.
    public var decode: DecodeMode?
    /// Seed of every draw.
    public var seed: UInt64
    /// Cells decoded per batch.
    public var batchSize: Int
    /// How generated cells get library sizes (count likelihoods).
    public var library: LibrarySizeModel

    /// Options.
    public init(count: Int, sampler: ComponentSpec = ComponentSpec(name: "mclust"),
                perLabel: [(label: String, count: Int)]? = nil, decode: DecodeMode? = nil,
                seed: UInt64 = 1, batchSize: Int = 1024, library: LibrarySizeModel = .logNormal) {
        self.count = count
        self.sampler = sampler
        self.perLabel = perLabel
        self.decode = decode
        self.seed = seed
        self.batchSize = batchSize
        self.library = library
    }
}

/// Where the library sizes of generated cells come from (count likelihoods), per label.
public enum LibrarySizeModel: String, Sendable, CaseIterable {
    /// A log-normal fitted to the label's training cells' log library sizes.
    case logNormal = "lognormal"
    /// The observed library size of a random training cell of the label.
    case empirical
}

/// Generated cells in the input's scale, with their labels and latent points.
public struct GeneratedCells: Sendable {
    /// The expression matrix (`gen1..genN` × genes).
    public var data: ExpressionMatrix
    /// Each cell's labels, one per condition column (CVAE only).
    public var labels: [[String]]?
    /// The latent point each cell was decoded from.
    public var latent: Matrix
    /// One line per fitted latent distribution, for logs.
    public var samplerSummaries: [String]
}

/// `gen_exprs`: fits a latent sampler to the training cells' latent means (one per label
/// for a CVAE), draws latent points, decodes them, reads cells off the likelihood (a draw
/// or the mean) and undoes the preprocessing.
public struct Generator {
    /// The trained model.
    public let model: TrainedModel
    /// The registry that makes the sampler.
    public let registry: Registry

    /// A generator for `model`.
    public init(model: TrainedModel, registry: Registry) {
        self.model = model
        self.registry = registry
    }

    /// Generates cells.
    public func generate(_ options: GenerationOptions) throws -> GeneratedCells {
        let sampler = try registry.makeLatentSampler(options.sampler)
        let mode = options.decode ?? model.network.likelihood.defaultDecodeMode
        var rng = SeededGenerator(seed: options.seed)
        let latent = model.network.spec.latentDimension
        let plan = try labelPlan(options, rng: &rng)
        let total = plan.assignment.count
        var z = Matrix(rows: total, columns: latent)
        var summaries: [String] = []
        for (g, group) in plan.groups.enumerated() {
            let positions = plan.assignment.indices.filter { plan.assignment[$0] == g }
            guard !positions.isEmpty else { continue }
            let points = DoubleMatrix(model.trainingLatentMeans.gatherRows(group.trainingRows))
            let fitted = try sampler.fit(points, label: group.key, rng: &rng)
            summaries.append(fitted.summary)
            let draws = fitted.sample(count: positions.count, rng: &rng)
            for (k, p) in positions.enumerated() { for j in 0..<latent { z[p, j] = Float(draws[k, j]) } }
        }
        let labels: [[String]]? = model.conditions == nil ? nil : plan.assignment.map { plan.groups[$0].labels }
        let conditions = try labels.map { try model.conditions!.encode($0, source: "generate") }
        let counts = model.preprocessing.modelsCounts
        var context = CellContext(group: labels == nil ? nil : plan.assignment.map(Int32.init))
        if counts {
            let (sizes, notes) = try librarySizes(plan, model: options.library, rng: &rng)
            context.librarySize = sizes
            summaries += notes
        }
        let likelihood = model.network.likelihood
        var cells = Matrix(rows: total, columns: model.network.featureCount)
        var start = 0
        while start < total {
            let rows = start..<min(total, start + options.batchSize)
            let batchContext = context.gatherRows(rows)
            let output = model.network.decode(z.gatherRows(rows), conditions: conditions?.gatherRows(rows), phase: .inference, rng: &rng)
            let batch = mode == .mean ? likelihood.mean(output: output, context: batchContext)
                                      : try likelihood.sample(output: output, context: batchContext, rng: &rng)
            for (k, r) in rows.enumerated() {
                for j in 0..<batch.columns { cells[r, j] = batch[k, j] }
            }
            start = rows.upperBound
        }
        var values = cells
        if !counts {
            // Library sizes: each generated cell takes the size factor of a random training
            // cell of its group, so that undoing lognorm gives realistic depths.
            var sizeFactors: [Float]? = nil
            let trainingFactors = model.preprocessing.trainingSizeFactors
            if model.preprocessing.normalization == .lognorm && !trainingFactors.isEmpty {
                sizeFactors = plan.assignment.map { g in
                    let rows = plan.groups[g].trainingRows
                    return trainingFactors[rows[Int(rng.next() % UInt64(rows.count))]]
                }
            }
            values = model.preprocessing.invert(cells, sizeFactors: sizeFactors)
        }
        let ids = (1...max(total, 1)).prefix(total).map { "gen\($0)" }
        return GeneratedCells(data: ExpressionMatrix(cellIDs: ids, geneNames: model.geneNames, values: values),
                              labels: labels, latent: z, samplerSummaries: summaries)
    }

    /// A library size per generated cell, drawn per label group from its training cells, and
    /// notes for labels whose spread had to be borrowed.
    func librarySizes(_ plan: (groups: [Group], assignment: [Int]), model library: LibrarySizeModel,
                      rng: inout SeededGenerator) throws -> ([Float], [String]) {
        guard let observed = model.preprocessing.trainingLibrarySizes, observed.count == model.trainingCellIDs.count else {
            throw VAExprsError.badData("the model has no training library sizes; fit it again with this version")
        }
        var notes: [String] = []
        var parameters: [(mean: Double, sd: Double)] = []
        if library == .logNormal {
            let logs = observed.map { log(Double($0)) }
            // Pooled within-label spread, for labels with a single cell.
            var pooledSquares = 0.0, pooledDegrees = 0
            var byGroup: [(Double, Double?)] = []
            for group in plan.groups {
                let v = group.trainingRows.map { logs[$0] }
                let mean = v.reduce(0, +) / Double(v.count)
                let squares = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                pooledSquares += squares
                pooledDegrees += v.count - 1
                byGroup.append((mean, v.count > 1 ? (squares / Double(v.count - 1)).squareRoot() : nil))
            }
            let pooled = pooledDegrees > 0 ? (pooledSquares / Double(pooledDegrees)).squareRoot() : 0
            for (group, (mean, sd)) in zip(plan.groups, byGroup) {
                if sd == nil && plan.assignment.contains(where: { plan.groups[$0].key == group.key }) {
                    notes.append("library sizes of label '\(group.key)': one training cell, so the log-normal takes its total as the median and the spread pooled over the other labels (sd \(String(format: "%.3f", pooled)) in log space)")
                }
                parameters.append((mean, sd ?? pooled))
            }
        }
        let sizes = plan.assignment.map { g -> Float in
            let rows = plan.groups[g].trainingRows
            if library == .empirical { return observed[rows[Int(rng.next() % UInt64(rows.count))]] }
            let (mean, sd) = parameters[g]
            return Float(exp(mean + sd * rng.nextNormal()))
        }
        return (sizes, notes)
    }

    struct Group { var key: String; var labels: [String]; var trainingRows: [Int] }

    /// The label groups and, per generated cell, its group index.
    func labelPlan(_ options: GenerationOptions, rng: inout SeededGenerator) throws -> (groups: [Group], assignment: [Int]) {
        guard let encoding = model.conditions, let trainingLabels = model.trainingLabels else {
            if options.perLabel != nil {
                throw VAExprsError.usage("--per-label needs a conditional model (fit with --labels)")
            }
            guard options.count > 0 else { throw VAExprsError.usage("--num-samples must be a positive whole number, got \(options.count)") }
            let all = Group(key: "all", labels: [], trainingRows: Array(0..<model.trainingCellIDs.count))
            return ([all], [Int](repeating: 0, count: options.count))
        }
        // The same groups, in the same order, as training's (label-group dispersions use them).
        let (keys, index) = encoding.groups(of: trainingLabels)
        var groups = keys.map { Group(key: $0, labels: [], trainingRows: []) }
        for (i, g) in index.enumerated() {
            groups[Int(g)].labels = trainingLabels[i]
            groups[Int(g)].trainingRows.append(i)
        }
        if let perLabel = options.perLabel {
            var assignment: [Int] = []
            for (label, count) in perLabel {
                guard let g = groups.firstIndex(where: { $0.key == label }) else {
                    throw VAExprsError.usage("--per-label: no training label '\(label)'; labels: \(groups.map(\.key).joined(separator: ", "))")
                }
                guard count >= 0 else { throw VAExprsError.usage("--per-label: count for '\(label)' must be ≥ 0") }
                assignment += [Int](repeating: g, count: count)
            }
            guard !assignment.isEmpty else { throw VAExprsError.usage("--per-label asks for no cells") }
            return (groups, assignment)
        }
        guard options.count > 0 else { throw VAExprsError.usage("--num-samples must be a positive whole number, got \(options.count)") }
        // Labels drawn with the training proportions (as gen_exprs does).
        let n = Double(trainingLabels.count)
        var cumulative: [Double] = []
        var acc = 0.0
        for g in groups { acc += Double(g.trainingRows.count) / n; cumulative.append(acc) }
        let assignment = (0..<options.count).map { _ -> Int in
            let u = rng.nextUniform()
            return cumulative.firstIndex(where: { u < $0 }) ?? groups.count - 1
        }
        return (groups, assignment)
    }
}
