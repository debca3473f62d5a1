import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

/// Issue 27, class 8: a model whose loss history holds NaN or infinities (a damaged file, or a
/// validation loss that overflowed) is written, read and inspected with them as such: never a
/// raw JSON error.
@Suite struct NonFiniteHistoryTests {
    @Test func nonFiniteLossesSurviveTheModelFileAndInspection() throws {
        var values = Matrix(rows: 16, columns: 4)
        for i in values.storage.indices { values.storage[i] = Float((i * 5) % 7) }
        let data = ExpressionMatrix(cellIDs: (0..<16).map { "c\($0)" }, geneNames: ["a", "b", "c", "d"], values: values)
        let model = try Fixtures.fit(data, labels: nil, epochs: 2, hidden: 4)
        var history = model.history
        history.epochs[0].loss = .nan
        history.epochs[1].valLoss = .infinity
        let damaged = TrainedModel(
            network: model.network, geneNames: model.geneNames, preprocessing: model.preprocessing,
            conditions: model.conditions, trainingCellIDs: model.trainingCellIDs,
            trainingLatentMeans: model.trainingLatentMeans, trainingLabels: model.trainingLabels,
            history: history, seed: model.seed, setup: model.setup)
        let read = try ModelFile.decode(try ModelFile.encode(damaged), source: "damaged", registry: Fixtures.registry)
        #expect(read.history.epochs[0].loss.isNaN)
        #expect(read.history.epochs[1].valLoss == .infinity)
        let json = try read.inspectionJSON()
        #expect(json.contains("\"nan\"") && json.contains("\"inf\""), "\(json.suffix(300))")
    }
}
