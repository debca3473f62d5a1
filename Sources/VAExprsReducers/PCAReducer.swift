import Foundation
import VAExprsCore

/// `pca`: principal components of the centred data, as scater's `runPCA` / scikit-learn's
/// `PCA`: exact thin SVD (LAPACK `dgesdd`) unless the exact SVD would cost more than about
/// 2·10¹⁰ operations (min(n,d)²·max(n,d)) and fewer than 80 % of the components are asked
/// for; then randomized SVD (Halko, Martinsson & Tropp 2011: Gaussian test matrix with 10
/// extra columns, power iterations with QR re-orthonormalisation — 7 when fewer than 10 % of
/// the components are asked for, else 4, scikit-learn's rule; seeded). Randomized SVD
/// approximates the exact one; its accuracy grows with the gap between the kept and dropped
/// singular values, so on noise-dominated spectra it can be off by percents (scikit-learn's
/// "auto" switches to it already above 500 × 500; we keep exact answers longer). Signs are fixed so that each
/// component's largest loading is positive. Metadata: `explained_variance` (divisor n − 1),
/// `explained_variance_ratio`, `singular_values`.
/// Spec: `pca[:solver=auto|exact|randomized][:oversample=10][:power_iterations=N]`.
package struct PCAReducer: Reducer {
    package let spec: ComponentSpec
    let solver: String
    let oversample: Int
    let powerIterations: Int?

    /// The reducer; options are validated here.
    package init(spec: ComponentSpec) throws {
        self.spec = spec
        solver = spec.string("solver", position: nil, default: "auto")!
        guard ["auto", "exact", "randomized"].contains(solver) else {
            throw VAExprsError.usage("\(spec.source): pca solver must be auto, exact or randomized, got '\(solver)'")
        }
        oversample = try spec.int("oversample", position: nil, default: 10)
        powerIterations = try spec.raw("power_iterations", position: nil).map { _ in
            try spec.int("power_iterations", position: nil)
        }
        guard oversample >= 0, (powerIterations ?? 0) >= 0 else {
            throw VAExprsError.usage("\(spec.source): pca oversample and power_iterations must be ≥ 0")
        }
    }

    package func reduce(_ data: DoubleMatrix, components k: Int, rng: inout SeededGenerator) throws -> Embedding {
        let n = data.rows, d = data.columns
        guard n >= 2 else { throw VAExprsError.badData("pca: needs at least 2 cells, got \(n)") }
        guard k >= 1, k <= min(n, d) else {
            throw VAExprsError.usage(
                """
                \(parameter: "components"): pca gives at most min(cells, features) = \(min(n, d)) components, \
                asked for \(k)
                """
            )
        }
        let centred = Centring.centre(data)
        let exactCost = Double(min(n, d)) * Double(min(n, d)) * Double(max(n, d))
        let useRandomized =
            solver == "randomized" || (solver == "auto" && exactCost > 2e10 && Double(k) < 0.8 * Double(min(n, d)))
        var (u, s, vt) =
            useRandomized ? try randomizedSVD(centred, k: k, rng: &rng) : try DenseLinearAlgebra.thinSVD(centred)
        Centring.fixSigns(u: &u, vt: &vt, components: k)
        var scores = DoubleMatrix(rows: n, columns: k)
        for i in 0..<n { for c in 0..<k { scores[i, c] = u[i, c] * s[c] } }
        let total = Centring.totalVariance(centred)
        let variance = s.prefix(k).map { $0 * $0 / Double(n - 1) }
        let ratio = variance.map { total > 0 ? $0 / total : 0 }
        let titles = (0..<k).map { "PC\($0 + 1) (" + String(format: "%.1f", 100 * ratio[$0]) + " %)" }
        return Embedding(
            coordinates: scores,
            metadata: [
                "explained_variance": variance, "explained_variance_ratio": ratio, "singular_values": Array(s.prefix(k))
            ],
            axisTitles: titles)
    }

    private func randomizedSVD(_ x: DoubleMatrix, k: Int, rng: inout SeededGenerator) throws -> (
        DoubleMatrix, [Double], DoubleMatrix
    ) {
        let d = x.columns
        let l = min(k + oversample, min(x.rows, d))
        var omega = DoubleMatrix(rows: d, columns: l)
        for i in omega.storage.indices { omega.storage[i] = rng.nextNormal() }
        var q = try DenseLinearAlgebra.orthonormalBasis(DenseLinearAlgebra.product(x, omega))
        let iterations = powerIterations ?? (Double(k) < 0.1 * Double(min(x.rows, d)) ? 7 : 4)
        for _ in 0..<iterations {
            let z = try DenseLinearAlgebra.orthonormalBasis(DenseLinearAlgebra.product(x, transposeA: true, q))
            q = try DenseLinearAlgebra.orthonormalBasis(DenseLinearAlgebra.product(x, z))
        }
        let b = DenseLinearAlgebra.product(q, transposeA: true, x)  // l × d
        let (ub, s, vt) = try DenseLinearAlgebra.thinSVD(b)
        return (DenseLinearAlgebra.product(q, ub), s, vt)
    }
}

/// Centring, total variance and the sign convention shared by the linear reducers.
enum Centring {
    /// Columns minus their means.
    static func centre(_ x: DoubleMatrix) -> DoubleMatrix {
        var out = x
        for j in 0..<x.columns {
            var mean = 0.0
            for i in 0..<x.rows { mean += x[i, j] }
            mean /= Double(x.rows)
            for i in 0..<x.rows { out[i, j] -= mean }
        }
        return out
    }

    /// Σ_j var(column j), divisor n − 1, of centred data.
    static func totalVariance(_ centred: DoubleMatrix) -> Double {
        centred.storage.reduce(0) { $0 + $1 * $1 } / Double(centred.rows - 1)
    }

    /// Flips components so that each one's largest-magnitude loading is positive.
    static func fixSigns(u: inout DoubleMatrix, vt: inout DoubleMatrix, components k: Int) {
        for c in 0..<k {
            var top = 0.0
            for j in 0..<vt.columns where abs(vt[c, j]) > abs(top) { top = vt[c, j] }
            guard top < 0 else { continue }
            for j in 0..<vt.columns { vt[c, j] = -vt[c, j] }
            for i in 0..<u.rows { u[i, c] = -u[i, c] }
        }
    }
}
