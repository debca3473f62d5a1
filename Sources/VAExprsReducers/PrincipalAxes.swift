import VAExprsCore

/// Principal axes fitted on one set of cells, to project others onto them (e.g. generated
/// cells onto the real cells' PCs): the real cells' column means and top right-singular
/// vectors — with at least as many cells as features the top eigenvectors of the centred
/// cross-product (`covariance_eigh` in scikit-learn's terms: a 20 000 × 2 000 matrix in about a
/// tenth of a thin SVD's time), otherwise from LAPACK's thin SVD; signs as `PCAReducer`'s.
package struct PrincipalAxes: Sendable {
    /// Column means of the fitting data.
    package let mean: [Double]
    /// Axes, components × features (rows are unit vectors).
    package let axes: DoubleMatrix

    /// Fits the top `components` axes (capped by the data's rank bound).
    package init(fitting x: DoubleMatrix, components: Int) throws {
        let k = max(1, min(components, x.rows, x.columns))
        var centred = x
        let mean = x.columnMeans()
        for i in 0..<x.rows { for j in 0..<x.columns { centred[i, j] -= mean[j] } }
        var vt: DoubleMatrix
        if x.rows >= x.columns {
            vt = try DenseLinearAlgebra.topCrossProductEigen(centred, count: k).vectors
        } else {
            vt = try DenseLinearAlgebra.thinSVD(centred).vt
            vt = DoubleMatrix(rows: k, columns: x.columns, storage: Array(vt.storage.prefix(k * x.columns)))
        }
        var noScores = DoubleMatrix(rows: 0, columns: k)
        Centring.fixSigns(u: &noScores, vt: &vt, components: k)
        self.mean = mean
        axes = vt
    }

    /// Coordinates of `y`'s rows on the axes.
    package func project(_ y: DoubleMatrix) -> DoubleMatrix {
        var centred = y
        for i in 0..<y.rows { for j in 0..<y.columns { centred[i, j] -= mean[j] } }
        return DenseLinearAlgebra.product(centred, axes, transposeB: true)
    }
}
