import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

/// Issue 17: the whole workflow from the library alone, as a Swift user calls it: fit from a
/// file, generate to a file, evaluate, reduce, plot aug / model / history, the mixture report.
@Suite struct LibraryWorkflowTests {
    let dir = TestPaths.scratch("library")

    @Test(.enabled(if: TestPaths.hasSharedData, "needs ../shared/data (seedsim)"))
    func everyStepIsALibraryCall() throws {
        let registry = try Builtins.makeRegistry()
        let counts = TestPaths.dataset("seedsim", "counts.csv.gz"), labels = TestPaths.dataset("seedsim", "labels.csv")
        var fit = FitRequest(counts: counts, training: TrainingOptions(epochs: 2, batchSize: 64, seed: 3))
        fit.labels = labels
        fit.validationSplit = 0.1
        fit.threads = 1
        var notes: [Notice] = []
        let model = try Fit.run(fit, registry: registry, notes: { notes.append($0) })
        #expect(model.conditions != nil && model.history.epochs.count == 2)
        #expect(notes.contains { $0.description.contains("likelihood") }, "\(notes)")

        var request = GenerationRequest(modelPath: "seedsim.vaexprs", options: GenerationOptions(count: 60, seed: 3),
                                        output: dir + "/generated.csv", format: .csv)
        request.evaluationReference = counts
        request.threads = 1
        let generated = try generate(request, model: model, registry: registry)
        #expect(generated.stream.cells == 60 && generated.labelsPath == dir + "/generated_labels.csv")
        #expect(generated.evaluation != nil)

        let sources = AugmentationPlot.Sources(real: counts, generated: dir + "/generated.csv", realLabels: labels,
                                               generatedLabels: dir + "/generated_labels.csv")
        let evaluation = try RealismEvaluation.run(EvaluationRequest(sources: sources))
        #expect(evaluation.summary.contains("AUC") && evaluation.designCSV().hasPrefix("cell,set,fold,PC1"))
        #expect(try JSONSerialization.jsonObject(with: Data(try evaluation.json())) is [String: Any])

        let svg = try FigureRendering.renderer(format: nil, file: "aug.svg", registry: registry)
        let plot = try AugmentationPlot.plot(AugmentationPlotRequest(sources: sources, colourBy: .label), registry: registry, renderer: svg)
        #expect(String(decoding: plot.rendered.bytes ?? [], as: UTF8.self).contains("<svg"))
        #expect(plot.cells.count == 300 + 60 && plot.embeddingCSV.hasPrefix("cell,dim1,dim2"))
        #expect(plot.notes.contains { $0.description.hasPrefix("normalisation") })

        var reduce = ReductionRequest(input: dir + "/generated.csv", reducer: ComponentSpec(name: "pca"))
        reduce.components = 3
        let embedding = try EmbeddingPipeline.run(reduce, registry: registry)
        #expect(embedding.cellIDs.count == 60 && embedding.embedding.coordinates.columns == 3)
        #expect(try JSONSerialization.jsonObject(with: Data(try embedding.metadataJSON())) is [String: Any])

        let graph = try ModelFigures.architecture(model, name: "seedsim.vaexprs", format: "dot")
        #expect(graph.dot.hasPrefix("digraph") && graph.bytes == Array(graph.dot.utf8))
        let history = try ModelFigures.history(model, name: "seedsim.vaexprs", renderer: nil)
        #expect(history.bytes == nil && !history.figure.panels.isEmpty)

        let latent = ExpressionMatrix(cellIDs: model.trainingCellIDs, geneNames: (1...model.trainingLatentMeans.columns).map { "z\($0)" },
                                      values: model.trainingLatentMeans)
        try Data(try ExpressionCSV.encode(latent, path: dir + "/latent.csv")).write(to: URL(fileURLWithPath: dir + "/latent.csv"))
        var rng = SeededGenerator(seed: 1)
        let mixture = try MixtureReport.fit(dir + "/latent.csv", components: [1, 2], models: nil, rng: &rng)
        let json = try mixture.json()
        #expect(mixture.text.hasPrefix("best: ") && json.contains("bic_table"))
    }

    /// A library user reads about the parameters of the calls, not about command-line options.
    @Test func libraryErrorsNameParameters() throws {
        let registry = try Builtins.makeRegistry()
        var fit = FitRequest(counts: "x.csv", training: TrainingOptions(epochs: 1))
        fit.topGenes = 0
        #expect { try Fit.check(fit, registry: registry) } throws: { ($0 as? VAExprsError)?.message == "topGenes must be a positive whole number, got 0" }
        #expect { try FigureRendering.renderer(format: nil, file: "figure.jpeg", registry: registry) } throws: {
            guard let e = $0 as? VAExprsError else { return false }
            return e.message.contains("no renderer writes '.jpeg'") && e.message.contains("give format") && e.parameters == ["output", "format"]
        }
        #expect { try FigureRendering.checkSize(width: 10, height: nil, terminal: false) } throws: { ($0 as? VAExprsError)?.parameters == ["width"] }
    }

    /// Issue 28: generate's rules hold for library callers too (they lived in the CLI).
    @Test func generateChecksItsOwnRules() throws {
        var values = Matrix(rows: 12, columns: 3)
        for i in values.storage.indices { values.storage[i] = Float(i % 4) }
        let data = ExpressionMatrix(cellIDs: (0..<12).map { "c\($0)" }, geneNames: ["a", "b", "c"], values: values)
        let model = try Fixtures.fit(data, labels: nil, epochs: 1, hidden: 4)  // gaussian, no labels
        func refusal(_ options: GenerationOptions, evaluate: String? = nil, _ normalization: ComparisonNormalization = .auto) -> [String]? {
            var request = GenerationRequest(modelPath: "m.vaexprs", options: options, output: dir + "/never.csv", format: .csv)
            request.evaluationReference = evaluate
            request.normalization = normalization
            do { try request.check(model: model); return nil } catch let error as VAExprsError { return error.parameters } catch { return ["?"] }
        }
        #expect(refusal(GenerationOptions(count: 5, perLabel: [("x", 2)])) == ["count", "perLabel"])
        #expect(refusal(GenerationOptions(count: 0)) == ["count", "perLabel"])
        #expect(refusal(GenerationOptions(count: 0, perLabel: [("x", 2)]))?.first == "perLabel")
        #expect(refusal(GenerationOptions(count: 5, library: .empirical)) == ["library"])
        #expect(refusal(GenerationOptions(count: 5), .lognorm) == ["normalization", "evaluationReference", "normalization"])
        #expect(refusal(GenerationOptions(count: 5)) == nil)
        #expect(!FileManager.default.fileExists(atPath: dir + "/never.csv"))
    }
}
