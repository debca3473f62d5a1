import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs utility`: does augmentation help on the user's own labelled cells?
struct UtilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "utility",
        abstract: "Measure whether generated cells help a classifier on held-out real cells (vs duplication, SMOTE).",
        discussion:
            """
            Splits the labelled cells into training and held-out halves (stratified, seeded). Per-label design: \
            each label in turn keeps only --kept training cells; a model is fitted with the fit options given on \
            that reduced set, and a fixed classifier (PCs of the log-normalised cells, multinomial logistic \
            regression) is trained on the real cells alone, plus --added duplicated, SMOTE or generated cells of \
            that label, or on generated cells alone, and scored on the held-out cells: that label's F1 and the \
            macro-F1 over all labels, beside the classifier trained on every training cell. Capped design: every \
            label keeps --kept cells at once. One model fit per reduced label and repeat (the cost is printed first); \
            without --epochs, 300 epochs with --validation-split 0.1 --patience 20.
            """
    )

    @OptionGroup var input: FitInputOptions
    @OptionGroup var model: FitModelOptions
    @Option(help: "Training cells a reduced label keeps.")
    var kept = 5
    @Option(help: "Cells added to each reduced label (generated, duplicated or SMOTE-interpolated).")
    var added = 50
    @Option(help: "Designs, comma-separated: per-label (one label reduced at a time), capped (all labels at once).")
    var design = "per-label,capped"
    @Option(help: "Fraction of each label's cells held out for scoring.")
    var heldOut = 0.5
    @Option(help: "Repeats (new split, kept cells and fit seeds each), reported as mean ± sd.")
    var repeats = 3
    @Option(help: "Report file: .json (every number, every repeat) or .html (tables and a figure).")
    var output: String?
    @Flag(help: "No progress output.")
    var quiet = false
    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let registry = try plugins.registry()
        if let output {
            try ReportFile.check(output, otherwise: "the table alone")
            try OutputSafety.refuseOverlaps(
                inputs: [("--counts", input.counts), ("--labels", input.labels), ("--model-spec", model.modelSpec)],
                outputs: [("--output", output)])
        }
        // Without fit options for them, the held-out benchmark's: early stopping on a tenth of the cells.
        var fit = try model.request(counts: input.counts, defaultEpochs: 300)
        input.apply(to: &fit)
        if model.epochs == nil {
            fit.validationSplit = fit.validationSplit ?? 0.1
            if model.patience == nil { fit.training.patience = 20 }
        }
        var request = UtilityRequest(fit: fit)
        request.kept = kept
        request.added = added
        request.heldOutFraction = heldOut
        request.repeats = repeats
        request.seed = model.seed  // splits, reductions, SMOTE, generation; fits add the repeat
        request.designs = try design.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let d = UtilityDesign(rawValue: trimmed) else {
                throw VAExprsError.usage(
                    """
                    --design: '\(trimmed)' is not a design; give \
                    \(UtilityDesign.allCases.map(\.rawValue).joined(separator: ", "))
                    """
                )
            }
            return d
        }
        let result = try AugmentationUtility.run(
            request, registry: registry, progress: { if !quiet { printError("utility: \($0)") } })
        if !quiet { result.notes.forEach { printNotice($0, command: "utility") } }
        if let output {
            let outputs = AtomicOutput()
            try ReportFile.stage(output, json: result.json, html: { try result.html(registry: registry) }, in: outputs)
            try outputs.commit()
        }
        print(result.summary, terminator: "")
        if let output { print("wrote \(output)") }
    }
}
