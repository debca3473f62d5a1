import VAExprsCore

/// Principal axes fitted on one set of cells, to project others onto them (e.g. generated
/// cells onto the real cells' PCs): the real cells' column means and top right-singular
/// vectors from LAPACK's exact thin SVD; signs as `PCAReducer`'s.
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
        var (u, _, vt) = try DenseLinearAlgebra.thinSVD(centred)
        Centring.fixSigns(u: &u, vt: &vt, components: k)
        self.mean = mean
        axes = DoubleMatrix(rows: k, columns: x.columns, storage: Array(vt.storage.prefix(k * x.columns)))
    }

    /// Coordinates of `y`'s rows on the axes.
    package func project(_ y: DoubleMatrix) -> DoubleMatrix {
        var centred = y
        for i in 0..<y.rows { for j in 0..<y.columns { centred[i, j] -= mean[j] } }
        return DenseLinearAlgebra.product(centred, axes, transposeB: true)
    }
}
