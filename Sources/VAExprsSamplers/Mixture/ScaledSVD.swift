import Foundation
import VAExprsCore

/// mclust's `hcUse = "SVD"` transform, used before hierarchical initialisation: standardise
/// each column (mean 0, standard deviation 1 with divisor n − 1; constant columns are dropped,
/// as R's `scale` makes them NaN and mclust drops non-finite columns), take the thin SVD
/// X = U S Vᵀ and return X V S^(−1/2).
enum ScaledSVD {
    static func transform(_ x: DoubleMatrix) throws -> DoubleMatrix {
        let n = x.rows
        var keep: [Int] = []
        var means: [Double] = [], sds: [Double] = []
        let columnMeans = x.columnMeans(), squares = x.columnSquaredDeviations(from: columnMeans)
        for j in 0..<x.columns {
            let sd = (squares[j] / Double(n - 1)).squareRoot()
            if sd > 0 && sd.isFinite {
                keep.append(j)
                means.append(columnMeans[j])
                sds.append(sd)
            }
        }
        let d = keep.count
        guard d > 0 else { throw VAExprsError.badData("mixture initialisation: every dimension is constant") }
        var z = DoubleMatrix(rows: n, columns: d)
        for i in 0..<n { for (k, j) in keep.enumerated() { z[i, k] = (x[i, j] - means[k]) / sds[k] } }
        let p = min(n, d)
        let s: [Double], vt: DoubleMatrix
        do { (_, s, vt) = try DenseLinearAlgebra.thinSVD(z) } catch {
            throw VAExprsError.badData("mixture initialisation: the SVD failed (\(error))")
        }
        var out = DoubleMatrix(rows: n, columns: p)
        for i in 0..<n {
            for c in 0..<p {
                var v = 0.0
                for k in 0..<d { v += z[i, k] * vt[c, k] }
                out[i, c] = v / s[c].squareRoot()
            }
        }
        return out
    }
}
