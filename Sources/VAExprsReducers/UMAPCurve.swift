import Foundation

/// UMAP's low-dimensional similarity 1 / (1 + a·d^(2b)), with a and b fitted as umap-learn's
/// `find_ab_params`: least squares (Levenberg–Marquardt, from a = b = 1) to the curve that is 1
/// below `minDist` and exp(−(d − minDist)/spread) above, at 300 points on [0, 3·spread].
struct UMAPCurve {
    let a: Double
    let b: Double

    init(a: Double, b: Double) {
        self.a = a
        self.b = b
    }

    init(minDist: Double, spread: Double) {
        let xs = (0..<300).map { 3 * spread * Double($0) / 299 }
        let ys = xs.map { $0 < minDist ? 1 : exp(-($0 - minDist) / spread) }
        func residuals(_ a: Double, _ b: Double) -> [Double] {
            zip(xs, ys).map { x, y in 1 / (1 + a * pow(x, 2 * b)) - y }
        }
        var a = 1.0, b = 1.0, lambda = 1e-3
        var cost = residuals(a, b).reduce(0) { $0 + $1 * $1 }
        for _ in 0..<500 {
            // Jacobian of f = 1/(1 + a x^{2b}): ∂f/∂a = −x^{2b} f², ∂f/∂b = −2a x^{2b} ln x f².
            var jtj = (0.0, 0.0, 0.0), jtr = (0.0, 0.0)
            for (x, y) in zip(xs, ys) where x > 0 {
                let power = pow(x, 2 * b), f = 1 / (1 + a * power), r = f - y
                let da = -power * f * f, db = -2 * a * power * log(x) * f * f
                jtj.0 += da * da
                jtj.1 += da * db
                jtj.2 += db * db
                jtr.0 += da * r
                jtr.1 += db * r
            }
            var improved = false
            for _ in 0..<30 {
                let m00 = jtj.0 * (1 + lambda), m11 = jtj.2 * (1 + lambda), m01 = jtj.1
                let det = m00 * m11 - m01 * m01
                guard det != 0 else { break }
                let stepA = -(m11 * jtr.0 - m01 * jtr.1) / det
                let stepB = -(m00 * jtr.1 - m01 * jtr.0) / det
                let trial = residuals(a + stepA, b + stepB).reduce(0) { $0 + $1 * $1 }
                if trial.isFinite && trial < cost {
                    let relative = (cost - trial) / max(cost, 1e-300)
                    a += stepA
                    b += stepB
                    cost = trial
                    lambda /= 10
                    improved = true
                    if relative < 1e-12 { improved = false }
                    break
                }
                lambda *= 10
            }
            if !improved { break }
        }
        self.a = a
        self.b = b
    }
}
