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
    /// How generated cells get library sizes (count likelihoods only; nil: log-normal).
    public var library: LibrarySizeModel?
    /// Counts even when the model was fitted on log-normalised counts (which it otherwise gives
    /// back on their scale).
    public var asCounts = false
    /// Whether the model's per-label output offsets (`StoredOutputOffsets`) are added before
    /// drawing (default); false draws from the decoder's means as they are.
    package var addsOutputOffsets = true
    /// Whether latent draws are pulled towards their label's centre by the factor `fit` chose
    /// on its validation cells (`LatentShrinkage`; default); false draws them as the latent
    /// mixture gives them.
    package var shrinksLatent = true

    /// Options.
    public init(
        count: Int, sampler: ComponentSpec = ComponentSpec(name: "mclust"),
        perLabel: [(label: String, count: Int)]? = nil, decode: DecodeMode? = nil,
        seed: UInt64 = 1, batchSize: Int = 1024, library: LibrarySizeModel? = nil
    ) {
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

    /// Generated cells from their parts.
    package init(data: ExpressionMatrix, labels: [[String]]?, latent: Matrix, samplerSummaries: [String]) {
        self.data = data
        self.labels = labels
        self.latent = latent
        self.samplerSummaries = samplerSummaries
    }
}

/// `gen_exprs`: fits a latent sampler to the training cells' latent means (one per label
/// for a CVAE), draws latent points, decodes them, reads cells off the likelihood (a draw
/// or the mean) and undoes the preprocessing.
package struct Generator {
    /// The trained model.
    package let model: TrainedModel
    /// The registry that makes the sampler.
    package let registry: Registry

    /// A generator for `model`.
    package init(model: TrainedModel, registry: Registry) {
        self.model = model
        self.registry = registry
    }

    /// Generates cells in memory (for a few thousand cells; `generate(_:block:)` streams).
    package func generate(_ options: GenerationOptions) throws -> GeneratedCells {
        var values: [Float] = [], labels: [[String]] = [], latent: [Float] = []
        var total = 0
        let summaries = try generate(options) { block in
            values += block.values.storage
            latent += block.latent.storage
            if let l = block.labels { labels += l }
            total += block.values.rows
        }
        let ids = (0..<total).map { "gen\($0 + 1)" }
        let width = model.network.spec.latentDimension
        return GeneratedCells(
            data: ExpressionMatrix(
                cellIDs: ids, geneNames: model.geneNames,
                values: Matrix(rows: total, columns: model.geneNames.count, storage: values)),
            labels: model.conditions == nil ? nil : labels,
            latent: Matrix(rows: total, columns: width, storage: latent), samplerSummaries: summaries)
    }

    /// A block of generated cells: rows `firstRow ..< firstRow + values.rows` of the output.
    package struct Block {
        /// Index of the block's first cell in the whole output.
        package var firstRow: Int
        /// Cells × genes in the input's scale (whole numbers for count likelihoods drawn).
        package var values: Matrix
        /// Each cell's labels, one per condition column (CVAE only).
        package var labels: [[String]]?
        /// The latent point each cell was decoded from.
        package var latent: Matrix
    }

    /// Generates cells a block of `options.batchSize` at a time, handing each to `block`:
    /// memory is bounded by the block size whatever the number of cells (only the label of
    /// each cell is planned ahead). Returns one line per fitted latent distribution.
    @discardableResult
    package func generate(_ options: GenerationOptions, block: (Block) throws -> Void) throws -> [String] {
        guard options.batchSize > 0 else { throw VAExprsError.usage("the generation batch size must be positive") }
        let sampler = try registry.makeLatentSampler(options.sampler)
        let mode = options.decode ?? model.network.likelihood.defaultDecodeMode
        var rng = SeededGenerator(seed: options.seed)
        let latent = model.network.spec.latentDimension
        let plan = try labelPlan(options, rng: &rng)
        let total = plan.total
        let shrinkage = options.shrinksLatent ? model.latentShrinkage : nil
        func shrunk(_ points: DoubleMatrix, group: String) -> DoubleMatrix {
            shrinkage?.apply(to: points, label: group) ?? points
        }
        func shrinkageSummary(group: String) -> String {
            guard let shrinkage, shrinkage.factor != 1, shrinkage.centre(for: group) != nil else { return "" }
            return "; draws pulled towards the label's centre (factor \(shrinkage.factor), chosen on validation cells)"
        }
        var summaries: [String] = []
        var fitted: [(any FittedLatentDistribution)?] = []
        for (g, group) in plan.groups.enumerated() {
            guard plan.cellsPerGroup[g] > 0 else {
                fitted.append(nil)
                continue
            }
            let (distribution, summary) = try latentDistribution(
                of: group, sampler: sampler, spec: options.sampler, rng: &rng)
            summaries.append(summary + shrinkageSummary(group: group.key))
            fitted.append(distribution)
        }
        let counts = model.preprocessing.modelsCounts
        var library: LibrarySizeDraws? = nil
        if counts {
            let draws = try librarySizeDraws(plan, model: options.library ?? .logNormal)
            summaries += draws.notes
            library = draws
        }
        let likelihood = model.network.likelihood
        let logScale = options.asCounts ? nil : model.preprocessing.logInput
        // Its own stream, so that the counts are those of the same model fitted on counts.
        var targetRNG = SeededGenerator(seed: options.seed ^ 0x6c6f_676e_6f72_6d73)
        // Each group's stored output offsets (looked up once, not per block).
        let offsetsOfGroup =
            options.addsOutputOffsets ? plan.groups.map { group in model.outputOffsets?.offsets(for: group.key) } : []
        let addsOffsets = offsetsOfGroup.contains { $0 != nil }
        var labelDraws = plan.drawer()
        var start = 0
        while start < total {
            let rows = start..<min(total, start + options.batchSize)
            let assignment = labelDraws.next(rows.count)
            // Latent points, drawn per label group in the block.
            var z = Matrix(rows: rows.count, columns: latent)
            for g in Set(assignment).sorted() {
                let positions = assignment.indices.filter { assignment[$0] == g }
                let draws = shrunk(fitted[g]!.sample(count: positions.count, rng: &rng), group: plan.groups[g].key)
                for (k, p) in positions.enumerated() { for j in 0..<latent { z[p, j] = Float(draws[k, j]) } }
            }
            let labels: [[String]]? = model.conditions == nil ? nil : assignment.map { plan.groups[$0].labels }
            let conditions = try labels.map { try model.conditions!.encode($0, source: "generate") }
            var context = CellContext(group: labels == nil ? nil : assignment.map(Int32.init))
            if let library { context.librarySize = assignment.map { library.draw(group: $0, rng: &rng) } }
            var output = model.network.decode(z, conditions: conditions, phase: .inference, rng: &rng)
            if addsOffsets {
                Self.addOffsets(offsetsOfGroup, to: &output, assignment: assignment)
            }
            var values =
                mode == .mean
                ? likelihood.mean(output: output, context: context)
                : try likelihood.sample(output: output, context: context, rng: &rng)
            if !counts {
                // Each generated cell takes the size factor of a random training cell of its
                // group, so that undoing lognorm gives realistic depths.
                var sizeFactors: [Float]? = nil
                let trainingFactors = model.preprocessing.trainingSizeFactors
                if model.preprocessing.normalization == .lognorm && !trainingFactors.isEmpty {
                    sizeFactors = assignment.map { g in
                        let rows = plan.groups[g].trainingRows
                        return trainingFactors[rows[Int(rng.next() % UInt64(rows.count))]]
                    }
                }
                values = model.preprocessing.invert(values, sizeFactors: sizeFactors)
            }
            if counts, let logScale {
                // Back on the input's scale: each cell normalised to the target of a random training
                // cell of its group, by its own total (as the input's cells were).
                for i in 0..<values.rows {
                    let members = plan.groups[assignment[i]].trainingRows
                    let target = Double(logScale.targets[members[Int(targetRNG.next() % UInt64(members.count))]])
                    var total = 0.0
                    for j in 0..<values.columns { total += Double(values[i, j]) }
                    let scale = total > 0 ? target / total : 0
                    for j in 0..<values.columns { values[i, j] = logScale.logValue(values[i, j], scale: scale) }
                }
            }
            try block(Block(firstRow: start, values: values, labels: labels, latent: z))
            start = rows.upperBound
        }
        return summaries
    }

    /// Library sizes of generated cells per label group: a log-normal per group, or the
    /// observed totals of the group's training cells.
    struct LibrarySizeDraws {
        var kind: LibrarySizeModel
        var parameters: [(mean: Double, sd: Double)]
        var observed: [Float]
        var groupRows: [[Int]]
        var notes: [String]

        func draw(group g: Int, rng: inout SeededGenerator) -> Float {
            if kind == .empirical {
                let rows = groupRows[g]
                return observed[rows[Int(rng.next() % UInt64(rows.count))]]
            }
            let (mean, sd) = parameters[g]
            return Float(exp(mean + sd * rng.nextNormal()))
        }
    }

    /// The library-size model of each label group, fitted to its training cells, and notes
    /// for labels whose spread had to be borrowed.
    func librarySizeDraws(_ plan: LabelPlan, model library: LibrarySizeModel) throws -> LibrarySizeDraws {
        guard let observed = model.preprocessing.trainingLibrarySizes, observed.count == model.trainingCellIDs.count
        else {
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
            for (g, (group, (mean, sd))) in zip(plan.groups, byGroup).enumerated() {
                if sd == nil && plan.cellsPerGroup[g] > 0 {
                    notes.append(
                        """
                        library sizes of label '\(group.key)': one training cell, so the log-normal takes its \
                        total as the median and the spread pooled over the other labels (sd \
                        \(String(format: "%.3f", pooled)) in log space)
                        """
                    )
                }
                parameters.append((mean, sd ?? pooled))
            }
        }
        return LibrarySizeDraws(
            kind: library, parameters: parameters, observed: observed,
            groupRows: plan.groups.map(\.trainingRows), notes: notes)
    }

    /// One label group of the training cells.
    package struct Group {
        /// The label group's key (`all` for a plain VAE).
        package var key: String
        /// The group's labels, one per condition column (empty for a plain VAE).
        package var labels: [String]
        /// The group's training cells (rows of the model's training latent means).
        package var trainingRows: [Int]
    }

    /// The most cells one run generates: output formats count cells in 32-bit integers (the
    /// 10x `.h5` shape, Matrix Market headers read by other tools).
    package static let maximumCells = Int(Int32.max)

    /// Which label group each generated cell belongs to, without a list of every cell: the
    /// cells of `--per-label` come label by label, and otherwise each cell's label is drawn
    /// with the training proportions from a stream of its own, replayed block by block. Memory
    /// is O(groups) whatever the number of cells.
    struct LabelPlan {
        var groups: [Group]
        var total: Int
        /// Cells each group receives (groups with none fit no latent distribution).
        var cellsPerGroup: [Int]
        /// `--per-label`: (group, count) in order; nil when labels are drawn.
        var segments: [(group: Int, count: Int)]?
        /// Drawn labels: cumulative training proportions and the seed of their stream.
        var cumulative: [Double] = []
        var labelSeed: UInt64 = 0

        /// A fresh reader of the plan from its first cell.
        func drawer() -> LabelDrawer { LabelDrawer(plan: self, rng: SeededGenerator(seed: labelSeed)) }
    }

    /// Reads a `LabelPlan` a block of cells at a time.
    struct LabelDrawer {
        let plan: LabelPlan
        var rng: SeededGenerator
        var segment = 0, usedInSegment = 0

        /// The groups of the next `count` cells.
        mutating func next(_ count: Int) -> [Int] {
            var out: [Int] = []
            out.reserveCapacity(count)
            if let segments = plan.segments {
                while out.count < count && segment < segments.count {
                    let take = min(count - out.count, segments[segment].count - usedInSegment)
                    out += repeatElement(segments[segment].group, count: take)
                    usedInSegment += take
                    if usedInSegment == segments[segment].count {
                        segment += 1
                        usedInSegment = 0
                    }
                }
                return out
            }
            for _ in 0..<count {
                let u = rng.nextUniform()
                out.append(plan.cumulative.firstIndex(where: { u < $0 }) ?? plan.groups.count - 1)
            }
            return out
        }
    }

    /// Adds each cell's group offsets to the first outputs of its row (one pass per row over
    /// contiguous storage: generation's hot path).
    package static func addOffsets(_ offsetsOfGroup: [[Float]?], to output: inout Matrix, assignment: [Int]) {
        let width = output.columns
        output.storage.withUnsafeMutableBufferPointer { values in
            for (i, g) in assignment.enumerated() {
                guard let shift = offsetsOfGroup[g] else { continue }
                shift.withUnsafeBufferPointer { add in
                    let row = values.baseAddress! + i * width
                    for j in 0..<add.count { row[j] += add[j] }
                }
            }
        }
    }

    /// A label group's latent distribution: the model's stored mixture when `spec` is the
    /// sampler it was fitted with, else a fit now to the group's training latent means; and its
    /// summary line.
    func latentDistribution(
        of group: Group, sampler: any LatentSampler, spec: ComponentSpec, rng: inout SeededGenerator
    ) throws -> (any FittedLatentDistribution, String) {
        if let storable = sampler as? any StorableLatentSampler, let mixtures = model.latentMixtures,
            mixtures.sampler == spec.description,
            let stored = mixtures.groups.first(where: { $0.label == group.key })
        {
            let distribution = try storable.restore(stored)
            return (distribution, distribution.summary + " (stored in the model)")
        }
        let points = DoubleMatrix(model.trainingLatentMeans.gatherRows(group.trainingRows))
        let distribution = try sampler.fit(points, label: group.key, rng: &rng)
        return (distribution, distribution.summary)
    }

    /// The training cells' label groups: one per label key, in training's order (label-group
    /// dispersions use them), or one group `all` for a plain VAE.
    package func labelGroups() -> [Group] {
        guard let encoding = model.conditions, let trainingLabels = model.trainingLabels else {
            return [Group(key: "all", labels: [], trainingRows: Array(0..<model.trainingCellIDs.count))]
        }
        let (keys, index) = encoding.groups(of: trainingLabels)
        var groups = keys.map { Group(key: $0, labels: [], trainingRows: []) }
        for (i, g) in index.enumerated() {
            groups[Int(g)].labels = trainingLabels[i]
            groups[Int(g)].trainingRows.append(i)
        }
        return groups
    }

    /// The label groups and how generated cells are spread over them.
    func labelPlan(_ options: GenerationOptions, rng: inout SeededGenerator) throws -> LabelPlan {
        if options.perLabel == nil {
            guard options.count > 0 else {
                throw VAExprsError.usage("\(parameter: "count") must be a positive whole number, got \(options.count)")
            }
            guard options.count <= Self.maximumCells else {
                throw VAExprsError.usage(
                    """
                    \(parameter: "count") \(options.count) is more than one run writes (at most \
                    \(Self.maximumCells) cells); run several with different seeds
                    """
                )
            }
        }
        guard model.conditions != nil, model.trainingLabels != nil else {
            if options.perLabel != nil {
                throw VAExprsError.usage(
                    "\(parameter: "perLabel") needs a conditional model (fit with \(parameter: "labels"))")
            }
            return LabelPlan(
                groups: labelGroups(), total: options.count, cellsPerGroup: [options.count],
                segments: [(0, options.count)])
        }
        var groups = labelGroups()
        if let perLabel = options.perLabel {
            var segments: [(group: Int, count: Int)] = []
            var perGroup = [Int](repeating: 0, count: groups.count)
            var total = 0
            for (label, count) in perLabel {
                guard let g = groups.firstIndex(where: { $0.key == label }) else {
                    throw VAExprsError.usage(
                        """
                        \(parameter: "perLabel"): no training label '\(label)'; labels: \
                        \(groups.map(\.key).joined(separator: ", "))
                        """
                    )
                }
                guard count >= 0 else {
                    throw VAExprsError.usage("\(parameter: "perLabel"): count for '\(label)' must be ≥ 0")
                }
                guard count <= Self.maximumCells - total else {
                    throw VAExprsError.usage(
                        """
                        \(parameter: "perLabel") asks for more than one run writes (at most \(Self.maximumCells) \
                        cells in all); run several with different seeds
                        """
                    )
                }
                total += count
                perGroup[g] += count
                if count > 0 { segments.append((g, count)) }
            }
            guard total > 0 else { throw VAExprsError.usage("\(parameter: "perLabel") asks for no cells") }
            return LabelPlan(groups: groups, total: total, cellsPerGroup: perGroup, segments: segments)
        }
        // Labels drawn with the training proportions (as gen_exprs does), from their own stream:
        // one pass counts the cells per group (to fit only the groups that get cells), the
        // generation replays it.
        let n = Double(model.trainingCellIDs.count)
        var plan = LabelPlan(groups: groups, total: options.count, cellsPerGroup: [], segments: nil)
        var acc = 0.0
        for g in groups {
            acc += Double(g.trainingRows.count) / n
            plan.cumulative.append(acc)
        }
        plan.labelSeed = rng.next()
        var perGroup = [Int](repeating: 0, count: groups.count)
        var counter = plan.drawer()
        var remaining = options.count
        while remaining > 0 {
            let block = min(remaining, 1 << 16)
            for g in counter.next(block) { perGroup[g] += 1 }
            remaining -= block
        }
        plan.cellsPerGroup = perGroup
        return plan
    }
}

extension Generator {
    /// The default sampler's (`mclust`) mixture of every label group, fitted once, as `fit`
    /// stores them in the model; nil when a group's fit cannot be stored (a fallback to one
    /// Gaussian), so that `generate` fits them all as before.
    package func storedMixtures(seed: UInt64) throws -> StoredLatentMixtures? {
        let spec = ComponentSpec(name: "mclust")
        guard let sampler = try registry.makeLatentSampler(spec) as? any StorableLatentSampler else { return nil }
        var rng = SeededGenerator(seed: seed)
        var stored: [StoredLatentMixture] = []
        for group in labelGroups() {
            let points = DoubleMatrix(model.trainingLatentMeans.gatherRows(group.trainingRows))
            guard let mixture = sampler.store(try sampler.fit(points, label: group.key, rng: &rng), label: group.key)
            else { return nil }
            stored.append(mixture)
        }
        return StoredLatentMixtures(sampler: spec.description, groups: stored)
    }
}
