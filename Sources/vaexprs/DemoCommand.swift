import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs demo`: the whole job on the original's simulated design, made in-process.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            """
            Simulate the original's example design (3 groups × 100 cells × 1 000 genes), fit a conditional VAE, \
            generate cells, draw the plots, write a realism report, and list the files.
            """
    )

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
        let demo = try Demo.run(
            folder: outputDir, epochs: epochs, seed: seed, registry: registry,
            progress: quiet ? nil : ProgressPrinter(), notes: { if !quiet { printNotice($0, command: "demo") } })
        let spec = demo.trained.network.spec, history = demo.trained.history
        print(
            """
            VAExprs demo: conditional VAE with fit's defaults (\(spec.likelihood) likelihood, latent \
            \(spec.latentDimension), KL weight \(spec.regularization), cells drawn from the likelihood) on the \
            simulated seed design
              input matrix      \(demo.counts)  (\(demo.cells) cells × \(demo.genes) genes)
              input labels      \(demo.labels)
              model             \(demo.model)  (\(history.epochs.count) \
            epochs\(history.restoredEpoch.map { ", best epoch \($0) restored" } ?? ""))
              generated cells   \(demo.generated)  (\(demo.generatedCells) cells)
              generated labels  \(demo.generatedLabels)
              latent means      \(demo.latent)
              plot_aug (PCA)    \(demo.augmentationPNG)
              plot_aug (UMAP)   \(demo.augmentationHTML)  (hover for cell ids, click the legend to hide groups)
              architecture      \(demo.architecture)
              loss history      \(demo.history)
              realism report    \(demo.report)  (classifier AUCs with real-vs-real floors, MMD², gene statistics)
            Same job from the command line:
              vaexprs fit --counts \(demo.counts) --labels \(demo.labels) --epochs \(epochs) --validation-split 0.1 \
            --patience 20 --output model.vaexprs
              vaexprs generate model.vaexprs --num-samples 300 --output generated.csv.gz
              vaexprs plot aug --real \(demo.counts) --generated \(demo.generated) --labels \(demo.labels) \
            --generated-labels \(demo.generatedLabels) --output plot_aug.png
              vaexprs plot model model.vaexprs --output model.svg
              vaexprs plot history model.vaexprs --output history.png
              vaexprs evaluate --real \(demo.counts) --generated \(demo.generated) --labels \(demo.labels) \
            --generated-labels \(demo.generatedLabels) --output realism.html
            """)
    }
}
