import Foundation
import Testing
import VAExprsCore
import VAExprsEvaluation

/// The utility test's parts: the multinomial logistic regression, SMOTE and the F1 scores.
@Suite struct UtilityClassifierTests {
    /// Three Gaussian clusters in 4 dimensions.
    func clusters(perClass: Int, spread: Double, seed: UInt64) -> (DoubleMatrix, [Int]) {
        var rng = SeededGenerator(seed: seed)
        let centres: [[Double]] = [[0, 0, 0, 0], [2, 0, 1, 0], [0, 2, 0, -1]]
        var storage: [Double] = [], labels: [Int] = []
        for (k, centre) in centres.enumerated() {
            for _ in 0..<perClass {
                storage += centre.map { $0 + spread * rng.nextNormal() }
                labels.append(k)
            }
        }
        return (DoubleMatrix(rows: labels.count, columns: 4, storage: storage), labels)
    }

    @Test func theMultinomialFitIsTheOptimumOfScikitLearnsObjective() throws {
        let (x, y) = clusters(perClass: 40, spread: 1, seed: 1)
        var model = MultinomialLogisticRegression(c: 1)
        try model.fit(x, y, classes: 3)
        // The gradient of C·Σ cross-entropy + ½‖W‖² (intercepts free), computed here from the
        // coefficients alone, vanishes at the optimum.
        let p = 5
        var gradient = [Double](repeating: 0, count: 3 * p)
        for i in 0..<x.rows {
            let z = (0..<3).map { k in
                model.coefficients[k * p + 4] + (0..<4).reduce(0) { $0 + model.coefficients[k * p + $1] * x[i, $1] }
            }
            let top = z.max()!, e = z.map { exp($0 - top) }, total = e.reduce(0, +)
            for k in 0..<3 {
                let r = e[k] / total - (y[i] == k ? 1 : 0)
                for j in 0..<4 { gradient[k * p + j] += r * x[i, j] }
                gradient[k * p + 4] += r
            }
        }
        for k in 0..<3 { for j in 0..<4 { gradient[k * p + j] += model.coefficients[k * p + j] } }
        #expect(gradient.map(abs).max()! < 1e-6, "\(gradient)")
        // And it classifies well-separated clusters.
        let (test, truth) = clusters(perClass: 100, spread: 0.3, seed: 2)
        let predicted = model.predict(test)
        #expect(zip(predicted, truth).filter { $0 != $1 }.count <= 3)
    }

    @Test func aClassWithoutTrainingRowsIsNeverPredicted() throws {
        let (x, y) = clusters(perClass: 20, spread: 0.5, seed: 3)
        let rows = y.indices.filter { y[$0] != 1 }
        var model = MultinomialLogisticRegression()
        try model.fit(x.gatherRows(rows), rows.map { y[$0] }, classes: 3)
        #expect(!model.predict(x).contains(1))
    }

    @Test func smotePointsLieBetweenAPointAndOneOfItsNearestNeighbours() {
        let points = DoubleMatrix(rows: 4, columns: 2, storage: [0, 0, 1, 0, 0, 1, 10, 10])
        var rng = SeededGenerator(seed: 4)
        let made = MinorityInterpolation.interpolate(points, count: 200, neighbours: 2, rng: &rng)
        #expect(made.rows == 200)
        // Neighbour lists (k = 2): 0 → {1, 2}, 1 → {0, 2}, 2 → {0, 1}, 3 → {1, 2}: every point
        // lies on one of those segments.
        let segments = [(0, 1), (0, 2), (1, 2), (3, 1), (3, 2)]
        for i in 0..<made.rows {
            let q = (made[i, 0], made[i, 1])
            let onSome = segments.contains { a, b in
                let (ax, ay, bx, by) = (points[a, 0], points[a, 1], points[b, 0], points[b, 1])
                let cross = (bx - ax) * (q.1 - ay) - (by - ay) * (q.0 - ax)
                let dot = (q.0 - ax) * (bx - ax) + (q.1 - ay) * (by - ay)
                let length = (bx - ax) * (bx - ax) + (by - ay) * (by - ay)
                return abs(cross) < 1e-9 && dot >= -1e-9 && dot <= length + 1e-9
            }
            #expect(onSome, "\(q)")
        }
        // Not copies: points strictly inside segments.
        #expect(
            (0..<made.rows).filter { i in
                (0..<4).contains { made[i, 0] == points[$0, 0] && made[i, 1] == points[$0, 1] }
            }.count < 5)
        var single = SeededGenerator(seed: 5)
        let copies = MinorityInterpolation.interpolate(
            DoubleMatrix(rows: 1, columns: 2, storage: [3, 4]), count: 3, rng: &single)
        #expect(copies.storage == [3, 4, 3, 4, 3, 4])
    }

    @Test func f1AndMacroF1MatchHandCountedValues() {
        let truth = [0, 0, 0, 1, 1, 2]
        let predicted = [0, 0, 1, 1, 2, 2]
        // Class 0: tp 2, predicted 2, true 3 → 4/5; class 1: tp 1, predicted 2, true 2 → 1/2;
        // class 2: tp 1, predicted 2, true 1 → 2/3.
        #expect(abs(ClassificationScores.f1(predicted: predicted, truth: truth, class: 0) - 0.8) < 1e-12)
        #expect(abs(ClassificationScores.f1(predicted: predicted, truth: truth, class: 1) - 0.5) < 1e-12)
        #expect(
            abs(ClassificationScores.macroF1(predicted: predicted, truth: truth) - (0.8 + 0.5 + 2.0 / 3) / 3) < 1e-12)
        // A class predicted but never true counts (as scikit-learn's macro average), at 0.
        #expect(abs(ClassificationScores.macroF1(predicted: [0, 3], truth: [0, 0]) - (2.0 / 3 + 0) / 2) < 1e-12)
    }
}
