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
    package func check(model: TrainedModel) throws {
        if options.perLabel != nil && options.count > 0 {
            throw VAExprsError.usage("give either \(parameter: "count") or \(parameter: "perLabel"), not both")
        }
        if options.perLabel == nil && options.count <= 0 {
            throw VAExprsError.usage(
                """
                \(parameter: "count") must be a positive whole number (or give \(parameter: "perLabel") for a \
                conditional model), got \(options.count)
                """
            )
        }
        if options.perLabel != nil && model.conditions == nil {
            throw VAExprsError.usage(
                """
                \(parameter: "perLabel") needs a conditional model (fitted with labels); \(modelPath) has none: \
                give \(parameter: "count")
                """
            )
        }
        if options.library != nil && !model.preprocessing.modelsCounts {
            throw VAExprsError.usage(
                """
                \(parameter: "library") applies to models of counts (nb, zinb, poisson); \(modelPath) was fitted \
                with \(model.network.spec.likelihood), whose generated cells take the size factors of training \
                cells
                """
            )
        }
        if evaluationReference == nil && normalization != .auto {
            throw VAExprsError.usage(
                """
                \(parameter: "normalization") applies to the comparison with \(parameter: "evaluationReference"); \
                give it too, or drop \(parameter: "normalization")
                """
            )
        }
    }

    /// `out.csv.gz` → `out_labels.csv`; a folder `out/` → `out_labels.csv` beside it.
    package static func defaultLabelsPath(for output: String) -> String {
        var stem = output
        while stem.count > 1 && stem.hasSuffix("/") { stem.removeLast() }
        for suffix in [".gz", ".csv", ".tsv", ".h5"] where stem.hasSuffix(suffix) {
            stem = String(stem.dropLast(suffix.count))
        }
        return stem + "_labels.csv"
    }

    /// `T cell=100,B cell=50` → [(T cell, 100), (B cell, 50)].
    /// - Throws: `VAExprsError.usage` naming `perLabel` for an item that is not LABEL=COUNT.
    package static func parsePerLabel(_ text: String) throws -> [(label: String, count: Int)] {
        var seen = Set<String>()
        return try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
            guard let eq = item.lastIndex(of: "="),
                let n = Int(item[item.index(after: eq)...].trimmingCharacters(in: .whitespaces)), n >= 0
            else {
                throw VAExprsError.usage(
                    "\(parameter: "perLabel"): '\(item)' must look like 'LABEL=COUNT' with a count ≥ 0")
            }
            let label = item[..<eq].trimmingCharacters(in: .whitespaces)
            guard seen.insert(label).inserted else {
                throw VAExprsError.usage(
                    "\(parameter: "perLabel") names '\(label)' twice; give each label's count once")
            }
            return (label, n)
        }
    }
}

/// What `Generation.run` wrote.
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
