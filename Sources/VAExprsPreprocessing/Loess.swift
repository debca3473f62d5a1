import Foundation

/// Local regression (Cleveland's loess) of one predictor: at each point, a weighted least-
/// squares polynomial of degree 2 over the ⌊span·n⌋ nearest points with tricube weights,
/// evaluated directly at that point (R/skmisc `surface = "direct"`; their default
/// "interpolate" evaluates at kd-tree vertices and interpolates, which differs slightly).
enum Loess {
    /// Fitted values at each x (any order). O(n · span·n).
    static func fit(x: [Double], y: [Double], span: Double) -> [Double] {
        let n = x.count
        guard n > 0 else { return [] }
        let order = (0..<n).sorted { x[$0] < x[$1] }
        let xs = order.map { x[$0] }, ys = order.map { y[$0] }
        let q = min(n, max(3, Int(Double(n) * span)))
        var fitted = [Double](repeating: 0, count: n)
        var left = 0
        for i in 0..<n {
            let xi = xs[i]
            while left + q < n && xs[left + q] - xi < xi - xs[left] { left += 1 }
            let window = left..<(left + q)
            let radius = max(xi - xs[window.lowerBound], xs[window.upperBound - 1] - xi, 1e-12)
            // Normal equations of Σ w (y − a − b d − c d²)², d = x − xi; the fit at xi is a.
            var s = [Double](repeating: 0, count: 5), t = [Double](repeating: 0, count: 3)
            for j in window {
                let d = xs[j] - xi
                let u = min(abs(d) / radius, 1)
                let w0 = 1 - u * u * u
                let w = w0 * w0 * w0
                guard w > 0 else { continue }
                var p = w
                for k in 0..<5 {
                    s[k] += p
                    if k < 3 { t[k] += p * ys[j] }
                    p *= d
                }
            }
            fitted[order[i]] = solveIntercept(s, t) ?? (s[0] > 0 ? t[0] / s[0] : ys[i])
        }
        return fitted
    }

    /// The first unknown of the 3 × 3 system [[s0 s1 s2] [s1 s2 s3] [s2 s3 s4]]·(a b c) = t,
    /// by Gaussian elimination with partial pivoting; nil when (nearly) singular.
    private static func solveIntercept(_ s: [Double], _ t: [Double]) -> Double? {
        var m = [[s[0], s[1], s[2], t[0]], [s[1], s[2], s[3], t[1]], [s[2], s[3], s[4], t[2]]]
        let tolerance = 1e-12 * max(abs(s[0]), abs(s[2]), abs(s[4]), 1e-300)
        for c in 0..<3 {
            let pivot = (c..<3).max { abs(m[$0][c]) < abs(m[$1][c]) }!
            guard abs(m[pivot][c]) > tolerance else { return nil }
            m.swapAt(c, pivot)
            for r in (c + 1)..<3 {
                let f = m[r][c] / m[c][c]
                for k in c..<4 { m[r][k] -= f * m[c][k] }
            }
        }
        var solution = [0.0, 0.0, 0.0]
        for r in stride(from: 2, through: 0, by: -1) {
            var v = m[r][3]
            for k in (r + 1)..<3 { v -= m[r][k] * solution[k] }
            solution[r] = v / m[r][r]
        }
        return solution[0]
    }
}
