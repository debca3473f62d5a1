import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs evaluate`: how real are the generated cells?
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Realism metrics of generated cells: classifier AUCs (with a real-vs-real floor), MMD², per-gene correlations, label recovery.")

    @OptionGroup var cells: RealGeneratedOptions
    @Flag(help: "The data are already log-scale: skip library-size normalisation and log1p.")
    var alreadyLog = false
    @Option(help: "Seed (subsampling, folds, forests, permutations).")
    var seed: UInt64 = 1
    @Option(help: "Report file: .json (every number) or .html (numbers and figures); omit for a terminal summary.")
    var output: String?
    @Option(help: "Also write the classifier design (cell, set, fold, PCs) as CSV, for outside checks.")
    var designOutput: String?
    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let registry = try plugins.registry()
        if let output {
            let ext = (output as NSString).pathExtension.lowercased()
            guard ext == "json" || ext == "html" else { throw VAExprsError.usage("--output \(output): give a .json or .html report file (or omit it for a terminal summary)") }
            try AtomicOutput.checkDestination(output)
        }
        if let designOutput { try AtomicOutput.checkDestination(designOutput) }
        if (cells.labels == nil) != (cells.generatedLabels == nil) {
            throw VAExprsError.usage("give both --labels and --generated-labels (label metrics compare the two), or neither")
        }
        let input = try cells.load(seed: seed)
        if (input.realLabels == nil) != (input.generatedLabels == nil) {
            let (has, lacks) = input.realLabels != nil ? ("real", "generated") : ("generated", "real")
            throw VAExprsError.usage("labels for the \(has) cells but not for the \(lacks) ones: label metrics compare the two; give both a label file or an .h5ad with the obs column --label-column names, or neither")
        }
        var options = RealismEvaluation.Options()
        options.alreadyLog = alreadyLog
        options.seed = seed
        let (report, details) = try RealismEvaluation.evaluate(real: input.real, generated: input.generated, realLabels: input.realLabels,
                                                               generatedLabels: input.generatedLabels, options: options)
        let outputs = AtomicOutput()
        if let designOutput {
            var text = "cell,set,fold," + (1...details.realScores.columns).map { "PC\($0)" }.joined(separator: ",") + "\n"
            for row in details.design {
                let scores = row.set == 0 ? details.realScores : details.generatedScores
                let id = row.set == 0 ? input.real.cellIDs[details.comparisonCells[row.index]] : input.generated.cellIDs[row.index]
                text += "\(ExpressionCSV.quoteIfNeeded(id)),\(row.set == 0 ? "real" : "generated"),\(row.fold),"
                    + (0..<scores.columns).map { "\(scores[row.index, $0])" }.joined(separator: ",") + "\n"
            }
            try outputs.stage(text: text, at: designOutput)
        }
        if let output {
            let bytes = output.lowercased().hasSuffix(".json") ? try RealismReportOutput.json(report)
                : try RealismReportOutput.html(report, details: details, registry: registry)
            try outputs.stage(bytes, at: output)
        }
        try outputs.commit()
        print(RealismReportOutput.summary(report), terminator: "")
        if let output { print("wrote \(output)") }
    }
}
