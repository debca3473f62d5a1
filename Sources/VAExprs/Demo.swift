import Foundation

/// The whole job on the original's simulated design (3 groups × 100 cells × 1 000 genes) as
/// one library call: simulate, fit a conditional VAE with `fit`'s defaults, generate, draw
/// the plots and write a realism report, every file into one folder.
package enum Demo {
    /// The files the demo wrote.
    package struct Result {
        /// The folder holding every file below.
        package var folder: String
        /// The simulated input: counts (CSV.gz), labels (CSV).
        package var counts: String, labels: String
        /// The model file.
        package var model: String
        /// The generated cells, their labels and the training cells' latent means.
        package var generated: String, generatedLabels: String, latent: String
        /// The figures (PCA as PNG, UMAP as HTML, the architecture as SVG, the history as PNG) and the realism report
        /// (HTML).
        package var augmentationPNG: String, augmentationHTML: String, architecture: String, history: String,
            report: String
        /// The simulated data's size.
        package var cells: Int, genes: Int
        /// The model trained.
        package var trained: TrainedModel
        /// Cells generated.
        package var generatedCells: Int
    }

    /// Runs the demo into `folder` (created if missing) with at most `epochs` epochs.
    /// - Parameters:
    ///   - notes: receives what is chosen along the way.
    ///   - progress: receives each epoch.
    /// - Throws: `VAExprsError` when a file cannot be written.
    package static func run(
        folder: String, epochs: Int = 300, seed: UInt64 = 1, registry: Registry,
        progress: TrainingProgress? = nil, notes: (Notice) -> Void = { _ in }
    ) throws -> Result {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw VAExprsError(
                .cannotWrite, "\(parameter: "outputDir"): cannot create \(folder) (\(error.localizedDescription))")
        }
        let dir = (folder as NSString).standardizingPath
        let (data, groups) = SeedSimulation.make(seed: seed)
        let countsPath = dir + "/counts.csv.gz", labelsPath = dir + "/labels.csv"
        let inputs = AtomicOutput()
        try inputs.stage(ExpressionCSV.encode(data, path: countsPath), at: countsPath)
        try inputs.stage(
            text: "cell,label\n" + zip(data.cellIDs, groups).map { "\($0),\($1)\n" }.joined(), at: labelsPath)
        try inputs.commit()

        // The defaults `fit` uses: the setup chosen from the values, the default preset.
        var request = FitRequest(
            cells: data, labels: groups.map { [$0] },
            training: TrainingOptions(epochs: epochs, batchSize: 32, patience: 20, seed: seed))
        request.validationSplit = 0.1
        let model = try Fit.run(
            request, registry: registry, progress: progress, notes: { notes(Notice("fit: " + $0.template)) })
        let modelPath = dir + "/model.vaexprs"
        try model.save(to: modelPath)
        let cells = try generateExpression(
            model, options: GenerationOptions(count: data.cellIDs.count, seed: seed), registry: registry)
        let generatedPath = dir + "/generated.csv.gz", generatedLabels = dir + "/generated_labels.csv",
            latentPath = dir + "/latent.csv"
        try GeneratedOutput.write(
            cells, model: model, to: generatedPath, labelsPath: generatedLabels, latentPath: latentPath)

        let sources = AugmentationPlot.Sources(
            real: countsPath, generated: generatedPath, realLabels: labelsPath,
            generatedLabels: generatedLabels, seed: seed)
        let files = (
            aug: dir + "/plot_aug.png", page: dir + "/plot_aug.html", model: dir + "/model.svg",
            history: dir + "/history.png", report: dir + "/realism.html"
        )
        let png = try registry.makeRenderer(ComponentSpec(name: "png"))
        let outputs = AtomicOutput()
        // Both figures and the report compare the same two files: read once.
        let input = try AugmentationPlot.load(sources)
        let pca = try AugmentationPlot.run(
            input, request: AugmentationPlotRequest(sources: sources, renderer: ComponentSpec(name: "png")),
            registry: registry)
        try outputs.stage(pca.rendered.bytes!, at: files.aug)
        let umap = try AugmentationPlot.run(
            input,
            request: AugmentationPlotRequest(
                sources: sources, reducer: ComponentSpec(name: "umap"), colourBy: .label,
                renderer: ComponentSpec(name: "html")),
            registry: registry)
        try outputs.stage(umap.rendered.bytes!, at: files.page)
        try outputs.stage(
            try ModelFigures.architecture(model, name: "model.vaexprs", format: "svg").bytes, at: files.model)
        try outputs.stage(try ModelFigures.history(model, name: modelPath, renderer: png).bytes!, at: files.history)
        var evaluationOptions = RealismEvaluation.Options()
        evaluationOptions.seed = seed
        let evaluation = try RealismEvaluation.run(
            EvaluationRequest(sources: sources, options: evaluationOptions), input: input)
        try outputs.stage(try evaluation.html(registry: registry), at: files.report)
        try outputs.commit()
        return Result(
            folder: dir, counts: countsPath, labels: labelsPath, model: modelPath, generated: generatedPath,
            generatedLabels: generatedLabels, latent: latentPath, augmentationPNG: files.aug,
            augmentationHTML: files.page,
            architecture: files.model, history: files.history, report: files.report, cells: data.cellIDs.count,
            genes: data.geneNames.count, trained: model, generatedCells: cells.data.cellIDs.count)
    }
}
