import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

/// Issue 31, part 4: `fit` chooses on its validation cells how far latent draws stay from their
/// label's centre. Cells whose labels hold only independent noise (seedsim's design) get their
/// draws pulled in; cells with two real states inside each label keep the latent spread; the
/// factor survives the model file and `generate` applies it (or not, on request).
@Suite(.serialized) struct LatentShrinkageTests {
    /// 3 labels × 90 cells × 120 genes: each label shifts its own block of 20 genes; with
    /// `substates`, half the cells of every label also shift another block of 20 genes by 8 (a
    /// real state within the label). Noise N(0, 1.5²) on every value.
    static func simulation(substates: Bool) -> (ExpressionMatrix, [[String]]) {
        var rng = SeededGenerator(seed: 7)
        let cells = 270, genes = 120
        var values = [Float](repeating: 0, count: cells * genes)
        var labels: [[String]] = []
        for i in 0..<cells {
            let label = i % 3, state = (i / 3) % 2
            labels.append(["type\(label)"])
            for j in 0..<genes {
                var mean = 5.0
                if j / 20 == label { mean += 6 }
                if substates && state == 1 && j / 20 == 3 + label { mean += 8 }
                values[i * genes + j] = Float(mean + 1.5 * rng.nextNormal())
            }
        }
        let data = ExpressionMatrix(
            cellIDs: (0..<cells).map { "c\($0)" }, geneNames: (0..<genes).map { "g\($0)" },
            values: Matrix(rows: cells, columns: genes, storage: values))
        return (data, labels)
    }

    @Test func noiseWithinLabelsIsShrunkRealStatesAreKept() throws {
        let (noise, noiseLabels) = Self.simulation(substates: false)
        let plain = try Fixtures.fit(noise, labels: noiseLabels, epochs: 60, validation: 0.15)
        let chosen = try #require(plain.latentShrinkage)
        #expect(chosen.factor < 1, "independent noise: \(chosen.scores)")
        #expect(chosen.scores.map(\.factor) == [0, 0.1, 0.2, 0.3, 0.5, 0.7, 1])

        let (states, stateLabels) = Self.simulation(substates: true)
        let kept = try #require(
            try Fixtures.fit(states, labels: stateLabels, epochs: 60, validation: 0.15).latentShrinkage)
        #expect(kept.factor >= 0.7, "two states within each label: \(kept.scores)")
    }

    /// Count models choose too (0.13, with their offsets on the logits).
    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func countModelsChooseToo() throws {
        let data = try ExpressionCSV.read(TestPaths.dataset("pbmc_small", "counts.csv.gz"))
        let labels = try LabelTable.read(TestPaths.dataset("pbmc_small", "labels.csv")).values(
            columns: ["label"], for: data.cellIDs)
        let model = try Fixtures.fit(data, labels: labels, likelihood: "nb", epochs: 20, validation: 0.3)
        let shrinkage = try #require(model.latentShrinkage)
        #expect(LatentShrinkage.candidates.contains(shrinkage.factor))
        #expect(shrinkage.scores.allSatisfy { $0.logLikelihood.isFinite && $0.logLikelihood < 0 })
    }

    @Test func withoutValidationCellsNothingIsShrunk() throws {
        let (data, labels) = Self.simulation(substates: false)
        #expect(try Fixtures.fit(data, labels: labels, epochs: 3).latentShrinkage == nil)
    }

    @Test func theFactorSurvivesTheModelFileAndGenerateAppliesIt() throws {
        let (data, labels) = Self.simulation(substates: false)
        let model = try Fixtures.fit(data, labels: labels, epochs: 60, validation: 0.15)
        let shrinkage = try #require(model.latentShrinkage)
        #expect(shrinkage.factor < 1, "independent noise: \(shrinkage.scores)")
        let folder = TestPaths.scratch("latent-shrinkage")
        try model.save(to: folder + "/m.vaexprs")
        let loaded = try TrainedModel.load(folder + "/m.vaexprs", registry: Fixtures.registry)
        #expect(loaded.latentShrinkage == shrinkage)
        #expect(try loaded.inspectionJSON().contains("\"latent_shrinkage\""))
        // The latent draws of a label spread by the factor around its centre.
        var options = GenerationOptions(count: 3_000, seed: 4)
        let shrunk = try generateExpression(loaded, options: options, registry: Fixtures.registry)
        options.shrinksLatent = false
        let unshrunk = try generateExpression(loaded, options: options, registry: Fixtures.registry)
        func spread(_ cells: GeneratedCells) -> Double {
            let rows = cells.labels!.indices.filter { cells.labels![$0][0] == "type0" }
            let centre = try! #require(shrinkage.centre(for: "type0"))
            var total = 0.0
            for i in rows { for j in centre.indices { total += pow(Double(cells.latent[i, j]) - centre[j], 2) } }
            return (total / Double(rows.count)).squareRoot()
        }
        let ratio = spread(shrunk) / spread(unshrunk)
        #expect(abs(ratio - shrinkage.factor) < 0.1 + 0.1 * shrinkage.factor, "spread ratio \(ratio)")
        // A factor outside [0, 1] is a damaged file, said so.
        model.latentShrinkage!.factor = 2
        try model.save(to: folder + "/bad.vaexprs")
        #expect {
            _ = try TrainedModel.load(folder + "/bad.vaexprs", registry: Fixtures.registry)
        } throws: { error in
            "\(error)".contains("latent shrinkage")
        }
    }
}
