import Foundation
import VAExprsCore

/// Binary L2-regularised logistic regression with scikit-learn's objective
/// (C·Σ log-loss + ½‖w‖², intercept unpenalised, C = 1), solved exactly by Newton's method
/// with step halving, so it reaches the optimum scikit-learn's lbfgs approaches.
package struct LogisticRegression: Sendable {
    /// Inverse regularisation strength.
    package let c: Double
    /// Weights, then the intercept.
    package private(set) var coefficients: [Double] = []

    /// An unfitted model.
    package init(c: Double = 1) { self.c = c }

    static func logLoss(_ z: Double, _ y: Double) -> Double {
        // log(1 + e^z) − y·z, stably.
        (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - y * z
    }

    /// Fits to `x` and labels `y` in {0, 1}.
    package mutating func fit(_ x: DoubleMatrix, _ y: [Int]) throws {
        let n = x.rows, d = x.columns, p = d + 1
        var w = [Double](repeating: 0, count: p)
        func objective(_ w: [Double]) -> Double {
            var total = 0.0
            for i in 0..<n {
                var z = w[d]
                for j in 0..<d { z += w[j] * x[i, j] }
                total += Self.logLoss(z, Double(y[i]))
            }
            return c * total + 0.5 * (0..<d).reduce(0) { $0 + w[$1] * w[$1] }
        }
        var current = objective(w)
        for _ in 0..<100 {
            var gradient = [Double](repeating: 0, count: p)
            var hessian = [Double](repeating: 0, count: p * p)
            for i in 0..<n {
                var z = w[d]
                for j in 0..<d { z += w[j] * x[i, j] }
                let prob = 1 / (1 + exp(-z)), r = c * (prob - Double(y[i])), s = c * prob * (1 - prob)
                for a in 0..<p {
                    let xa = a < d ? x[i, a] : 1
                    gradient[a] += r * xa
                    for b in a..<p { hessian[a * p + b] += s * xa * (b < d ? x[i, b] : 1) }
                }
            }
            for a in 0..<d {
                gradient[a] += w[a]
                hessian[a * p + a] += 1
            }
            for a in 0..<p { for b in 0..<a { hessian[a * p + b] = hessian[b * p + a] } }
            hessian[(p - 1) * p + (p - 1)] += 1e-10  // keeps the intercept's pivot positive on separable data
            let improved = Self.newtonStep(
                &w, step: try Self.solve(hessian, gradient, p), objective: objective, current: &current)
            if !improved || gradient.reduce(0, { max($0, abs($1)) }) < 1e-8 { break }
        }
        coefficients = w
    }

    /// One damped Newton step: `w − step`, halved until the objective does not increase (at
    /// most 30 times). Returns whether it decreased by more than rounding.
    static func newtonStep(
        _ w: inout [Double], step: [Double], objective: ([Double]) -> Double, current: inout Double
    ) -> Bool {
        var scale = 1.0
        for _ in 0..<30 {
            let trial = (0..<w.count).map { w[$0] - scale * step[$0] }
            let value = objective(trial)
            if value <= current {
                w = trial
                let improved = current - value > 1e-12 * max(1, abs(current))
                current = value
                return improved
            }
            scale /= 2
        }
        return false
    }

    /// Solves H s = g by Cholesky (H is positive definite).
    static func solve(_ h: [Double], _ g: [Double], _ p: Int) throws -> [Double] {
        var l = [Double](repeating: 0, count: p * p)
        for i in 0..<p {
            for j in 0...i {
                var s = h[i * p + j]
                for k in 0..<j { s -= l[i * p + k] * l[j * p + k] }
                if i == j {
                    guard s > 0 else {
                        throw VAExprsError(.other, "logistic regression: the Hessian is not positive definite")
                    }
                    l[i * p + i] = s.squareRoot()
                } else {
                    l[i * p + j] = s / l[j * p + j]
                }
            }
        }
        var z = [Double](repeating: 0, count: p)
        for i in 0..<p {
            var s = g[i]
            for k in 0..<i { s -= l[i * p + k] * z[k] }
            z[i] = s / l[i * p + i]
        }
        var s = [Double](repeating: 0, count: p)
        for i in stride(from: p - 1, through: 0, by: -1) {
            var t = z[i]
            for k in (i + 1)..<p { t -= l[k * p + i] * s[k] }
            s[i] = t / l[i * p + i]
        }
        return s
    }

    /// P(class 1) for each row.
    package func probabilities(_ x: DoubleMatrix) -> [Double] {
        let d = x.columns
        return (0..<x.rows).map { i in
            var z = coefficients[d]
            for j in 0..<d { z += coefficients[j] * x[i, j] }
            return 1 / (1 + exp(-z))
        }
    }
}

/// ROC AUC of scores for binary labels: the Mann–Whitney probability that a positive
/// outscores a negative, ties counting half.
package func rocAUC(scores: [Double], labels: [Int]) -> Double {
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var ranks = [Double](repeating: 0, count: scores.count)
    var k = 0
    while k < order.count {
        var end = k
        while end + 1 < order.count && scores[order[end + 1]] == scores[order[k]] { end += 1 }
        let rank = Double(k + end) / 2 + 1
        for m in k...end { ranks[order[m]] = rank }
        k = end + 1
    }
    let positives = labels.filter { $0 == 1 }.count, negatives = labels.count - positives
    guard positives > 0, negatives > 0 else { return .nan }
    let rankSum = zip(ranks, labels).filter { $0.1 == 1 }.reduce(0) { $0 + $1.0 }
    return (rankSum - Double(positives * (positives + 1)) / 2) / Double(positives * negatives)
}
