import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

/// Issue 31, part 4: `fit` re-estimates per-label offsets on the decoder's outputs with the
/// network held, the model file keeps them, and `generate` adds them, so that each label's
/// generated gene means come to its training cells' (the decoder alone shrinks them).
@Suite(.serialized) struct OutputOffsetsTests {
    /// Mean over labels and genes of |generated label mean − training label mean|.
    static func labelMeanError(
        _ generated: GeneratedCells, _ data: ExpressionMatrix, _ labels: [[String]]
    ) -> Double {
        let real = data.dense(), fake = generated.data.dense()
        var total = 0.0, terms = 0
        for label in Set(labels.map { $0[0] }) {
            let r = labels.indices.filter { labels[$0][0] == label }
            let f = generated.labels!.indices.filter { generated.labels![$0][0] == label }
            let realMeans = Fixtures.geneMeans(real, rows: r), fakeMeans = Fixtures.geneMeans(fake, rows: f)
            for j in realMeans.indices {
                total += abs(realMeans[j] - fakeMeans[j])
                terms += 1
            }
        }
        return total / Double(terms)
    }

    @Test(
        .enabled(if: TestPaths.hasSharedData, "../shared/data is not present"),
        arguments: [("seedsim", "censored_gaussian"), ("guo", "gaussian")])
    func offsetsBringEachLabelsGeneratedMeansToItsTrainingCells(_ dataset: String, _ likelihood: String) throws {
        let data = try ExpressionCSV.read(TestPaths.dataset(dataset, "counts.csv.gz"))
        let labels = try LabelTable.read(TestPaths.dataset(dataset, "labels.csv")).values(
            columns: ["label"], for: data.cellIDs)
        let model = try Fixtures.fit(data, labels: labels, likelihood: likelihood, epochs: 30)
        let offsets = try #require(model.outputOffsets)
        #expect(Set(offsets.groups.map(\.label)) == Set(labels.map { $0[0] }))
        #expect(offsets.groups.allSatisfy { $0.offsets.count == data.geneNames.count })
        var options = GenerationOptions(count: 15_000, seed: 2)
        let calibrated = try generateExpression(model, options: options, registry: Fixtures.registry)
        options.addsOutputOffsets = false
        let raw = try generateExpression(model, options: options, registry: Fixtures.registry)
        let before = Self.labelMeanError(raw, data, labels), after = Self.labelMeanError(calibrated, data, labels)
        #expect(after < 0.7 * before, "\(dataset) \(likelihood): label-mean error \(before) → \(after)")
    }

    /// Mean over labels and genes of |generated − training| mean proportion (counts over the
    /// cell's total), relative to the training mean proportion of the gene and label.
    static func labelProportionError(
        _ generated: GeneratedCells, _ data: ExpressionMatrix, _ labels: [[String]]
    ) -> Double {
        func proportions(_ m: Matrix) -> Matrix {
            var out = m
            for i in 0..<m.rows {
                let total = max((0..<m.columns).reduce(0.0) { $0 + Double(m[i, $1]) }, 1)
                for j in 0..<m.columns { out[i, j] = Float(Double(m[i, j]) / total) }
            }
            return out
        }
        let real = proportions(data.dense()), fake = proportions(generated.data.dense())
        var total = 0.0, terms = 0
        for label in Set(labels.map { $0[0] }) {
            let r = labels.indices.filter { labels[$0][0] == label }
            let f = generated.labels!.indices.filter { generated.labels![$0][0] == label }
            let realMeans = Fixtures.geneMeans(real, rows: r), fakeMeans = Fixtures.geneMeans(fake, rows: f)
            for j in realMeans.indices where realMeans[j] > 0 {
                total += abs(realMeans[j] - fakeMeans[j]) / realMeans[j]
                terms += 1
            }
        }
        return total / Double(terms)
    }

    /// Count models have offsets on the logits: each label's generated mean proportions come
    /// closer to its training cells'.
    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func countOffsetsBringEachLabelsProportionsToItsTrainingCells() throws {
        let data = try ExpressionCSV.read(TestPaths.dataset("pbmc_small", "counts.csv.gz"))
        let labels = try LabelTable.read(TestPaths.dataset("pbmc_small", "labels.csv")).values(
            columns: ["label"], for: data.cellIDs)
        let model = try Fixtures.fit(data, labels: labels, likelihood: "nb", epochs: 30)
        let offsets = try #require(model.outputOffsets)
        #expect(offsets.groups.allSatisfy { $0.offsets.count == data.geneNames.count })
        var options = GenerationOptions(count: 15_000, seed: 2)
        let calibrated = try generateExpression(model, options: options, registry: Fixtures.registry)
        options.addsOutputOffsets = false
        let raw = try generateExpression(model, options: options, registry: Fixtures.registry)
        let before = Self.labelProportionError(raw, data, labels)
        let after = Self.labelProportionError(calibrated, data, labels)
        #expect(after < 0.8 * before, "label-proportion error \(before) → \(after)")
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func theOffsetsSurviveTheModelFileAndDamageIsNamed() throws {
        let (data, labels) = try Fixtures.seedsim()
        let model = try Fixtures.fit(data, labels: labels, likelihood: "censored_gaussian", epochs: 2)
        let folder = TestPaths.scratch("output-offsets")
        try model.save(to: folder + "/m.vaexprs")
        let loaded = try TrainedModel.load(folder + "/m.vaexprs", registry: Fixtures.registry)
        #expect(loaded.outputOffsets != nil && loaded.outputOffsets == model.outputOffsets)
        #expect(try loaded.inspectionJSON().contains("\"output_offsets\""))
        // One offset short: a damaged file, said so.
        model.outputOffsets!.groups[0].offsets.removeLast()
        try model.save(to: folder + "/bad.vaexprs")
        #expect {
            _ = try TrainedModel.load(folder + "/bad.vaexprs", registry: Fixtures.registry)
        } throws: { error in
            "\(error)".contains("output offsets")
        }
    }
}
