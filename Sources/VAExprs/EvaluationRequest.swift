import Foundation

/// `evaluate` as one library call: how real are generated cells, read from files?
public struct EvaluationRequest {
    /// The real and generated cells and their labels.
    public var sources: AugmentationPlot.Sources
    /// The model's training cells, to measure whether generated cells copy them (nil: not measured).
    public var training: String?
    /// Normalisation, seed and repeats of the comparisons.
    public var options: RealismEvaluation.Options
    /// Threads of numeric work for this call (nil: the default; restored after).
    public var threads: Int?

    /// A request for the cells of `sources`.
    public init(
        sources: AugmentationPlot.Sources, training: String? = nil, options: RealismEvaluation.Options = .init()
    ) {
        self.sources = sources
        self.training = training
        self.options = options
    }
}

/// What `RealismEvaluation.run` found, and the files it can be written as.
public struct EvaluationResult {
    /// Every number.
    public var report: RealismReport
    /// What the figures and the design file need.
    package var details: RealismEvaluation.Details
    /// The real cells compared (ids as read).
    package var realCellIDs: [String]
    /// The generated cells compared (ids as read).
    package var generatedCellIDs: [String]
    /// What was done along the way (subsamples, gene subsets).
    public var notes: [Notice]

    /// The terminal summary.
    public var summary: String { RealismReportOutput.summary(report) }

    /// The report as JSON (every number).
    public func json() throws -> [UInt8] { try RealismReportOutput.json(report) }

    /// The report as an HTML page (numbers and figures, drawn with the registry's renderers).
    public func html(registry: Registry) throws -> [UInt8] {
        try RealismReportOutput.html(report, details: details, registry: registry)
    }

    /// The classifier design (cell, set, fold, PCs) as CSV, for outside checks.
    public func designCSV() -> String {
        var text = "cell,set,fold," + (1...details.realScores.columns).map { "PC\($0)" }.joined(separator: ",") + "\n"
        for row in details.design {
            let scores = row.set == 0 ? details.realScores : details.generatedScores
            let id = row.set == 0 ? realCellIDs[details.comparisonCells[row.index]] : generatedCellIDs[row.index]
            text +=
                "\(ExpressionCSV.quoteIfNeeded(id)),\(row.set == 0 ? "real" : "generated"),\(row.fold),"
                + (0..<scores.columns).map { "\(scores[row.index, $0])" }.joined(separator: ",") + "\n"
        }
        return text
    }
}

extension RealismEvaluation {
    /// The realism report of the cells `request` names.
    /// - Throws: `VAExprsError` naming the file or parameter at fault (labels for one side only,
    ///   genes that differ, a repeat count outside 1…100).
    public static func run(_ request: EvaluationRequest) throws -> EvaluationResult {
        try ThreadCount.using(request.threads) { try run(request, input: nil) }
    }

    /// `run`, on cells already read with `AugmentationPlot.load(request.sources)` (not read again).
    package static func run(_ request: EvaluationRequest, input given: AugmentationPlot.Input?) throws
        -> EvaluationResult
    {
        let sources = request.sources
        guard (1...100).contains(request.options.repeats) else {
            throw VAExprsError.usage(
                "\(parameter: "repeats") must be a whole number from 1 to 100, got \(request.options.repeats)")
        }
        if (sources.realLabels == nil) != (sources.generatedLabels == nil) {
            throw VAExprsError.usage(
                """
                give both \(parameter: "realLabels") and \(parameter: "generatedLabels") (label metrics compare \
                the two), or neither
                """
            )
        }
        if let training = request.training { try ExpressionReader.checkReadable(training, parameter: "training") }
        let input = try given ?? AugmentationPlot.load(sources)
        let training = try request.training.map { path -> ExpressionMatrix in
            let matrix = try CellSubsample.read(
                path, genesInRows: sources.genesInRows, maxCells: sources.maxCells, seed: sources.seed &+ 0x5851_F42D
            ).matrix
            return try AugmentationPlot.matching(
                matrix, genes: input.real.geneNames, path: path, reference: sources.real, allowingExtraGenes: true)
        }
        if (input.realLabels == nil) != (input.generatedLabels == nil) {
            let (has, lacks) = input.realLabels != nil ? ("real", "generated") : ("generated", "real")
            throw VAExprsError.usage(
                """
                labels for the \(has) cells but not for the \(lacks) ones: label metrics compare the two; give \
                both a label file or an .h5ad with the obs column \(parameter: "labelColumn") names, or neither
                """
            )
        }
        let (report, details) = try evaluate(
            real: input.real, generated: input.generated, realLabels: input.realLabels,
            generatedLabels: input.generatedLabels, training: training, options: request.options)
        var notes = input.notes(sources)
        if let training, let path = request.training {
            let trainingIDs = Set(training.cellIDs)
            if input.real.cellIDs.allSatisfy(trainingIDs.contains) {
                notes.append(
                    Notice(
                        """
                        \(parameter: "training") \(path): every real cell is among the training cells, so there \
                        are no unseen real cells to compare with and copying was not measured; give \
                        \(parameter: "realLabels")'s matrix of held-out cells (e.g. a validation split) as the \
                        real cells
                        """
                    ))
            }
        }
        return EvaluationResult(
            report: report, details: details, realCellIDs: input.real.cellIDs,
            generatedCellIDs: input.generated.cellIDs,
            notes: notes)
    }
}

extension RealismEvaluation {
    /// The realism report of generated `cells` against the real cells at `path` (labels from
    /// the model's training cells; copying judged against the real cells that did not train it).
    package static func againstReference(
        _ path: String, generated cells: GeneratedCells, model: TrainedModel,
        normalization: Normalization, seed: UInt64, notes: inout [Notice]
    ) throws -> RealismReport {
        var real = try ExpressionReader.read(path)
        // A model fitted on selected genes is compared on those genes.
        guard Set(cells.data.geneNames).isSubset(of: Set(real.geneNames)) else {
            throw VAExprsError.badData(
                """
                \(parameter: "evaluationReference") \(path): it lacks some of the model's genes; give the matrix \
                the model was fitted on
                """
            )
        }
        real = AugmentationPlot.reordered(real, genes: cells.data.geneNames)
        var realLabels: [String]?
        if let training = model.trainingLabels, let generated = cells.labels {
            let byID = Dictionary(
                zip(model.trainingCellIDs, training.map { $0.joined(separator: "|") }), uniquingKeysWith: { a, _ in a })
            let matched = real.cellIDs.compactMap { byID[$0] }
            if matched.count == real.cellIDs.count && !generated.isEmpty {
                realLabels = matched
            } else {
                notes.append(
                    Notice(
                        """
                        \(parameter: "evaluationReference"): \(real.cellIDs.count - matched.count) of \(path)'s \
                        cells are not among the model's training cells (validation cells, or another matrix), so \
                        label metrics are skipped; for them, evaluate the written cells with \
                        \(parameter: "realLabels") and \(parameter: "generatedLabels")
                        """
                    ))
            }
        }
        var options = Options()
        options.seed = seed
        options.normalization = normalization
        // The model's training cells among the real ones: copying is judged against the others.
        let trainingIDs = Set(model.trainingCellIDs)
        let trainingRows = real.cellIDs.indices.filter { trainingIDs.contains(real.cellIDs[$0]) }
        let training = trainingRows.isEmpty ? nil : real.selectingCells(trainingRows)
        if training != nil && trainingRows.count == real.cellCount {
            notes.append(
                Notice(
                    """
                    \(parameter: "evaluationReference"): every cell of \(path) trained the model, so copying \
                    cannot be measured; fit with a validation split (its cells did not train the model) or \
                    compare with held-out cells
                    """
                ))
        }
        return try evaluate(
            real: real, generated: cells.data, realLabels: realLabels,
            generatedLabels: realLabels == nil ? nil : cells.labels?.map { $0.joined(separator: "|") },
            training: training, options: options
        ).report
    }
}
