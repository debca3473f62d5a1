import Foundation
import VAExprsCore

/// `nmf`: non-negative matrix factorisation X ≈ W H (Frobenius loss), cells embedded as the
/// rows of W, as scikit-learn's `NMF(solver="cd")`: NNDSVD initialisation (Boutsidis &
/// Gallopoulos 2008; `nndsvda` fills its zeros with the mean of X, scikit-learn's default),
/// then coordinate-descent sweeps over the components (HALS: each column of W, then each row
/// of H, set to its non-negative least-squares optimum with the others fixed), stopping when
/// the projected gradient's L1 norm falls below `tol` × its first value or after `max_iter` sweeps.
/// Metadata: `reconstruction_error` (‖X − WH‖_F), `iterations`.
/// Spec: `nmf[:max_iter=200][:tol=1e-4][:init=nndsvda|nndsvd]`.
package struct NMFReducer: Reducer {
    package let spec: ComponentSpec
    let maxIterations: Int
    let tolerance: Double
    let fillZeros: Bool

    /// The reducer; options are validated here.
    package init(spec: ComponentSpec) throws {
        self.spec = spec
        maxIterations = try spec.int("max_iter", position: nil, default: 200)
        tolerance = try spec.double("tol", position: nil, default: 1e-4)
        let initName = spec.string("init", position: nil, default: "nndsvda")!
        guard maxIterations >= 1, tolerance >= 0 else {
            throw VAExprsError.usage("\(spec.source): nmf max_iter must be ≥ 1 and tol ≥ 0")
        }
        guard initName == "nndsvda" || initName == "nndsvd" else {
            throw VAExprsError.usage("\(spec.source): nmf init must be nndsvda or nndsvd, got '\(initName)'")
        }
        fillZeros = initName == "nndsvda"
    }

    package func reduce(_ x: DoubleMatrix, components k: Int, rng: inout SeededGenerator) throws -> Embedding {
        let n = x.rows, d = x.columns
        guard k >= 1, k <= min(n, d) else {
            throw VAExprsError.usage(
                """
                \(parameter: "components"): nmf gives at most min(cells, features) = \(min(n, d)) factors, asked \
                for \(k)
                """
            )
        }
        if let bad = x.storage.firstIndex(where: { $0 < 0 }) {
            throw VAExprsError.badData(
                """
                nmf: needs non-negative data, but cell \(bad / d + 1), feature \(bad % d + 1) is \
                \(x.storage[bad]); use counts or log-counts, not centred or scaled values
                """
            )
        }
        var (w, h) = try nndsvd(x, k: k)
        var iterations = 0
        var firstViolation = 0.0
        for sweep in 1...maxIterations {
            iterations = sweep
            // H rows: H[c] ← max(0, H[c] + (WᵀX − WᵀW H)[c] / (WᵀW)[c,c]).
            var violation = 0.0
            let wtw = DenseLinearAlgebra.product(w, transposeA: true, w)
            let wtx = DenseLinearAlgebra.product(w, transposeA: true, x)
            violation += sweepRows(&h, gram: wtw, cross: wtx)
            // W columns, through Wᵀ with the roles swapped.
            let hht = DenseLinearAlgebra.product(h, h, transposeB: true)
            let xht = DenseLinearAlgebra.product(x, h, transposeB: true)
            var wt = transpose(w)
            violation += sweepRows(&wt, gram: hht, cross: transpose(xht))
            w = transpose(wt)
            if sweep == 1 { firstViolation = max(violation, 1e-300) }
            if violation / firstViolation <= tolerance { break }
        }
        let reconstruction = DenseLinearAlgebra.product(w, h)
        var error = 0.0
        for i in x.storage.indices {
            let e = x.storage[i] - reconstruction.storage[i]
            error += e * e
        }
        return Embedding(
            coordinates: w,
            metadata: ["reconstruction_error": [error.squareRoot()], "iterations": [Double(iterations)]],
            axisTitles: (1...k).map { "NMF\($0)" })
    }

    /// One coordinate-descent sweep over the rows of `m` (k × p) for min ‖X − A m‖ with
    /// gram = AᵀA (k × k) and cross = AᵀX (k × p); returns the projected gradient's L1 norm
    /// (scikit-learn's violation measure).
    private func sweepRows(_ m: inout DoubleMatrix, gram: DoubleMatrix, cross: DoubleMatrix) -> Double {
        let k = m.rows, p = m.columns
        var violation = 0.0
        for c in 0..<k {
            let hess = gram[c, c]
            for j in 0..<p {
                var grad = -cross[c, j]
                for r in 0..<k { grad += gram[c, r] * m[r, j] }
                let current = m[c, j]
                violation += current == 0 ? abs(min(0, grad)) : abs(grad)
                if hess > 0 { m[c, j] = max(0, current - grad / hess) }
            }
        }
        return violation
    }

    private func transpose(_ a: DoubleMatrix) -> DoubleMatrix {
        var t = DoubleMatrix(rows: a.columns, columns: a.rows)
        for i in 0..<a.rows { for j in 0..<a.columns { t[j, i] = a[i, j] } }
        return t
    }

    /// NNDSVD(a) initial factors from the top-k singular triplets of X.
    private func nndsvd(_ x: DoubleMatrix, k: Int) throws -> (DoubleMatrix, DoubleMatrix) {
        let n = x.rows, d = x.columns
        let (u, s, vt) = try DenseLinearAlgebra.thinSVD(x)
        var w = DoubleMatrix(rows: n, columns: k), h = DoubleMatrix(rows: k, columns: d)
        let root0 = s[0].squareRoot()
        for i in 0..<n { w[i, 0] = root0 * abs(u[i, 0]) }
        for j in 0..<d { h[0, j] = root0 * abs(vt[0, j]) }
        for c in 1..<max(1, k) where c < k {
            let xs = (0..<n).map { u[$0, c] }, ys = (0..<d).map { vt[c, $0] }
            let xp = xs.map { max($0, 0) }, xn = xs.map { max(-$0, 0) }
            let yp = ys.map { max($0, 0) }, yn = ys.map { max(-$0, 0) }
            func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
            let (xpn, ypn, xnn, ynn) = (norm(xp), norm(yp), norm(xn), norm(yn))
            let positive = xpn * ypn >= xnn * ynn
            let (uu, vv, sigma) =
                positive
                ? (xp.map { $0 / max(xpn, 1e-300) }, yp.map { $0 / max(ypn, 1e-300) }, xpn * ypn)
                : (xn.map { $0 / max(xnn, 1e-300) }, yn.map { $0 / max(ynn, 1e-300) }, xnn * ynn)
            let lambda = (s[c] * sigma).squareRoot()
            for i in 0..<n { w[i, c] = lambda * uu[i] }
            for j in 0..<d { h[c, j] = lambda * vv[j] }
        }
        if fillZeros {
            let mean = x.storage.reduce(0, +) / Double(x.storage.count)
            for i in w.storage.indices where w.storage[i] == 0 { w.storage[i] = mean }
            for i in h.storage.indices where h.storage[i] == 0 { h.storage[i] = mean }
        }
        return (w, h)
    }
}
