import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs demo`: the whole job on the original's simulated design, made in-process.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Simulate the original's example design (3 groups × 100 cells × 1 000 genes), fit a conditional VAE, generate cells, draw the plots, write a realism report, and list the files.")

    @Option(help: "Folder for the demo's files (created if missing).")
    var outputDir = "vaexprs-demo"
    @Option(help: "Maximum training epochs (early stopping on val_loss, patience 20).")
    var epochs = 300
    @Option(help: "Seed.")
    var seed: UInt64 = 1
    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        let registry = try Builtins.makeRegistry()
        do {
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        } catch {
            throw VAExprsError(.cannotWrite, "--output-dir: cannot create \(outputDir) (\(error.localizedDescription))")
        }
        let dir = (outputDir as NSString).standardizingPath
        let (data, groups) = SeedSimulation.make(seed: seed)
        let countsPath = dir + "/counts.csv.gz", labelsPath = dir + "/labels.csv"
        let inputs = AtomicOutput()
        try inputs.stage(ExpressionCSV.encode(data, path: countsPath), at: countsPath)
        try inputs.stage(text: "cell,label\n" + zip(data.cellIDs, groups).map { "\($0),\($1)\n" }.joined(), at: labelsPath)
        try inputs.commit()

        // The defaults `vaexprs fit` uses: the setup chosen from the values, the default preset.
        let setup = try FitSetupChoices().resolve(for: data, registry: registry)
        let spec = setup.spec
        if !quiet { printError("fit: \(setup.choice)") }
        let request = FitRequest(counts: data, labels: groups.map { [$0] }, labelColumns: ["label"],
                                 validation: .split(0.1), normalization: setup.normalization, spec: spec,
                                 training: TrainingOptions(epochs: epochs, batchSize: 32, patience: 20, seed: seed),
                                 setupChoice: setup.choice)
        let model = try fitVAE(request, registry: registry, progress: quiet ? nil : ProgressPrinter())
        let modelPath = dir + "/model.vaexprs"
        try model.save(to: modelPath)
        let cells = try generateExpression(model, options: GenerationOptions(count: data.cellIDs.count, seed: seed), registry: registry)
        let generatedPath = dir + "/generated.csv.gz", generatedLabels = dir + "/generated_labels.csv", latentPath = dir + "/latent.csv"
        try GeneratedOutput.write(cells, model: model, to: generatedPath, labelsPath: generatedLabels, latentPath: latentPath)
        let plots = (aug: dir + "/plot_aug.png", page: dir + "/plot_aug.html", model: dir + "/model.svg", history: dir + "/history.png")
        let labelled = ["--real", countsPath, "--generated", generatedPath, "--labels", labelsPath, "--generated-labels", generatedLabels]
        for arguments in [labelled + ["--output", plots.aug], labelled + ["--method", "umap", "--color-by", "label", "--output", plots.page]] {
            try PlotAugCommand.parse(arguments).run()
        }
        try PlotModelCommand.parse([modelPath, "--output", plots.model]).run()
        try PlotHistoryCommand.parse([modelPath, "--output", plots.history]).run()
        let reportPath = dir + "/realism.html"
        try EvaluateCommand.parse(labelled + ["--output", reportPath]).run()
        print("""
        VAExprs demo: conditional VAE with fit's defaults (\(spec.likelihood) likelihood, latent \(spec.latentDimension), KL weight \(spec.regularization), cells drawn from the likelihood) on the simulated seed design
          input matrix      \(countsPath)  (\(data.cellIDs.count) cells × \(data.geneNames.count) genes)
          input labels      \(labelsPath)
          model             \(modelPath)  (\(model.history.epochs.count) epochs\(model.history.restoredEpoch.map { ", best epoch \($0) restored" } ?? ""))
          generated cells   \(generatedPath)  (\(cells.data.cellIDs.count) cells)
          generated labels  \(generatedLabels)
          latent means      \(latentPath)
          plot_aug (PCA)    \(plots.aug)
          plot_aug (UMAP)   \(plots.page)  (hover for cell ids, click the legend to hide groups)
          architecture      \(plots.model)
          loss history      \(plots.history)
          realism report    \(reportPath)  (classifier AUCs with real-vs-real floors, MMD², gene statistics)
        Same job from the command line:
          vaexprs fit --counts \(countsPath) --labels \(labelsPath) --epochs \(epochs) --validation-split 0.1 --patience 20 --output model.vaexprs
          vaexprs generate model.vaexprs --num-samples 300 --output generated.csv.gz
          vaexprs plot aug --real \(countsPath) --generated \(generatedPath) --labels \(labelsPath) --generated-labels \(generatedLabels) --output plot_aug.png
          vaexprs plot model model.vaexprs --output model.svg
          vaexprs plot history model.vaexprs --output history.png
          vaexprs evaluate --real \(countsPath) --generated \(generatedPath) --labels \(labelsPath) --generated-labels \(generatedLabels) --output realism.html
        """)
    }
}
