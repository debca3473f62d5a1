import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs evaluate`: how real are the generated cells?
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Realism metrics of generated cells: classifier AUCs (with a real-vs-real floor), MMD², per-gene correlations, label recovery.")

    @OptionGroup var cells: RealGeneratedOptions
    @Option(help: "auto (log-normalise when the real cells are whole counts, else compare the values as given), lognorm (library size scaled to 10 000, log1p) or none. The same rule as generate --evaluate and plot aug; the report states what was done.")
    var normalize = "auto"
    @Flag(help: .hidden)
    var alreadyLog = false
    @Option(help: "The model's training cells (same genes; CSV/TSV, 10x folder or .h5ad): measures whether generated cells copy them, against real cells the model never saw (--real cells that are not training cells).")
    var training: String?
    @Option(help: "Runs of each classifier comparison and of its real-vs-real floor (new subsample, folds and forests each), reported as mean ± sd.")
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
        if let output {
            let ext = (output as NSString).pathExtension.lowercased()
            guard ext == "json" || ext == "html" else { throw VAExprsError.usage("--output \(output): give a .json or .html report file (or omit it for a terminal summary)") }
            try AtomicOutput.checkDestination(output)
        }
        if let designOutput { try AtomicOutput.checkDestination(designOutput) }
        if (cells.labels == nil) != (cells.generatedLabels == nil) {
            throw VAExprsError.usage("give both --labels and --generated-labels (label metrics compare the two), or neither")
        }
        let normalization = try ComparisonNormalization.parse(alreadyLog ? "none" : normalize, option: "--normalize")
        if alreadyLog && normalize != "auto" { throw VAExprsError.usage("--already-log is --normalize none; give one of them") }
        guard (1...100).contains(repeats) else { throw VAExprsError.usage("--repeats must be a whole number from 1 to 100, got \(repeats)") }
        if let training { try ExpressionReader.checkReadable(training, option: "--training") }
        let input = try cells.load(seed: seed)
        let trainingCells = try training.map { path -> ExpressionMatrix in
            let matrix = try CellSubsample.read(path, genesInRows: cells.genesInRows, maxCells: cells.maxCells, seed: seed &+ 0x5851_F42D).matrix
            return try AugmentationPlot.matching(matrix, genes: input.real.geneNames, path: path, reference: cells.real, allowingExtraGenes: true)
        }
        if (input.realLabels == nil) != (input.generatedLabels == nil) {
            let (has, lacks) = input.realLabels != nil ? ("real", "generated") : ("generated", "real")
            throw VAExprsError.usage("labels for the \(has) cells but not for the \(lacks) ones: label metrics compare the two; give both a label file or an .h5ad with the obs column --label-column names, or neither")
        }
        var options = RealismEvaluation.Options()
        options.normalization = normalization
        options.seed = seed
        options.repeats = repeats
        let (report, details) = try RealismEvaluation.evaluate(real: input.real, generated: input.generated, realLabels: input.realLabels,
                                                               generatedLabels: input.generatedLabels, training: trainingCells, options: options)
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
