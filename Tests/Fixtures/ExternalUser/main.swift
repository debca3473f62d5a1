import VAExprs

let registry = try Builtins.makeRegistry()
// fit_vae with fit's defaults: the likelihood chosen from the values (said in a notice), 10 %
// validation cells, early stopping with the best weights restored, 2 000 variable genes
var fit = FitRequest(counts: "counts.csv.gz",
                     training: TrainingOptions(epochs: 300, batchSize: 32, patience: 20, seed: 1))
fit.labels = "labels.csv"
fit.validationSplit = 0.1
fit.topGenes = 2000
let model = try Fit.run(fit, registry: registry, notes: { print("fit: \($0)") })
try model.save(to: "model.vaexprs")
// gen_exprs: 500 cells streamed to a file (a CVAE's labels beside it)
let request = GenerationRequest(modelPath: "model.vaexprs", options: GenerationOptions(count: 500, seed: 1),
                                output: "generated.csv.gz", format: .csv)
let generated = try Generation.run(request, registry: registry, model: model)
print("\(generated.cells) cells × \(model.geneNames.count) genes after \(model.history.epochs.count) epochs")
// the realism report, and plot_aug rendered as PNG
let sources = AugmentationPlot.Sources(real: "counts.csv.gz", generated: "generated.csv.gz")
let evaluation = try RealismEvaluation.run(EvaluationRequest(sources: sources))
print(evaluation.summary, terminator: "")
let figure = try AugmentationPlot.run(AugmentationPlotRequest(sources: sources, renderer: ComponentSpec(name: "png")),
                                     registry: registry)
print("aug.png: \(figure.rendered.bytes?.count ?? 0) bytes")
