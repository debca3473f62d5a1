import Foundation
import VAExprsCore

/// Classifier two-sample test: can a classifier tell set A (label 0) from set B (label 1)?
package enum ClassifierTwoSampleTest {
    /// Per-classifier cross-validated AUCs and the design used (for outside checks).
    package struct Result: Sendable {
        /// Mean over folds of the random forest's ROC AUC.
        package var randomForestAUC: Double
        /// Mean over folds of logistic regression's ROC AUC.
        package var logisticRegressionAUC: Double
        /// Rows used (indices into A, then into B), their class and fold.
        package var rows: [(set: Int, index: Int, fold: Int)]
    }

    /// Balanced classes (the larger set subsampled to the smaller one's size), stratified
    /// `folds`-fold cross-validation, ROC AUC of out-of-fold P(B) averaged over folds.
    package static func run(
        _ a: DoubleMatrix, _ b: DoubleMatrix, folds: Int = 5, trees: Int = 100, rng: inout SeededGenerator
    ) throws -> Result {
        let size = min(a.rows, b.rows)
        guard size >= folds else {
            throw VAExprsError.badData(
                "two-sample test: needs at least \(folds) cells on each side, got \(a.rows) and \(b.rows)")
        }
        func pick(_ n: Int) -> [Int] {
            var all = Array(0..<n)
            for i in 0..<size { all.swapAt(i, i + Int(rng.next() % UInt64(n - i))) }
            return Array(all.prefix(size)).sorted()
        }
        let chosenA = pick(a.rows), chosenB = pick(b.rows)
        // Stratified folds: each class's rows dealt round-robin after a shuffle.
        func foldsFor(_ count: Int) -> [Int] {
            var order = Array(0..<count)
            for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            var fold = [Int](repeating: 0, count: count)
            for (k, i) in order.enumerated() { fold[i] = k % folds }
            return fold
        }
        let foldA = foldsFor(size), foldB = foldsFor(size)
        let rows =
            chosenA.enumerated().map { (set: 0, index: $0.element, fold: foldA[$0.offset]) }
            + chosenB.enumerated().map { (set: 1, index: $0.element, fold: foldB[$0.offset]) }
        let d = a.columns
        func matrix(_ selection: [(set: Int, index: Int, fold: Int)]) -> DoubleMatrix {
            var m = DoubleMatrix(rows: selection.count, columns: d)
            for (r, row) in selection.enumerated() {
                let source = row.set == 0 ? a : b
                for j in 0..<d { m[r, j] = source[row.index, j] }
            }
            return m
        }
        var rfAUCs: [Double] = [], lrAUCs: [Double] = []
        for fold in 0..<folds {
            let train = rows.filter { $0.fold != fold }, test = rows.filter { $0.fold == fold }
            let xTrain = matrix(train), xTest = matrix(test)
            let yTrain = train.map(\.set), yTest = test.map(\.set)
            var forest = RandomForest(trees: trees)
            forest.fit(xTrain, yTrain, classes: 2, rng: &rng)
            rfAUCs.append(rocAUC(scores: forest.probabilities(xTest).map { $0[1] }, labels: yTest))
            var logistic = LogisticRegression()
            try logistic.fit(xTrain, yTrain)
            lrAUCs.append(rocAUC(scores: logistic.probabilities(xTest), labels: yTest))
        }
        return Result(
            randomForestAUC: rfAUCs.reduce(0, +) / Double(folds),
            logisticRegressionAUC: lrAUCs.reduce(0, +) / Double(folds), rows: rows)
    }
}

/// Maximum mean discrepancy with a Gaussian kernel (Gretton et al. 2012).
package enum MaximumMeanDiscrepancy {
    /// The unbiased MMD² estimate, its permutation p-value and the bandwidth used.
    package struct Result: Sendable {
        /// The unbiased MMD² estimate.
        package var mmd2: Double
        /// Its permutation p-value.
        package var pValue: Double
        /// The Gaussian kernel's bandwidth (the median pairwise distance).
        package var bandwidth: Double
    }

    /// At most this many cells per side enter the kernel matrix (a seeded subsample above).
    package static let maxPerSide = 1500

    /// k(x, y) = exp(−‖x − y‖² / (2σ²)) with σ the median pairwise distance of the pooled
    /// sample (median heuristic); p-value from `permutations` random relabellings, (1 + #≥) / (1 + P).
    package static func test(_ a: DoubleMatrix, _ b: DoubleMatrix, permutations: Int = 200, rng: inout SeededGenerator)
        -> Result
    {
        func subsample(_ m: DoubleMatrix) -> DoubleMatrix {
            guard m.rows > maxPerSide else { return m }
            var idx = Array(0..<m.rows)
            for i in 0..<maxPerSide { idx.swapAt(i, i + Int(rng.next() % UInt64(m.rows - i))) }
            return DoubleMatrix(
                rows: maxPerSide, columns: m.columns,
                storage: idx.prefix(maxPerSide).flatMap { i in (0..<m.columns).map { m[i, $0] } })
        }
        let x = subsample(a), y = subsample(b)
        let n = x.rows, m = y.rows, total = n + m, d = x.columns
        var pooled = [Double](repeating: 0, count: total * d)
        for i in 0..<n { for j in 0..<d { pooled[i * d + j] = x[i, j] } }
        for i in 0..<m { for j in 0..<d { pooled[(n + i) * d + j] = y[i, j] } }
        var squared = [Double](repeating: 0, count: total * total)
        var distances: [Double] = []
        distances.reserveCapacity(total * (total - 1) / 2)
        for i in 0..<total {
            for k in (i + 1)..<total {
                var s = 0.0
                for j in 0..<d {
                    let t = pooled[i * d + j] - pooled[k * d + j]
                    s += t * t
                }
                squared[i * total + k] = s
                squared[k * total + i] = s
                distances.append(s.squareRoot())
            }
        }
        distances.sort()
        let sigma = max(distances.isEmpty ? 1 : distances[distances.count / 2], 1e-12)
        var kernel = squared.map { exp(-$0 / (2 * sigma * sigma)) }
        for i in 0..<total { kernel[i * total + i] = 1 }
        func statistic(_ side: [Bool]) -> Double {
            var xx = 0.0, yy = 0.0, xy = 0.0
            var nx = 0.0, ny = 0.0
            for i in 0..<total { if side[i] { nx += 1 } else { ny += 1 } }
            for i in 0..<total {
                for k in 0..<total where k != i {
                    let v = kernel[i * total + k]
                    switch (side[i], side[k]) {
                    case (true, true): xx += v
                    case (false, false): yy += v
                    default: xy += v
                    }
                }
            }
            return xx / (nx * (nx - 1)) + yy / (ny * (ny - 1)) - xy / (nx * ny)
        }
        var labels = (0..<total).map { $0 < n }
        let observed = statistic(labels)
        var atLeast = 0
        for _ in 0..<permutations {
            for i in stride(from: total - 1, to: 0, by: -1) { labels.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            if statistic(labels) >= observed { atLeast += 1 }
        }
        return Result(mmd2: observed, pValue: Double(1 + atLeast) / Double(1 + permutations), bandwidth: sigma)
    }
}

/// Pearson correlation (NaN when either side is constant).
package func pearson(_ a: [Double], _ b: [Double]) -> Double {
    let n = Double(a.count)
    let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for i in a.indices {
        sab += (a[i] - ma) * (b[i] - mb)
        saa += (a[i] - ma) * (a[i] - ma)
        sbb += (b[i] - mb) * (b[i] - mb)
    }
    return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : .nan
}

/// Least-squares slope of `b` on `a` (NaN when `a` is constant).
package func slope(_ a: [Double], _ b: [Double]) -> Double {
    let n = Double(a.count)
    let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
    var sab = 0.0, saa = 0.0
    for i in a.indices {
        sab += (a[i] - ma) * (b[i] - mb)
        saa += (a[i] - ma) * (a[i] - ma)
    }
    return saa > 0 ? sab / saa : .nan
}
