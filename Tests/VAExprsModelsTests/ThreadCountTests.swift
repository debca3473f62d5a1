import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

/// Issue 28: a library call applies its thread count for the call and puts the process's
/// count back when it returns (only a program sets it for good).
@Suite(.serialized) struct ThreadCountTests {
    @Test func libraryCallsRestoreTheThreadCount() throws {
        var values = Matrix(rows: 16, columns: 4)
        for i in values.storage.indices { values.storage[i] = Float((i * 3) % 5) }
        let data = ExpressionMatrix(cellIDs: (0..<16).map { "c\($0)" }, geneNames: ["a", "b", "c", "d"], values: values)
        let before = BLAS.setThreads(1)
        defer { BLAS.setThreads(before) }
        let model = try Fixtures.fit(data, labels: nil, epochs: 1, hidden: 4, threads: 2)
        #expect(WorkerPool.shared.threads == 1, "fitVAE left \(WorkerPool.shared.threads) threads")
        _ = try generateExpression(
            model, options: GenerationOptions(count: 5, seed: 1), registry: Fixtures.registry, threads: 2)
        #expect(WorkerPool.shared.threads == 1, "generateExpression left \(WorkerPool.shared.threads) threads")
        _ = SystemReport.current()
        #expect(WorkerPool.shared.threads == 1, "SystemReport left \(WorkerPool.shared.threads) threads")

        // The file-based verbs take their thread count in the request.
        let folder = TestPaths.scratch("thread-count")
        let path = folder + "/cells.csv"
        try Data(ExpressionCSV.encode(data, path: path)).write(to: URL(fileURLWithPath: path))
        var reduce = ReductionRequest(input: path, reducer: ComponentSpec(name: "pca"))
        reduce.threads = 2
        _ = try Reduction.run(reduce, registry: Fixtures.registry)
        #expect(WorkerPool.shared.threads == 1, "Reduction.run left \(WorkerPool.shared.threads) threads")
        var plot = AugmentationPlotRequest(sources: AugmentationPlot.Sources(real: path, generated: path))
        plot.threads = 2
        _ = try AugmentationPlot.run(plot, registry: Fixtures.registry)
        #expect(WorkerPool.shared.threads == 1, "AugmentationPlot.run left \(WorkerPool.shared.threads) threads")
        var evaluate = EvaluationRequest(sources: AugmentationPlot.Sources(real: path, generated: path))
        evaluate.threads = 2
        evaluate.options.repeats = 1
        _ = try RealismEvaluation.run(evaluate)
        #expect(WorkerPool.shared.threads == 1, "RealismEvaluation.run left \(WorkerPool.shared.threads) threads")
        var fit = FitRequest(
            cells: data, labels: (0..<16).map { [$0 % 2 == 0 ? "a" : "b"] }, training: TrainingOptions(epochs: 1))
        fit.threads = 2
        var utility = UtilityRequest(fit: fit)
        utility.kept = 2
        utility.added = 3
        utility.repeats = 1
        _ = try AugmentationUtility.run(utility, registry: Fixtures.registry)
        #expect(WorkerPool.shared.threads == 1, "AugmentationUtility.run left \(WorkerPool.shared.threads) threads")
    }
}
