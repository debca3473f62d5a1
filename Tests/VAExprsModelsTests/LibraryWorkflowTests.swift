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

        var request = GenerationRequest(
            modelPath: "seedsim.vaexprs", options: GenerationOptions(count: 60, seed: 3),
            output: dir + "/generated.csv", format: .csv)
        request.evaluationReference = counts
        request.threads = 1
        let generated = try Generation.run(request, registry: registry, model: model)
        #expect(generated.cells == 60 && generated.labelsPath == dir + "/generated_labels.csv")
        #expect(generated.evaluation != nil)

        let sources = AugmentationPlot.Sources(
            real: counts, generated: dir + "/generated.csv", realLabels: labels,
            generatedLabels: dir + "/generated_labels.csv")
        let evaluation = try RealismEvaluation.run(EvaluationRequest(sources: sources))
        #expect(evaluation.summary.contains("AUC") && evaluation.designCSV().hasPrefix("cell,set,fold,PC1"))
        #expect(try JSONSerialization.jsonObject(with: Data(try evaluation.json())) is [String: Any])

        let plot = try AugmentationPlot.run(
            AugmentationPlotRequest(sources: sources, colourBy: .label, renderer: ComponentSpec(name: "svg")),
            registry: registry)
        #expect(String(decoding: plot.rendered.bytes ?? [], as: UTF8.self).contains("<svg"))
        #expect(plot.cells.count == 300 + 60 && plot.embeddingCSV.hasPrefix("cell,dim1,dim2"))
        #expect(plot.notes.contains { $0.description.hasPrefix("normalisation") })

        var reduce = ReductionRequest(input: dir + "/generated.csv", reducer: ComponentSpec(name: "pca"))
        reduce.components = 3
        let embedding = try Reduction.run(reduce, registry: registry)
        #expect(embedding.cellIDs.count == 60 && embedding.embedding.coordinates.columns == 3)
        #expect(try JSONSerialization.jsonObject(with: Data(try embedding.metadataJSON())) is [String: Any])

        let graph = try ModelFigures.architecture(model, name: "seedsim.vaexprs", format: "dot")
        #expect(graph.dot.hasPrefix("digraph") && graph.bytes == Array(graph.dot.utf8))
        let history = try ModelFigures.history(model, name: "seedsim.vaexprs", renderer: nil)
        #expect(history.bytes == nil && !history.figure.panels.isEmpty)

        let latent = ExpressionMatrix(
            cellIDs: model.trainingCellIDs, geneNames: (1...model.trainingLatentMeans.columns).map { "z\($0)" },
            values: model.trainingLatentMeans)
        try Data(try ExpressionCSV.encode(latent, path: dir + "/latent.csv")).write(
            to: URL(fileURLWithPath: dir + "/latent.csv"))
        var rng = SeededGenerator(seed: 1)
        let mixture = try MixtureReport.fit(dir + "/latent.csv", components: [1, 2], models: nil, rng: &rng)
        let json = try mixture.json()
        #expect(mixture.text.hasPrefix("best: ") && json.contains("bic_table"))
    }

    /// A library user reads about the parameters of the calls, not about command-line options.
    @Test func libraryErrorsNameParameters() throws {
        let registry = try Builtins.makeRegistry()
        var fit = FitRequest(counts: "x.csv", training: TrainingOptions(epochs: 1))
        fit.topGenes = -1
        #expect { try Fit.check(fit, registry: registry) } throws: {
            ($0 as? VAExprsError)?.message == "topGenes must be ≥ 0 (0 keeps every gene), got -1"
        }
        // --top-genes 0 keeps every gene, as in reduce, plot aug and evaluate.
        var values = Matrix(rows: 12, columns: 3)
        for i in values.storage.indices { values.storage[i] = Float(i % 5) }
        var all = FitRequest(
            cells: ExpressionMatrix(cellIDs: (0..<12).map { "c\($0)" }, geneNames: ["a", "b", "c"], values: values),
            training: TrainingOptions(epochs: 1))
        all.topGenes = 0
        all.threads = 1
        let model = try Fit.run(all, registry: registry)
        #expect(model.geneNames == ["a", "b", "c"] && model.setup?.geneSelection == nil)
        #expect { try FigureRendering.renderer(format: nil, file: "figure.jpeg", registry: registry) } throws: {
            guard let e = $0 as? VAExprsError else { return false }
            return e.message.contains("no renderer writes '.jpeg'") && e.message.contains("give format")
                && e.parameters == ["output", "format"]
        }
        #expect { try FigureRendering.checkSize(width: 10, height: nil, terminal: false) } throws: {
            ($0 as? VAExprsError)?.parameters == ["width"]
        }
    }

    /// Issue 28: generate's rules hold for library callers too (they lived in the CLI).
    @Test func generateChecksItsOwnRules() throws {
        var values = Matrix(rows: 12, columns: 3)
        for i in values.storage.indices { values.storage[i] = Float(i % 4) }
        let data = ExpressionMatrix(cellIDs: (0..<12).map { "c\($0)" }, geneNames: ["a", "b", "c"], values: values)
        let model = try Fixtures.fit(data, labels: nil, epochs: 1, hidden: 4)  // gaussian, no labels
        func refusal(_ options: GenerationOptions, evaluate: String? = nil, _ normalization: Normalization = .auto)
            -> [String]?
        {
            var request = GenerationRequest(
                modelPath: "m.vaexprs", options: options, output: dir + "/never.csv", format: .csv)
            request.evaluationReference = evaluate
            request.normalization = normalization
            do {
                try request.check(model: model)
                return nil
            } catch let error as VAExprsError { return error.parameters } catch { return ["?"] }
        }
        #expect(refusal(GenerationOptions(count: 5, perLabel: [("x", 2)])) == ["count", "perLabel"])
        #expect(refusal(GenerationOptions(count: 0)) == ["count", "perLabel"])
        #expect(refusal(GenerationOptions(count: 0, perLabel: [("x", 2)]))?.first == "perLabel")
        #expect(refusal(GenerationOptions(count: 5, library: .empirical)) == ["library"])
        #expect(
            refusal(GenerationOptions(count: 5), .lognorm) == ["normalization", "evaluationReference", "normalization"])
        #expect(refusal(GenerationOptions(count: 5)) == nil)
        #expect(!FileManager.default.fileExists(atPath: dir + "/never.csv"))
    }
}

/// Issue 28: a fit builds its likelihood once — the named one, before any data is read — and
/// asks the registry's facts, not built instances, what it scores.
@Suite struct LikelihoodBuildTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() {
            lock.lock()
            count += 1
            lock.unlock()
        }
        var value: Int {
            lock.lock()
            defer { lock.unlock() }
            return count
        }
    }

    @Test(arguments: [false, true]) func oneBuildPerFit(streamed: Bool) throws {
        let registry = try Builtins.makeRegistry()
        let builds = Counter()
        let nb = try registry.facts(.likelihood, ComponentSpec(name: "nb"))
        try registry.register(
            .likelihood { spec in
                builds.add()
                return try registry.makeLikelihood(
                    ComponentSpec(name: "nb", options: spec.options, source: spec.source))
            }, name: "counted_nb", origin: "a test", facts: nb)
        var fit = FitRequest(
            counts: TestPaths.dataset("pbmc_small", "data.h5ad"), training: TrainingOptions(epochs: 1, batchSize: 16))
        fit.choices.likelihood = ComponentSpec(name: "counted_nb")
        fit.noLabels = true
        fit.stream = streamed
        fit.validationSplit = 0.2
        fit.threads = 1
        _ = try Fit.run(fit, registry: registry)
        #expect(builds.value == 1)
    }
}
