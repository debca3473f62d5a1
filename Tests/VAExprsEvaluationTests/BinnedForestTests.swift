import Foundation
import Testing
import VAExprsCore

@testable import VAExprsEvaluation

/// The random forest's binned features and what binning keeps of the exact learner.
@Suite struct BinnedForestTests {
    @Test func fewDistinctValuesKeepOneBinEach() {
        let values = (0..<500).map { Double($0 % 7) * 0.5 }
        let x = DoubleMatrix(rows: 500, columns: 1, storage: values)
        let bins = FeatureBins(x)
        #expect(bins.cuts[0] == [0.25, 0.75, 1.25, 1.75, 2.25, 2.75])
        #expect((0..<500).allSatisfy { Int(bins.codes[$0]) == $0 % 7 })
    }

    @Test func manyValuesGetQuantileBinsWithCutsBetweenTrainingValues() {
        var rng = SeededGenerator(seed: 3)
        // 60 % zeros (a heavy atom), the rest continuous.
        let values = (0..<20_000).map { _ in rng.nextUniform() < 0.6 ? 0 : exp(rng.nextNormal()) }
        let bins = FeatureBins(DoubleMatrix(rows: values.count, columns: 1, storage: values))
        let cuts = bins.cuts[0]
        #expect(cuts.count <= 255 && cuts.count > 90, "\(cuts.count) cuts")
        #expect(zip(cuts, cuts.dropFirst()).allSatisfy { $0 < $1 })
        var perBin = [Int](repeating: 0, count: cuts.count + 1)
        for (i, v) in values.enumerated() {
            let code = Int(bins.codes[i])
            perBin[code] += 1
            // The code says on which side of every cut the value lies.
            #expect(code == cuts.count || v <= cuts[code])
            #expect(code == 0 || v > cuts[code - 1])
        }
        // Zeros alone in the first bin; the others near 20 000 / 256 each (never a quarter of the values).
        #expect(perBin[0] == values.filter { $0 == 0 }.count)
        #expect(perBin.dropFirst().allSatisfy { $0 > 0 && $0 < 2 * 20_000 / 256 + 2 }, "\(perBin.dropFirst().max()!)")
    }

    @Test func aNarrowSignalAmongManyValuesIsFound() {
        // Class 1 only in a band holding ~2 % of the values of one of five features.
        var rng = SeededGenerator(seed: 8)
        let n = 6000
        var x = DoubleMatrix(rows: n, columns: 5)
        for i in x.storage.indices { x.storage[i] = rng.nextNormal() }
        let y = (0..<n).map { abs(x[$0, 3] - 0.5) < 0.025 ? 1 : 0 }
        var forest = RandomForest(trees: 20)
        forest.fit(x, y, classes: 2, rng: &rng)
        var test = DoubleMatrix(rows: 2000, columns: 5)
        for i in test.storage.indices { test.storage[i] = rng.nextNormal() }
        let truth = (0..<2000).map { abs(test[$0, 3] - 0.5) < 0.025 ? 1 : 0 }
        let auc = rocAUC(scores: forest.probabilities(test).map { $0[1] }, labels: truth)
        #expect(auc > 0.95, "AUC \(auc)")
    }

    @Test func theForestDoesNotDependOnTheThreadCount() {
        var rng = SeededGenerator(seed: 2)
        var x = DoubleMatrix(rows: 400, columns: 9)
        for i in x.storage.indices { x.storage[i] = rng.nextNormal() }
        let y = (0..<400).map { $0 % 3 }
        func probabilities(threads: Int) -> [[Double]] {
            let before = WorkerPool.shared.threads
            WorkerPool.shared.setThreads(threads)
            defer { WorkerPool.shared.setThreads(before) }
            var forest = RandomForest(trees: 12)
            var stream = SeededGenerator(seed: 11)
            forest.fit(x, y, classes: 3, rng: &stream)
            return forest.probabilities(x)
        }
        let one = probabilities(threads: 1)
        #expect(one == probabilities(threads: 2))
        // Grown to pure leaves, so each tree recalls its bootstrap sample: training cells come back confidently.
        #expect((0..<400).filter { one[$0][y[$0]] > 0.5 }.count > 360)
    }
}
