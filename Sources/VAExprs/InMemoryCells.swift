import Foundation

/// Cells held in memory (dense or sparse), with an optional separate validation matrix.
final class InMemoryCells: FitCellSource {
    private let data: ExpressionMatrix
    let labels: [[String]]?
    private var validationData: ExpressionMatrix?
    let separateValidationLabels: [[String]]?
    private let labelSource: String
    private var preparedCells: (training: TrainingData, validation: TrainingData?)?
    private let logScales: LogScales?

    /// The cells were log-normalised counts, recovered: the base and each cell's scale.
    struct LogScales {
        /// The logarithm's base.
        var base: LogNormalizedInput.Base
        /// Each cell's scale s (value = log_b(1 + count × s)), in input order.
        var scales: [Double]
    }

    /// The cells of `data` with their labels, and a validation matrix with its labels.
    /// - Throws: `VAExprsError` when the matrices are empty, their genes differ, or labels
    ///   and cells do not match.
    init(
        _ data: ExpressionMatrix, labels: [[String]]?, labelColumns: Int,
        validation: (ExpressionMatrix, labels: [[String]]?)?,
        labelSource: String, logScales: LogScales? = nil
    ) throws {
        guard data.cellCount > 0 else { throw VAExprsError.badData("the training matrix has no cells") }
        guard data.geneCount > 0 else { throw VAExprsError.badData("the training matrix has no genes") }
        for (cells, given, what) in [(data, labels, "training"), (validation?.0, validation?.labels, "validation")] {
            guard let cells, let given else { continue }
            guard given.count == cells.cellCount else {
                throw VAExprsError.badData(
                    "\(labelSource): \(given.count) label rows for \(cells.cellCount) \(what) cells; give one per cell")
            }
            if let bad = given.firstIndex(where: { $0.count != labelColumns }) {
                throw VAExprsError.badData(
                    """
                    \(labelSource): \(what) cell \(bad + 1) has \(given[bad].count) labels for \(labelColumns) \
                    label column(s)
                    """
                )
            }
        }
        if let validation {
            guard validation.0.geneNames == data.geneNames else {
                throw VAExprsError.badData(
                    """
                    \(parameter: "validationFile"): its genes differ from the training matrix's (same genes in \
                    the same order are needed)
                    """
                )
            }
            if labels != nil && validation.labels == nil {
                throw VAExprsError.usage(
                    """
                    \(parameter: "validationFile"): a conditional model needs labels for the validation cells too \
                    (in the \(parameter: "labels") file)
                    """
                )
            }
        }
        self.data = data
        self.labels = labels
        self.validationData = validation?.0
        self.separateValidationLabels = labels == nil ? nil : validation?.labels
        self.labelSource = labelSource
        self.logScales = logScales
    }

    var cellCount: Int { data.cellCount }
    var geneNames: [String] { data.geneNames }
    var cellIDs: [String] { data.cellIDs }
    var hasSeparateValidation: Bool { validationData != nil }
    var readingDescription: String { "in memory" }

    /// Ranks genes on the training cells as they are (counts, for Seurat v3), or, for the
    /// dispersion flavour of data to be log-normalised, on library-normalised values.
    func selectGenes(_ plan: FitPlan, count: Int, flavor: GeneSelection.Flavor) throws -> GeneSelection {
        let training = training(plan)
        var ranked = training.cells
        if flavor == .dispersion && plan.normalization == .lognorm {
            ranked = .dense(try LogNormalization.linear(training, source: plan.source))
        }
        return try GeneSelection.select(ranked, count: count, flavor: flavor)
    }

    func prepare(_ plan: FitPlan) throws -> PreparedFitCells {
        var training = training(plan)
        var validation =
            plan.hasSplit
            ? data.selectingCells(plan.isTraining.indices.filter { !plan.isTraining[$0] }) : validationData
        validationData = nil
        if let kept = plan.selection?.selected {
            training = training.selectingGenes(kept)
            validation = validation?.selectingGenes(kept)
        }
        var (preprocessing, prepared) = try Preprocessing.fit(
            training, normalization: plan.normalization, target: plan.target,
            source: plan.source)
        if let logScales, let libraries = preprocessing.trainingLibrarySizes {
            // Scale × library over the model's genes: the target each training cell was normalised to.
            let rows = plan.hasSplit ? plan.trainingRows : Array(0..<data.cellCount)
            preprocessing.logInput = LogNormalizedInput(
                base: logScales.base,
                targets: zip(rows, libraries).map { row, library in
                    Float(logScales.scales[row] * Double(max(library, 1)))
                })
        }
        var cells = prepared
        var validationCells = try validation.map {
            try preprocessing.transform($0, source: "\(parameter: "validationFile")")
        }
        if let encoding = plan.encoding, let labels {
            let trainingLabels = plan.trainingRows.map { labels[$0] }
            cells.conditions = try encoding.encode(trainingLabels, source: labelSource)
            cells.context.group = encoding.groupIndices(of: trainingLabels, keys: plan.groupKeys)
            if validationCells != nil {
                let held =
                    plan.hasSplit
                    ? plan.isTraining.indices.filter { !plan.isTraining[$0] }.map { labels[$0] }
                    : separateValidationLabels!
                validationCells!.conditions = try encoding.encode(held, source: "\(labelSource) (validation cells)")
                validationCells!.context.group = encoding.groupIndices(of: held, keys: plan.groupKeys)
            }
        }
        preparedCells = (cells, validationCells)
        let sample = cells.batch(plan.samplePositions)
        return PreparedFitCells(
            preprocessing: preprocessing,
            sample: LikelihoodSample(target: sample.target, context: sample.context, conditions: sample.conditions),
            notes: [])
    }

    func batches(likelihood: any Likelihood) throws -> (
        training: any MiniBatchSource, validation: (any MiniBatchSource)?
    ) {
        guard var (training, validation) = preparedCells else {
            preconditionFailure("batches(likelihood:) before prepare(_:)")
        }
        preparedCells = nil
        // Parameter-free likelihood terms, once for all training and validation cells.
        training.context.constant = training.constantTerms(of: likelihood)
        if let cells = validation { validation!.context.constant = cells.constantTerms(of: likelihood) }
        return (InMemoryBatches(training), validation.map(InMemoryBatches.init))
    }

    /// The training cells (no copy when every cell trains).
    private func training(_ plan: FitPlan) -> ExpressionMatrix {
        plan.hasSplit ? data.selectingCells(plan.trainingRows) : data
    }
}
