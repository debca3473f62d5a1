import Foundation
import VAExprsCore

/// `mds`: classical (Torgerson) multidimensional scaling on Euclidean distances, as R's
/// `cmdscale` (scater's `runMDS`). For Euclidean distances the double-centred matrix
/// B = −½ J D² J equals Xc Xcᵀ (Xc the centred data), so its top eigenpairs come from the
/// thin SVD of Xc: eigenvalues s², coordinates U·s. This is exact, not an approximation, and
/// needs no n × n matrix, so it scales to large n. Metadata: `eigenvalues`.
/// Spec: `mds`.
package struct MDSReducer: Reducer {
    package let spec: ComponentSpec

    /// The reducer.
    package init(spec: ComponentSpec) { self.spec = spec }

    package func reduce(_ data: DoubleMatrix, components k: Int, rng: inout SeededGenerator) throws -> Embedding {
        let n = data.rows, d = data.columns
        guard n >= 2 else { throw VAExprsError.badData("mds: needs at least 2 cells, got \(n)") }
        guard k >= 1, k <= min(n - 1, d) else {
            throw VAExprsError.usage(
                """
                \(parameter: "components"): mds gives at most min(cells − 1, features) = \(min(n - 1, d)) \
                dimensions, asked for \(k)
                """
            )
        }
        var (u, s, vt) = try DenseLinearAlgebra.thinSVD(Centring.centre(data))
        Centring.fixSigns(u: &u, vt: &vt, components: k)
        var coordinates = DoubleMatrix(rows: n, columns: k)
        for i in 0..<n { for c in 0..<k { coordinates[i, c] = u[i, c] * s[c] } }
        return Embedding(
            coordinates: coordinates, metadata: ["eigenvalues": s.prefix(k).map { $0 * $0 }],
            axisTitles: (1...k).map { "MDS\($0)" })
    }
}
