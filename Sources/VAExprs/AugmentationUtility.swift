import Foundation

/// The augmentation-utility test (`vaexprs utility`): on the user's labelled cells, does adding
/// generated cells to a reduced training set help a fixed classifier on held-out real cells,
/// compared with adding duplicated or SMOTE-interpolated real cells, with generated cells alone,
/// and with every real training cell (the ceiling)? See `UtilityRequest` and
/// `UtilityComparison` (the classifier).
public enum AugmentationUtility {
    /// Cells drawn per label from what was learnt on one reduced training set.
    package typealias Draw = (_ wanted: [(label: String, count: Int)], _ seed: UInt64) throws -> (
        cells: ExpressionMatrix, labels: [String]
    )

    /// What learns from a reduced training set: the package's VAE by default; tests substitute
    /// generators of known behaviour (copies, the true distribution).
    package typealias Learn = (
        _ training: ExpressionMatrix, _ labels: [String], _ validation: (ExpressionMatrix, [String])?, _ run: Int
    ) throws -> Draw

    /// Runs the test `request` describes, fitting a model per reduced training set.
    /// - Parameters:
    ///   - progress: receives the planned cost first, then a line per fitted model.
    ///   - training: follows each fit's batches, and can stop the test (`shouldStop`).
    /// - Throws: `VAExprsError` naming the option or file at fault (no labels, a design option
    ///   out of range, a fit option the fits refuse), or `.cancelled`.
    public static func run(
        _ request: UtilityRequest, registry: Registry, progress: (String) -> Void = { _ in },
        training: TrainingProgress? = nil
    ) throws -> UtilityResult {
        try ThreadCount.using(request.fit.threads) {
            var notes: [Notice] = []
            var modelSetup = ""
            let learn: Learn = { cells, labels, validation, run in
                var fit = request.fit
                fit.counts = .matrix(cells, labels: labels.map { [$0] })
                fit.validation = validation.map { .matrix($0.0, labels: $0.1.map { [$0] }) }
                fit.validationSplit = nil
                fit.labels = nil
                fit.labelColumns = nil
                fit.layer = nil
                fit.useRaw = false
                fit.threads = nil
                fit.training.seed = request.fit.training.seed &+ UInt64(run)
                let first = modelSetup.isEmpty
                let model = try Fit.run(
                    fit, registry: registry, progress: training, notes: { if first { notes.append($0) } })
                if first {
                    let spec = model.network.spec
                    modelSetup = """
                        \(spec.likelihood.description), latent \(spec.latentDimension), KL weight \
                        \(spec.regularization)
                        """
                }
                let generator = Generator(model: model, registry: registry)
                return { wanted, seed in
                    let cells = try generator.generate(GenerationOptions(count: 1, perLabel: wanted, seed: seed))
                    return (cells.data, cells.labels?.map { $0.first ?? "" } ?? [])
                }
            }
            var result = try run(request, learn: learn, progress: progress)
            result.report.model = modelSetup
            result.notes = notes + result.notes
            return result
        }
    }

    /// `run` with another learner (no thread change).
    package static func run(
        _ request: UtilityRequest, learn: Learn, progress: (String) -> Void = { _ in }
    ) throws -> UtilityResult {
        try check(request)
        let start = Date()
        let (data, labelNames) = try load(request)
        let classNames = Array(Set(labelNames)).sorted()
        guard classNames.count >= 2 else {
            throw VAExprsError.badData(
                """
                \(request.fit.counts.describe("fit.counts")): the utility test needs cells of at least two labels, \
                got one ('\(classNames.first ?? "")'); give a label column that tells cell types apart
                """
            )
        }
        let classIndex = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        let classes = labelNames.map { classIndex[$0]! }
        let values = data.dense()
        let settings = UtilityComparison.Settings(logNormalize: ValueProfile(data.cells).isCounts)
        var notes: [Notice] = []
        // The split's sizes depend only on the label counts, so eligibility is the same every repeat.
        let members = (0..<classNames.count).map { k in classes.indices.filter { classes[$0] == k } }
        let heldOutCounts = members.map { Self.heldOutCount($0.count, fraction: request.heldOutFraction) }
        var skipped: [UtilityReport.Skipped] = []
        var reducible: [Int] = []
        for k in members.indices {
            let training = members[k].count - heldOutCounts[k]
            if heldOutCounts[k] < 1 {
                skipped.append(.init(label: classNames[k], reason: "\(members[k].count) cell(s): none to hold out"))
            } else if training <= request.kept {
                skipped.append(
                    .init(
                        label: classNames[k],
                        reason: "\(training) training cells: no more than the \(request.kept) kept, nothing to reduce"))
            } else {
                reducible.append(k)
            }
        }
        let perLabel = request.designs.contains(.perLabel), capped = request.designs.contains(.capped)
        let fitsPerRepeat = (perLabel ? reducible.count : 0) + (capped ? 1 : 0)
        let totalFits = fitsPerRepeat * request.repeats
        let designsText = [
            perLabel ? "\(reducible.count) reduced label(s)" : nil, capped ? "all labels capped" : nil
        ].compactMap { $0 }.joined(separator: " + ")
        progress(
            """
            \(totalFits) model fits: \(request.repeats) repeat(s) × (\(designsText)), each on up to \
            \(data.cellCount - heldOutCounts.reduce(0, +)) cells × \(data.geneCount) genes, at most \
            \(request.fit.training.epochs) epochs
            """
        )
        var rng = SeededGenerator(seed: request.seed)
        var fitsDone = 0
        // Indexed [repeat][reduced label][arm]; capped [repeat][arm]; ceiling [repeat].
        var labelRuns = [[[UtilityComparison.Arm: UtilityComparison.Scores]]]()
        var cappedRuns = [[UtilityComparison.Arm: UtilityComparison.Scores]]()
        var ceilingRuns = [UtilityComparison.Scores]()
        for run in 0..<request.repeats {
            var splitRNG = rng.split()
            var training: [[Int]] = [], heldOut: [Int] = []
            for k in members.indices {
                var order = members[k]
                order.shuffle(using: &splitRNG)
                heldOut += order.prefix(heldOutCounts[k])
                training.append(Array(order.dropFirst(heldOutCounts[k])).sorted())
            }
            heldOut.sort()
            let heldOutCells = UtilityComparison.Cells(
                values: values.gatherRows(heldOut), classes: heldOut.map { classes[$0] })
            let everyTraining = training.flatMap { $0 }.sorted()
            ceilingRuns.append(
                try UtilityComparison.run(
                    training: .init(
                        values: values.gatherRows(everyTraining), classes: everyTraining.map { classes[$0] }),
                    heldOut: heldOutCells, classes: classNames.count, augmented: [], generated: nil, generatedOnly: nil,
                    arms: [.real], settings: settings, rng: &rng)[.real]!)
            func experiment(kept: [[Int]], augmented: [(class: Int, count: Int)], title: String) throws
                -> [UtilityComparison.Arm: UtilityComparison.Scores]
            {
                let cells = kept.flatMap { $0 }.sorted()
                let augmentedClasses = Set(augmented.map(\.class))
                // Validation cells for early stopping: the fit's fraction of each label that keeps
                // more than `kept` cells (a reduced label keeps all of its few for training).
                var validation: [Int] = []
                if let fraction = request.fit.validationSplit, fraction > 0 {
                    var validationRNG = rng.split()
                    for k in kept.indices where !augmentedClasses.contains(k) && kept[k].count > request.kept {
                        let count = min(Int((Double(kept[k].count) * fraction).rounded()), kept[k].count - request.kept)
                        validation += validationRNG.choose(count, of: kept[k].count).map { kept[k][$0] }
                    }
                }
                let validationSet = Set(validation)
                let fitCells = cells.filter { !validationSet.contains($0) }
                let fitStart = Date()
                let draw = try learn(
                    data.selectingCells(fitCells), fitCells.map { labelNames[$0] },
                    validation.isEmpty
                        ? nil : (data.selectingCells(validation.sorted()), validation.sorted().map { labelNames[$0] }),
                    run)
                let seed = rng.next()
                let generated = try draw(augmented.map { (classNames[$0.class], $0.count) }, seed)
                let extra = Dictionary(uniqueKeysWithValues: augmented.map { ($0.class, $0.count) })
                let wantedOnly = kept.indices.map { (classNames[$0], kept[$0].count + (extra[$0] ?? 0)) }
                let generatedOnly = try draw(wantedOnly, seed &+ 1)
                fitsDone += 1
                let elapsed = Date().timeIntervalSince(start)
                let left = elapsed / Double(fitsDone) * Double(totalFits - fitsDone)
                progress(
                    """
                    fit \(fitsDone)/\(totalFits) (\(title), repeat \(run + 1)): \
                    \(String(format: "%.1f", Date().timeIntervalSince(fitStart))) s\
                    \(fitsDone < totalFits ? String(format: "; about %.0f s left", left) : "")
                    """
                )
                // The classifier sees the genes the model generates (all, unless it selected some).
                let genes = try Self.columns(of: generated.cells.geneNames, in: data, source: "utility")
                let real = genes.count == data.geneCount ? values : data.selectingGenes(genes).dense()
                func drawn(_ set: (cells: ExpressionMatrix, labels: [String])) throws -> UtilityComparison.Cells {
                    let known = try set.labels.map { label in
                        guard let k = classIndex[label] else {
                            throw VAExprsError(.other, "utility: the generator returned an unknown label '\(label)'")
                        }
                        return k
                    }
                    return .init(values: set.cells.dense(), classes: known)
                }
                return try UtilityComparison.run(
                    training: .init(values: real.gatherRows(cells), classes: cells.map { classes[$0] }),
                    heldOut: .init(values: real.gatherRows(heldOut), classes: heldOutCells.classes),
                    classes: classNames.count, augmented: augmented, generated: try drawn(generated),
                    generatedOnly: try drawn(generatedOnly), arms: UtilityComparison.Arm.allCases, settings: settings,
                    rng: &rng)
            }
            if perLabel {
                var runs: [[UtilityComparison.Arm: UtilityComparison.Scores]] = []
                for k in reducible {
                    var kept = training
                    kept[k] = rng.choose(request.kept, of: training[k].count).map { training[k][$0] }
                    runs.append(
                        try experiment(
                            kept: kept, augmented: [(k, request.added)], title: "label \(classNames[k]) reduced"))
                }
                labelRuns.append(runs)
            }
            if capped {
                let kept = training.map { cells in rng.choose(request.kept, of: cells.count).map { cells[$0] } }
                cappedRuns.append(
                    try experiment(
                        kept: kept, augmented: kept.indices.map { ($0, request.added) }, title: "all labels capped"))
            }
        }
        if !skipped.isEmpty && perLabel {
            notes.append(
                Notice(
                    "labels left out of the per-label design: "
                        + skipped.map { "\($0.label) (\($0.reason))" }.joined(separator: "; ")))
        }
        let report = summarize(
            request, classNames: classNames, members: members, heldOutCounts: heldOutCounts, reducible: reducible,
            labelRuns: labelRuns, cappedRuns: cappedRuns, ceilingRuns: ceilingRuns, skipped: skipped,
            settings: settings, fits: totalFits, seconds: Date().timeIntervalSince(start))
        return UtilityResult(report: report, notes: notes)
    }

    /// Cells held out of a label of `count` cells: round(count × fraction), at least one when
    /// the label has two or more cells, and never all of them.
    static func heldOutCount(_ count: Int, fraction: Double) -> Int {
        guard count >= 2 else { return 0 }
        return min(count - 1, max(1, Int((Double(count) * fraction).rounded())))
    }

    /// Checks the request's own options (the fits check theirs).
    static func check(_ request: UtilityRequest) throws {
        guard request.kept >= 1 else {
            throw VAExprsError.usage("\(parameter: "kept") must be at least 1, got \(request.kept)")
        }
        guard request.added >= 1 else {
            throw VAExprsError.usage("\(parameter: "added") must be at least 1, got \(request.added)")
        }
        guard (1...100).contains(request.repeats) else {
            throw VAExprsError.usage(
                "\(parameter: "repeats") must be a whole number from 1 to 100, got \(request.repeats)")
        }
        guard request.heldOutFraction > 0, request.heldOutFraction < 1 else {
            throw VAExprsError.usage(
                "\(parameter: "heldOutFraction") must lie strictly between 0 and 1, got \(request.heldOutFraction)")
        }
        guard !request.designs.isEmpty else {
            throw VAExprsError.usage("\(parameter: "designs"): name at least one design (per-label, capped)")
        }
        if request.fit.validation != nil {
            throw VAExprsError.usage(
                """
                the utility test takes validation cells from each reduced training set: give \
                \(parameter: "validationSplit") instead of \(parameter: "validation")
                """
            )
        }
        if let fraction = request.fit.validationSplit, !(fraction >= 0 && fraction < 1) {
            throw VAExprsError.usage("\(parameter: "validationSplit") must be in [0, 1), got \(fraction)")
        }
        if request.fit.training.processGroup != nil || request.fit.stream {
            throw VAExprsError.usage(
                """
                the utility test fits its models in memory in one process: run it without MPI and without \
                \(parameter: "stream")
                """
            )
        }
        if let columns = request.fit.labelColumns, columns.count != 1 {
            throw VAExprsError.usage(
                "the utility test scores one label column; \(parameter: "labelColumns") names \(columns.count)")
        }
    }

    /// The cells and each one's label.
    static func load(_ request: UtilityRequest) throws -> (ExpressionMatrix, [String]) {
        let fit = request.fit
        let data: ExpressionMatrix, labels: [[String]]?
        switch fit.counts {
        case .matrix(let m, let l):
            (data, labels) = (m, l)
        case .file(let path):
            let inputs = try DatasetLoader.load(
                counts: path, genesInRows: fit.genesInRows,
                matrix: try AnnDataMatrix.chosen(layer: fit.layer, useRaw: fit.useRaw), labels: fit.labels,
                labelColumns: fit.labelColumns, validation: nil, obsLabelsByDefault: true)
            (data, labels) = (inputs.data, inputs.labels)
        }
        guard let labels, labels.count == data.cellCount else {
            throw VAExprsError.usage(
                """
                \(fit.counts.describe("fit.counts")): the utility test needs each cell's label: give \
                \(parameter: "labels") (a labels file), or an .h5ad whose obs has a 'label' column
                """
            )
        }
        return (data, labels.map { $0.first ?? "" })
    }

    /// The columns of `data` holding `genes`, in that order.
    static func columns(of genes: [String], in data: ExpressionMatrix, source: String) throws -> [Int] {
        let index = Dictionary(data.geneNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return try genes.map { gene in
            guard let j = index[gene] else {
                throw VAExprsError(.other, "\(source): generated gene '\(gene)' is not among the input's genes")
            }
            return j
        }
    }
}
