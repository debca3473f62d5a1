import Foundation
import Testing
import VAExprsCore

@testable import VAExprsEvaluation

/// Counts of `n` cells × `genes` from three cell types (distinct mean profiles), Poisson with
/// cell-specific library sizes; labels "type0"…"type2".
func simulatedCounts(cells n: Int, genes: Int, seed: UInt64) -> (ExpressionMatrix, [String]) {
    var rng = SeededGenerator(seed: seed)
    var profile = SeededGenerator(seed: 99)  // the same cell types in every call
    let means = (0..<3).map { _ in (0..<genes).map { _ in exp(profile.nextNormal() * 1.2) } }
    var values = Matrix(rows: n, columns: genes)
    var labels: [String] = []
    func poisson(_ lambda: Double) -> Float {
        if lambda > 30 { return Float(max(0, (lambda + lambda.squareRoot() * rng.nextNormal()).rounded())) }
        var k = 0, p = 1.0
        let limit = exp(-lambda)
        repeat {
            k += 1
            p *= rng.nextUniform()
        } while p > limit
        return Float(k - 1)
    }
    for i in 0..<n {
        let type = i % 3
        let library = exp(rng.nextNormal() * 0.3)
        for j in 0..<genes { values[i, j] = poisson(means[type][j] * library) }
        labels.append("type\(type)")
    }
    return (
        ExpressionMatrix(cellIDs: (0..<n).map { "c\($0)" }, geneNames: (0..<genes).map { "g\($0)" }, values: values),
        labels
    )
}

func subset(_ m: ExpressionMatrix, _ rows: [Int]) -> ExpressionMatrix {
    ExpressionMatrix(
        cellIDs: rows.map { m.cellIDs[$0] }, geneNames: m.geneNames,
        values: m.dense().gatherRows(rows))
}

@Suite struct ClassifierTests {
    @Test func rocAUCKnownValues() {
        // scikit-learn's example
        #expect(abs(rocAUC(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1]) - 0.75) < 1e-12)
        #expect(rocAUC(scores: [0.5, 0.5], labels: [0, 1]) == 0.5)
        #expect(rocAUC(scores: [1, 2, 3], labels: [0, 0, 1]) == 1)
    }

    @Test func logisticRegressionReachesItsOptimum() throws {
        var rng = SeededGenerator(seed: 4)
        var x = DoubleMatrix(rows: 200, columns: 3)
        var y: [Int] = []
        for i in 0..<200 {
            for j in 0..<3 { x[i, j] = rng.nextNormal() }
            y.append(x[i, 0] - 0.5 * x[i, 1] + 0.3 * rng.nextNormal() > 0 ? 1 : 0)
        }
        var model = LogisticRegression()
        try model.fit(x, y)
        // Stationarity of C·Σ log-loss + ½‖w‖²: C·Σ (p − y)·x + w = 0 (intercept unpenalised).
        let p = model.probabilities(x)
        for j in 0...3 {
            var g = j < 3 ? model.coefficients[j] : 0
            for i in 0..<200 { g += (p[i] - Double(y[i])) * (j < 3 ? x[i, j] : 1) }
            #expect(abs(g) < 1e-6, "gradient \(j): \(g)")
        }
    }

    @Test func randomForestSeparatesAndDoesNotInventSignal() {
        var rng = SeededGenerator(seed: 5)
        var x = DoubleMatrix(rows: 300, columns: 6)
        for i in 0..<300 { for j in 0..<6 { x[i, j] = rng.nextNormal() + (j == 2 && i >= 150 ? 4 : 0) } }
        let separable = try! ClassifierTwoSampleTest.run(
            DoubleMatrix(rows: 150, columns: 6, storage: Array(x.storage.prefix(900))),
            DoubleMatrix(rows: 150, columns: 6, storage: Array(x.storage.suffix(900))), rng: &rng)
        #expect(
            separable.randomForestAUC > 0.97 && separable.logisticRegressionAUC > 0.97,
            "\(separable.randomForestAUC) \(separable.logisticRegressionAUC)")
        var noise = DoubleMatrix(rows: 300, columns: 6)
        for i in noise.storage.indices { noise.storage[i] = rng.nextNormal() }
        let same = try! ClassifierTwoSampleTest.run(
            DoubleMatrix(rows: 150, columns: 6, storage: Array(noise.storage.prefix(900))),
            DoubleMatrix(rows: 150, columns: 6, storage: Array(noise.storage.suffix(900))), rng: &rng)
        #expect(abs(same.randomForestAUC - 0.5) < 0.1 && abs(same.logisticRegressionAUC - 0.5) < 0.1)
    }

    @Test func randomForestSplitsValuesOneUlpApart() {
        // The midpoint of neighbouring doubles rounds onto one of them; the split must still
        // separate them (this once looped for ever on duplicated cells).
        var x = DoubleMatrix(rows: 40, columns: 1)
        for i in 0..<40 { x[i, 0] = i % 2 == 0 ? 1.0 : (1.0).nextUp }
        var forest = RandomForest(trees: 5)
        var rng = SeededGenerator(seed: 1)
        forest.fit(x, (0..<40).map { $0 % 2 }, classes: 2, rng: &rng)
        let p = forest.probabilities(x)
        #expect((0..<40).allSatisfy { p[$0][$0 % 2] > 0.99 }, "\(p.prefix(4))")
    }

    @Test func mmdTellsShiftedFromSame() {
        var rng = SeededGenerator(seed: 6)
        func sample(_ shift: Double) -> DoubleMatrix {
            var m = DoubleMatrix(rows: 120, columns: 4)
            for i in m.storage.indices { m.storage[i] = rng.nextNormal() + (i % 4 == 0 ? shift : 0) }
            return m
        }
        let same = MaximumMeanDiscrepancy.test(sample(0), sample(0), rng: &rng)
        let shifted = MaximumMeanDiscrepancy.test(sample(0), sample(1), rng: &rng)
        #expect(same.pValue > 0.05 && shifted.pValue < 0.01 && shifted.mmd2 > same.mmd2)
    }
}

@Suite struct RealismEvaluationTests {
    @Test func aHeldOutHalfOfTheRealCellsLooksReal() throws {
        let (all, labels) = simulatedCounts(cells: 1200, genes: 200, seed: 1)
        let first = Array(stride(from: 0, to: 1200, by: 2)), second = Array(stride(from: 1, to: 1200, by: 2))
        let (report, _) = try RealismEvaluation.evaluate(
            real: subset(all, first), generated: subset(all, second),
            realLabels: first.map { labels[$0] }, generatedLabels: second.map { labels[$0] })
        print("held-out half: \(report)")
        #expect(abs(report.rfAUC - 0.5) < 0.05 && abs(report.lrAUC - 0.5) < 0.05)
        #expect(abs(report.rfAUCPooled - 0.5) < 0.05 && abs(report.lrAUCPooled - 0.5) < 0.05)
        #expect(report.mmd2PValue > 0.05 && report.mmd2 < report.mmd2Floor + 0.01)
        #expect(report.geneMeanR > 0.99 && report.labelAccuracy! > 0.95)
        // ~100 cells a side per label: such AUCs spread with sd ≈ 0.05 over seeds (measured for
        // the exact and the binned forest alike), so 3 sd.
        #expect(report.perLabelRFAUC!.values.allSatisfy { abs($0 - 0.5) < 0.15 }, "\(report.perLabelRFAUC!)")
        // Projection alone separates fitted from held-out real cells: why the design holds the fitted ones out.
        #expect(report.rfAUCFittedVsHeldOut > 0.6)
    }

    @Test func geneShuffledNoiseIsCaught() throws {
        let (all, _) = simulatedCounts(cells: 800, genes: 200, seed: 2)
        let real = subset(all, Array(0..<400))
        // Each gene's values permuted independently over the other cells: right marginals, no cell types.
        var noise = subset(all, Array(400..<800))
        var rng = SeededGenerator(seed: 3)
        var shuffled = noise.dense()
        for j in 0..<200 {
            var column = (0..<400).map { shuffled[$0, j] }
            for i in stride(from: 399, to: 0, by: -1) { column.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            for i in 0..<400 { shuffled[i, j] = column[i] }
        }
        noise.cells = .dense(shuffled)
        let (report, _) = try RealismEvaluation.evaluate(real: real, generated: noise)
        print("shuffled: \(report)")
        #expect(report.rfAUC > 0.95 && report.rfAUCPooled > 0.95)
        #expect(abs(report.rfAUCFloor - 0.5) < 0.1)
        #expect(report.mmd2PValue < 0.01)
        #expect(report.geneMeanR > 0.95)  // the marginals are right; only the structure is wrong
    }

    /// Issue 15: generated cells that copy training cells are flagged; fresh cells of the same
    /// distribution are not, and cells less varied than real ones are told from copies.
    @Test func copiesOfTrainingCellsAreFlagged() throws {
        let (all, _) = simulatedCounts(cells: 600, genes: 60, seed: 5)
        let training = subset(all, Array(0..<200)), unseen = subset(all, Array(200..<400)),
            fresh = subset(all, Array(400..<600))
        var options = RealismEvaluation.Options()
        options.trees = 20
        options.permutations = 0
        options.repeats = 2
        // Copies: training cells with one count added to a random gene, under new ids.
        var copied = training.dense()
        var rng = SeededGenerator(seed: 6)
        for i in 0..<copied.rows { copied[i, Int(rng.next() % 60)] += 1 }
        let copies = ExpressionMatrix(cellIDs: (0..<200).map { "copy\($0)" }, geneNames: all.geneNames, values: copied)
        let flagged = try RealismEvaluation.evaluate(
            real: unseen, generated: copies, training: training, options: options
        ).report
        #expect(flagged.copyRatio! < 0.5 && flagged.trainingOverUnseen! < 0.5 && flagged.memorises, "\(flagged)")
        let honest = try RealismEvaluation.evaluate(
            real: unseen, generated: fresh, training: training, options: options
        ).report
        #expect(abs(honest.copyRatio! - 1) < 0.15 && !honest.memorises, "\(honest)")
        #expect(honest.trainingCells == 200 && honest.heldOutRealCells == 200)
        // Real cells that trained the model are left out of the comparison: none left, no ratio.
        let none = try RealismEvaluation.evaluate(
            real: training, generated: fresh, training: training, options: options
        ).report
        #expect(none.copyRatio == nil)
    }

    /// Issue 15: one normalisation rule (auto: whole counts are log-normalised, anything else
    /// taken as given), stated in the report; AUCs come with their spread over runs.
    @Test func normalisationRuleAndSpreadAreReported() throws {
        let (all, _) = simulatedCounts(cells: 120, genes: 40, seed: 7)
        var options = RealismEvaluation.Options()
        options.trees = 20
        options.permutations = 0
        options.repeats = 3
        let real = subset(all, Array(0..<60)), generated = subset(all, Array(60..<120))
        let counts = try RealismEvaluation.evaluate(real: real, generated: generated, options: options).report
        #expect(counts.logNormalized && counts.normalization.contains("whole counts") && counts.repeats == 3)
        #expect(counts.rfAUCSD > 0 && counts.rfAUCFloorSD > 0, "three runs with new folds and forests differ")
        var scaled = real
        scaled.cells = .dense(Matrix(rows: 60, columns: 40, storage: real.dense().storage.map { $0 * 0.5 }))
        let continuous = try RealismEvaluation.evaluate(real: scaled, generated: generated, options: options).report
        #expect(!continuous.logNormalized && continuous.normalization.contains("as given"))
        options.normalization = .lognorm
        #expect(
            try RealismEvaluation.evaluate(real: scaled, generated: generated, options: options).report.logNormalized)
        #expect(
            abs(counts.geneMeanSlope - 1) < 0.3
                && abs(counts.medianTotalReal - counts.medianTotalGenerated) / counts.medianTotalReal < 0.2)
    }

    @Test func reportKeysScriptsRead() throws {
        let (all, labels) = simulatedCounts(cells: 120, genes: 40, seed: 4)
        let first = Array(0..<60), second = Array(60..<120)
        var options = RealismEvaluation.Options()
        options.trees = 20
        options.permutations = 20
        let (report, _) = try RealismEvaluation.evaluate(
            real: subset(all, first), generated: subset(all, second),
            realLabels: first.map { labels[$0] }, generatedLabels: second.map { labels[$0] }, options: options)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
        for key in [
            "rf_auc", "lr_auc", "rf_auc_floor", "lr_auc_floor", "mmd2", "mmd2_p_value", "mmd2_floor", "gene_mean_r",
            "gene_var_r", "zero_fraction_r", "label_accuracy", "per_label_rf_auc", "rf_auc_sd", "lr_auc_sd",
            "rf_auc_floor_sd",
            "lr_auc_floor_sd", "repeats", "gene_mean_slope", "gene_var_slope", "zero_fraction_real",
            "zero_fraction_generated",
            "median_total_real", "median_total_generated", "normalization"
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect((object["per_label_rf_auc"] as? [String: Double])?.keys.sorted() == ["type0", "type1", "type2"])
    }
}
