import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

/// Issue 32, item 0: the latent mixture is part of the model — searched once at the end of
/// `fit`, kept in the model file, used by `generate` with the same sampler, and the same
/// cells come out as when `generate` searched itself.
@Suite struct StoredMixtureTests {
    func model() throws -> TrainedModel {
        var rng = SeededGenerator(seed: 5)
        var x = Matrix(rows: 60, columns: 8)
        for i in x.storage.indices { x.storage[i] = Float(rng.nextPoisson(mean: 3 + Double(i % 8))) }
        let data = ExpressionMatrix(cellIDs: (0..<60).map { "c\($0)" }, geneNames: (0..<8).map { "g\($0)" }, values: x)
        var request = FitRequest(
            cells: data, labels: (0..<60).map { [$0 % 3 == 0 ? "A" : "B"] }, training: TrainingOptions(epochs: 3))
        request.threads = 1
        return try Fit.run(request, registry: Fixtures.registry)
    }

    @Test func fitStoresOneMixturePerLabelAndGenerateUsesItForTheSameCells() throws {
        let model = try model()
        let stored = try #require(model.latentMixtures)
        #expect(stored.sampler == "mclust" && stored.groups.map(\.label) == ["A", "B"])
        let options = GenerationOptions(count: 40, seed: 3)
        let withStored = try Generator(model: model, registry: Fixtures.registry).generate(options)
        #expect(
            withStored.samplerSummaries.allSatisfy { !$0.contains("mclust") || $0.hasSuffix("(stored in the model)") })
        // A model without them (as older files are) searches at generation: the same cells.
        model.latentMixtures = nil
        let searched = try Generator(model: model, registry: Fixtures.registry).generate(options)
        #expect(searched.samplerSummaries.allSatisfy { !$0.contains("stored") })
        #expect(withStored.data == searched.data && withStored.latent == searched.latent)
        // Another sampler spec fits anew, as asked.
        model.latentMixtures = stored
        var normal = options
        normal.sampler = ComponentSpec(name: "normal")
        let other = try Generator(model: model, registry: Fixtures.registry).generate(normal)
        #expect(other.samplerSummaries.allSatisfy { !$0.contains("stored") })
    }

    @Test func theMixturesSurviveTheModelFile() throws {
        let model = try model()
        let path = TestPaths.scratch("stored-mixture") + "/m.vaexprs"
        try model.save(to: path)
        let loaded = try TrainedModel.load(path, registry: Fixtures.registry)
        #expect(loaded.latentMixtures == model.latentMixtures)
        #expect(try loaded.inspectionJSON().contains("\"latent_mixtures\""))
    }
}
