/// Cholesky factorisation of small symmetric positive-definite matrices (latent
/// dimensions are few, so a direct O(d³) loop beats a LAPACK call's overhead here).
enum Cholesky {
    /// The lower factor L with A = L Lᵀ (row-major), or nil when A is not positive definite
    /// to working precision.
    static func lower(_ a: [Double], dimension d: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: d * d)
        var maxDiagonal = 0.0
        for j in 0..<d { maxDiagonal = max(maxDiagonal, a[j * d + j]) }
        for j in 0..<d {
            var s = a[j * d + j]
            for k in 0..<j { s -= l[j * d + k] * l[j * d + k] }
            guard s > 1e-12 * max(maxDiagonal, 1e-300) else { return nil }
            let ljj = s.squareRoot()
            l[j * d + j] = ljj
            for i in (j + 1)..<max(j + 1, d) {
                var t = a[i * d + j]
                for k in 0..<j { t -= l[i * d + k] * l[j * d + k] }
                l[i * d + j] = t / ljj
            }
        }
        return l
    }
}
