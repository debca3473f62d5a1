import Foundation
import VAExprsCore

/// Multinomial (softmax) L2-regularised logistic regression with scikit-learn's objective for
/// `LogisticRegression(C = c)` (C·Σ cross-entropy + ½‖W‖², intercepts unpenalised), solved by
/// Newton's method with step halving: the utility test's fixed classifier.
package struct MultinomialLogisticRegression: Sendable {
    /// Inverse regularisation strength.
    package let c: Double
    /// Number of classes (labels are 0..<classes).
    package private(set) var classes = 0
    /// Per class: weights, then the intercept (classes × (features + 1), row-major).
    package private(set) var coefficients: [Double] = []

    /// An unfitted model.
    package init(c: Double = 1) { self.c = c }

    /// Fits to the rows of `x` with labels `y` in 0..<classes. A class without training rows
    /// is never predicted.
    package mutating func fit(_ x: DoubleMatrix, _ y: [Int], classes: Int) throws {
        let n = x.rows, d = x.columns, p = d + 1
        let present = (0..<classes).filter { k in y.contains(k) }
        let m = present.count  // classes fitted
        self.classes = classes
        coefficients = [Double](repeating: 0, count: classes * p)
        guard m >= 2 else {
            // One class seen: it is always predicted.
            if let only = present.first { coefficients[only * p + d] = 1 }
            for k in 0..<classes where !present.contains(k) { coefficients[k * p + d] = -.infinity }
            return
        }
        let index = Dictionary(uniqueKeysWithValues: present.enumerated().map { ($1, $0) })
        let target = y.map { index[$0]! }
        let size = m * p
        var w = [Double](repeating: 0, count: size)
        func probabilities(_ w: [Double], row i: Int, into prob: inout [Double]) {
            var top = -Double.infinity
            for k in 0..<m {
                var z = w[k * p + d]
                for j in 0..<d { z += w[k * p + j] * x[i, j] }
                prob[k] = z
                top = max(top, z)
            }
            var total = 0.0
            for k in 0..<m {
                prob[k] = exp(prob[k] - top)
                total += prob[k]
            }
            for k in 0..<m { prob[k] /= total }
        }
        func objective(_ w: [Double]) -> Double {
            var loss = 0.0, prob = [Double](repeating: 0, count: m)
            for i in 0..<n {
                probabilities(w, row: i, into: &prob)
                loss -= log(max(prob[target[i]], .leastNormalMagnitude))
            }
            var penalty = 0.0
            for k in 0..<m { for j in 0..<d { penalty += w[k * p + j] * w[k * p + j] } }
            return c * loss + 0.5 * penalty
        }
        var current = objective(w)
        var prob = [Double](repeating: 0, count: m), row = [Double](repeating: 0, count: p)
        for _ in 0..<100 {
            var gradient = [Double](repeating: 0, count: size)
            var hessian = [Double](repeating: 0, count: size * size)
            for i in 0..<n {
                probabilities(w, row: i, into: &prob)
                for j in 0..<d { row[j] = x[i, j] }
                row[d] = 1
                for k in 0..<m {
                    let r = c * (prob[k] - (target[i] == k ? 1 : 0))
                    for a in 0..<p { gradient[k * p + a] += r * row[a] }
                    for l in k..<m {
                        let s = c * prob[k] * ((k == l ? 1 : 0) - prob[l])
                        if s == 0 { continue }
                        for a in 0..<p {
                            let sa = s * row[a], base = (k * p + a) * size + l * p
                            for b in 0..<p { hessian[base + b] += sa * row[b] }
                        }
                    }
                }
            }
            for k in 0..<m {
                for j in 0..<d {
                    gradient[k * p + j] += w[k * p + j]
                    hessian[(k * p + j) * size + k * p + j] += 1
                }
                // The intercepts are identified only up to a shared shift: a tiny ridge picks one.
                hessian[(k * p + d) * size + k * p + d] += 1e-8
            }
            for a in 0..<size { for b in 0..<a { hessian[a * size + b] = hessian[b * size + a] } }
            let improved = LogisticRegression.newtonStep(
                &w, step: try LogisticRegression.solve(hessian, gradient, size), objective: objective,
                current: &current)
            if !improved || gradient.reduce(0, { max($0, abs($1)) }) < 1e-8 { break }
        }
        for k in 0..<classes {
            if let fitted = index[k] {
                for a in 0..<p { coefficients[k * p + a] = w[fitted * p + a] }
            } else {
                coefficients[k * p + d] = -.infinity
            }
        }
    }

    /// The most probable class of each row of `x`.
    package func predict(_ x: DoubleMatrix) -> [Int] {
        let p = x.columns + 1
        precondition(coefficients.count == classes * p, "predict: fit first, with as many features")
        return (0..<x.rows).map { i in
            var best = 0, bestScore = -Double.infinity
            for k in 0..<classes {
                var z = coefficients[k * p + p - 1]
                if z == -.infinity { continue }
                for j in 0..<(p - 1) { z += coefficients[k * p + j] * x[i, j] }
                if z > bestScore {
                    bestScore = z
                    best = k
                }
            }
            return best
        }
    }
}
