import Foundation

/// `generate` (the original's `gen_exprs`) as one library call: cells drawn from a model and
/// streamed to a file, with their labels, the training cells' latent means and, on request, a
/// realism summary against real cells, all written or none.
public struct GenerationRequest {
    /// The model file (named in the recorded settings and in messages).
    public var modelPath: String
    /// What to generate.
    public var options: GenerationOptions
    /// Where the matrix goes.
    public var output: String
    /// Its format (`CellOutputFormat.of(path:option:)` reads it off the path).
    public var format: CellOutputFormat
    /// CSV only: genes in rows.
    public var genesInRows = false
    /// Where a conditional model's labels go (nil: `<output>_labels.csv`, except for `.h5ad`,
    /// whose obs holds them).
    public var labelsOutput: String?
    /// Where the training cells' latent means go, if anywhere.
    public var latentOutput: String?
    /// Real cells to compare the generated ones with (at most `evaluatedCells` of them, spread
    /// evenly over the output); nil for no comparison.
    public var evaluationReference: String?
    /// How both are normalised for that comparison.
    public var normalization: Normalization = .auto
    /// Threads of numeric work (nil: the default).
    public var threads: Int?

    /// Generated cells compared with `evaluationReference`, at most.
    package static let evaluatedCells = 10_000

    /// A request for `options` from the model at `modelPath`, written to `output` in `format`.
    public init(modelPath: String, options: GenerationOptions, output: String, format: CellOutputFormat) {
        self.modelPath = modelPath
        self.options = options
        self.output = output
        self.format = format
    }

    /// Where the labels of `model`'s cells go: the given file, the default beside the output
    /// for a conditional model (not for `.h5ad`), or nowhere.
    package func labelsPath(for model: TrainedModel) -> String? {
        if let labelsOutput { return labelsOutput }
        return model.conditions != nil && format != .h5ad ? Self.defaultLabelsPath(for: output) : nil
    }

    /// The rules of a request that the options alone cannot say: a count or counts per label,
    /// not both; counts per label only for a conditional model; library sizes only for a model
    /// of counts; a normalisation only with a comparison to make.
    /// - Throws: `VAExprsError.usage` naming the parameters.
    public func check(model: TrainedModel) throws {
        if options.perLabel != nil && options.count > 0 {
            throw VAExprsError.usage("give either \(parameter: "count") or \(parameter: "perLabel"), not both")
        }
        if options.perLabel == nil && options.count <= 0 {
            throw VAExprsError.usage("\(parameter: "count") must be a positive whole number (or give \(parameter: "perLabel") for a conditional model), got \(options.count)")
        }
        if options.perLabel != nil && model.conditions == nil {
            throw VAExprsError.usage("\(parameter: "perLabel") needs a conditional model (fitted with labels); \(modelPath) has none: give \(parameter: "count")")
        }
        if options.library != nil && !model.preprocessing.modelsCounts {
            throw VAExprsError.usage("\(parameter: "library") applies to models of counts (nb, zinb, poisson); \(modelPath) was fitted with \(model.network.spec.likelihood), whose generated cells take the size factors of training cells")
        }
        if evaluationReference == nil && normalization != .auto {
            throw VAExprsError.usage("\(parameter: "normalization") applies to the comparison with \(parameter: "evaluationReference"); give it too, or drop \(parameter: "normalization")")
        }
    }

    /// `out.csv.gz` → `out_labels.csv`; a folder `out/` → `out_labels.csv` beside it.
    package static func defaultLabelsPath(for output: String) -> String {
        var stem = output
        while stem.count > 1 && stem.hasSuffix("/") { stem.removeLast() }
        for suffix in [".gz", ".csv", ".tsv", ".h5"] where stem.hasSuffix(suffix) { stem = String(stem.dropLast(suffix.count)) }
        return stem + "_labels.csv"
    }

    /// `T cell=100,B cell=50` → [(T cell, 100), (B cell, 50)].
    /// - Throws: `VAExprsError.usage` naming `perLabel` for an item that is not LABEL=COUNT.
    package static func parsePerLabel(_ text: String) throws -> [(label: String, count: Int)] {
        var seen = Set<String>()
        return try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
            guard let eq = item.lastIndex(of: "="), let n = Int(item[item.index(after: eq)...].trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw VAExprsError.usage("\(parameter: "perLabel"): '\(item)' must look like 'LABEL=COUNT' with a count ≥ 0")
            }
            let label = item[..<eq].trimmingCharacters(in: .whitespaces)
            guard seen.insert(label).inserted else {
                throw VAExprsError.usage("\(parameter: "perLabel") names '\(label)' twice; give each label's count once")
            }
            return (label, n)
        }
    }
}

/// What `generate(_:model:registry:)` wrote.
public struct GenerationResult {
    /// Cells written.
    public var cells: Int
    /// One line per fitted latent distribution.
    public var samplerSummaries: [String]
    /// Where the labels went, if anywhere.
    public var labelsPath: String?
    /// The realism summary against the reference, when one was given.
    public var evaluation: RealismReport?
    /// What was done along the way.
    public var notes: [Notice]
}

/// Generates the cells `request` asks for from `model` and writes every output (all or none:
/// the evaluation, when asked for, runs before any file is renamed into place).
/// - Throws: `VAExprsError` naming the parameter or file at fault.
public func generate(_ request: GenerationRequest, model: TrainedModel, registry: Registry) throws -> GenerationResult {
    try request.check(model: model)
    try CellOutputFormat.requireText(request.latentOutput, parameter: "latentOutput")
    try CellOutputFormat.requireText(request.labelsOutput, parameter: "labelsOutput")
    if let reference = request.evaluationReference { try ExpressionReader.checkReadable(reference, parameter: "evaluationReference") }
    var stream = GenerationStream(model: model, options: request.options, path: request.output, format: request.format)
    stream.genesInRows = request.genesInRows
    stream.labelsPath = request.labelsPath(for: model)
    stream.latentPath = request.latentOutput
    stream.keepSample = request.evaluationReference == nil ? 0 : GenerationRequest.evaluatedCells
    let options = request.options
    stream.settings = [("model", request.modelPath), ("likelihood", model.network.spec.likelihood.description),
                       ("latent_dimension", "\(model.network.spec.latentDimension)"), ("sampler", options.sampler.description),
                       ("decode", (options.decode ?? model.network.likelihood.defaultDecodeMode).rawValue), ("seed", "\(options.seed)")]
        + (model.preprocessing.modelsCounts ? [("library", (options.library ?? .logNormal).rawValue)] : [])
        + [("conditions", model.conditions?.columns.joined(separator: ",") ?? "")]
    var notes: [Notice] = []
    var evaluation: RealismReport?
    let result = try stream.run(registry: registry, threads: request.threads) { result in
        guard let reference = request.evaluationReference, let sample = result.sample else { return }
        if sample.data.cellCount < result.cells {
            notes.append(Notice("\(parameter: "evaluationReference"): comparing \(sample.data.cellCount) of the \(result.cells) generated cells (every \((result.cells + GenerationRequest.evaluatedCells - 1) / GenerationRequest.evaluatedCells)th)"))
        }
        evaluation = try RealismEvaluation.againstReference(reference, generated: sample, model: model, normalization: request.normalization,
                                                            seed: options.seed, notes: &notes)
    }
    return GenerationResult(cells: result.cells, samplerSummaries: result.samplerSummaries, labelsPath: stream.labelsPath, evaluation: evaluation, notes: notes)
}

extension RealismEvaluation {
    /// The realism report of generated `cells` against the real cells at `path` (labels from
    /// the model's training cells; copying judged against the real cells that did not train it).
    package static func againstReference(_ path: String, generated cells: GeneratedCells, model: TrainedModel,
                                        normalization: Normalization, seed: UInt64, notes: inout [Notice]) throws -> RealismReport {
        var real = try ExpressionReader.read(path)
        // A model fitted on selected genes is compared on those genes.
        guard Set(cells.data.geneNames).isSubset(of: Set(real.geneNames)) else {
            throw VAExprsError.badData("\(parameter: "evaluationReference") \(path): it lacks some of the model's genes; give the matrix the model was fitted on")
        }
        real = AugmentationPlot.reordered(real, genes: cells.data.geneNames)
        var realLabels: [String]?
        if let training = model.trainingLabels, let generated = cells.labels {
            let byID = Dictionary(zip(model.trainingCellIDs, training.map { $0.joined(separator: "|") }), uniquingKeysWith: { a, _ in a })
            let matched = real.cellIDs.compactMap { byID[$0] }
            if matched.count == real.cellIDs.count && !generated.isEmpty {
                realLabels = matched
            } else {
                notes.append(Notice("\(parameter: "evaluationReference"): \(real.cellIDs.count - matched.count) of \(path)'s cells are not among the model's training cells (validation cells, or another matrix), so label metrics are skipped; for them, evaluate the written cells with \(parameter: "realLabels") and \(parameter: "generatedLabels")"))
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
            notes.append(Notice("\(parameter: "evaluationReference"): every cell of \(path) trained the model, so copying cannot be measured; fit with a validation split (its cells did not train the model) or compare with held-out cells"))
        }
        return try evaluate(real: real, generated: cells.data, realLabels: realLabels,
                            generatedLabels: realLabels == nil ? nil : cells.labels?.map { $0.joined(separator: "|") },
                            training: training, options: options).report
    }
}
