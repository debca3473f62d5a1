import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs evaluate`: how real are the generated cells?
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract:
            """
            Realism metrics of generated cells: classifier AUCs (with a real-vs-real floor), MMD², per-gene \
            correlations, label recovery.
            """
    )

    @OptionGroup var cells: RealGeneratedOptions
    @Option(
        help:
            """
            auto (log-normalise when the real cells are whole counts, else compare the values as given), lognorm \
            (scater's logNormCounts: log2(x / size factor + 1), one depth for all cells compared) or none. The \
            same rule as generate --evaluate and plot aug; the report states what was done.
            """
    )
    var normalize = "auto"
    @Flag(help: .hidden)
    var alreadyLog = false
    @Option(
        help:
            """
            The model's training cells (same genes; CSV/TSV, 10x folder or .h5ad): measures whether generated \
            cells copy them, against real cells the model never saw (--real cells that are not training cells).
            """
    )
    var training: String?
    @Option(
        help:
            """
            Compare on the N genes of largest variance of the (normalised) real and generated cells; 0 keeps \
            every gene.
            """
    )
    var topGenes = 2000
    @Option(
        help:
            """
            Runs of each classifier comparison and of its real-vs-real floor (new subsample, folds and forests \
            each), reported as mean ± sd.
            """
    )
    var repeats = 5
    @Option(help: "Seed (subsampling, folds, forests, permutations).")
    var seed: UInt64 = 1
    @Option(help: "Report file: .json (every number) or .html (numbers and figures); omit for a terminal summary.")
    var output: String?
    @Option(help: "Also write the classifier design (cell, set, fold, PCs) as CSV, for outside checks.")
    var designOutput: String?
    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let registry = try plugins.registry()
        if let output { try ReportFile.check(output, otherwise: "a terminal summary") }
        if let designOutput { try AtomicOutput.checkDestination(designOutput) }
        let normalization = try Normalization.parse(alreadyLog ? "none" : normalize, option: "--normalize")
        if alreadyLog && normalize != "auto" {
            throw VAExprsError.usage("--already-log is --normalize none; give one of them")
        }
        var options = RealismEvaluation.Options()
        options.normalization = normalization
        options.seed = seed
        options.repeats = repeats
        options.topGenes = topGenes
        let result = try RealismEvaluation.run(
            EvaluationRequest(sources: cells.sources(seed: seed), training: training, options: options))
        result.notes.forEach { printNotice($0, command: "evaluate") }
        let outputs = AtomicOutput()
        if let designOutput { try outputs.stage(text: result.designCSV(), at: designOutput) }
        if let output {
            try ReportFile.stage(output, json: result.json, html: { try result.html(registry: registry) }, in: outputs)
        }
        try outputs.commit()
        print(result.summary, terminator: "")
        if let output { print("wrote \(output)") }
    }
}
