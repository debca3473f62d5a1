import CBLAS
import CLAPACKE
import VAExprsErrors

/// Dense double-precision linear algebra over LAPACKE and CBLAS (row-major), the one home of
/// the SVD, products, QR bases, symmetric eigen-decompositions and Cholesky inverses that the
/// reducers, the mixture sampler and the evaluation share.
package enum DenseLinearAlgebra {
    /// Thin SVD of an n × d matrix: U (n × p), singular values (p, descending), Vᵀ (p × d).
    package static func thinSVD(_ a: DoubleMatrix) throws -> (u: DoubleMatrix, s: [Double], vt: DoubleMatrix) {
        let n = a.rows, d = a.columns, p = min(n, d)
        var work = a.storage
        var s = [Double](repeating: 0, count: p)
        var u = [Double](repeating: 0, count: n * p)
        var vt = [Double](repeating: 0, count: p * d)
        let info = LAPACKE_dgesdd(
            vaexprs_lapack_row_major(), Int8(UInt8(ascii: "S")), Int32(n), Int32(d), &work, Int32(d),
            &s, &u, Int32(p), &vt, Int32(d))
        guard info == 0 else { throw VAExprsError(.other, "SVD failed (LAPACK dgesdd info \(info))") }
        return (DoubleMatrix(rows: n, columns: p, storage: u), s, DoubleMatrix(rows: p, columns: d, storage: vt))
    }

    /// C = op(A) · op(B).
    package static func product(
        _ a: DoubleMatrix, transposeA: Bool = false, _ b: DoubleMatrix, transposeB: Bool = false
    ) -> DoubleMatrix {
        let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        var c = DoubleMatrix(rows: m, columns: n)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(
                        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(a.columns), pb.baseAddress,
                        Int32(b.columns),
                        0, pc.baseAddress, Int32(n))
                }
            }
        }
        return c
    }

    /// An orthonormal basis of the columns of `a` (n × l, n ≥ l) by Householder QR.
    package static func orthonormalBasis(_ a: DoubleMatrix) throws -> DoubleMatrix {
        let n = a.rows, l = a.columns
        var q = a.storage
        var tau = [Double](repeating: 0, count: l)
        guard LAPACKE_dgeqrf(vaexprs_lapack_row_major(), Int32(n), Int32(l), &q, Int32(l), &tau) == 0,
            LAPACKE_dorgqr(vaexprs_lapack_row_major(), Int32(n), Int32(l), Int32(l), &q, Int32(l), &tau) == 0
        else {
            throw VAExprsError(.other, "QR factorisation failed")
        }
        return DoubleMatrix(rows: n, columns: l, storage: q)
    }
    /// Eigenvalues (descending) and eigenvectors (columns, row-major d × d) of a symmetric matrix.
    package static func symmetricEigen(_ a: [Double], dimension d: Int) -> (values: [Double], vectors: [Double])? {
        var m = a
        var w = [Double](repeating: 0, count: d)
        let info = LAPACKE_dsyev(
            vaexprs_lapack_row_major(), Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")), Int32(d), &m, Int32(d), &w)
        guard info == 0 else { return nil }
        // LAPACK returns ascending order; mclust's SVD order is descending.
        var values = [Double](repeating: 0, count: d), vectors = [Double](repeating: 0, count: d * d)
        for c in 0..<d {
            values[c] = w[d - 1 - c]
            for r in 0..<d { vectors[r * d + c] = m[r * d + (d - 1 - c)] }
        }
        return (values, vectors)
    }

    /// The `count` largest eigenvalues (descending) of the cross-product AᵀA of an n × d matrix
    /// and their unit eigenvectors (rows of a count × d matrix): AᵀA by `dsyrk`, then LAPACK's
    /// `dsyevr` for those eigenpairs only — the right singular vectors of A, as scikit-learn's
    /// PCA solver `covariance_eigh` finds them for n ≫ d, at a fraction of a thin SVD's cost.
    package static func topCrossProductEigen(_ a: DoubleMatrix, count: Int) throws -> (
        values: [Double], vectors: DoubleMatrix
    ) {
        let n = a.rows, d = a.columns, k = max(1, min(count, d))
        var gram = [Double](repeating: 0, count: d * d)
        a.storage.withUnsafeBufferPointer { x in
            cblas_dsyrk(
                CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(n), 1, x.baseAddress, Int32(d), 0, &gram,
                Int32(d))
        }
        var found: Int32 = 0
        var w = [Double](repeating: 0, count: d), z = [Double](repeating: 0, count: d * k)
        var support = [Int32](repeating: 0, count: 2 * k)
        let info = LAPACKE_dsyevr(
            vaexprs_lapack_row_major(), Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "I")), Int8(UInt8(ascii: "U")),
            Int32(d), &gram, Int32(d), 0, 0, Int32(d - k + 1), Int32(d), 0, &found, &w, &z, Int32(k), &support)
        guard info == 0, found == Int32(k) else {
            throw VAExprsError(.other, "symmetric eigen-decomposition failed (LAPACK dsyevr info \(info))")
        }
        // LAPACK gives ascending order, eigenvectors as columns of z (d × k, row-major).
        var vectors = DoubleMatrix(rows: k, columns: d)
        for c in 0..<k { for j in 0..<d { vectors[c, j] = z[j * k + (k - 1 - c)] } }
        return ((0..<k).map { w[k - 1 - $0] }, vectors)
    }

    /// The inverse of a symmetric positive-definite matrix (Cholesky), or nil.
    package static func symmetricInverse(_ a: [Double], dimension d: Int) -> [Double]? {
        var m = a
        guard LAPACKE_dpotrf(vaexprs_lapack_row_major(), Int8(UInt8(ascii: "U")), Int32(d), &m, Int32(d)) == 0,
            LAPACKE_dpotri(vaexprs_lapack_row_major(), Int8(UInt8(ascii: "U")), Int32(d), &m, Int32(d)) == 0
        else { return nil }
        for r in 0..<d { for c in 0..<r { m[r * d + c] = m[c * d + r] } }
        return m
    }

    /// Full SVDs of d × d column-major matrices, one after another without allocating (LAPACK's
    /// `dgesvd` with its optimal workspace, queried once): for inner iterations such as the
    /// mixture search's common orientation.
    package final class SquareSVD {
        /// The dimension.
        package let d: Int
        /// After `factor`: U (column-major d × d), the singular values (descending) and Vᵀ
        /// (column-major d × d); valid until the next call.
        package let u: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>, vt: UnsafeMutablePointer<Double>
        private let a: UnsafeMutablePointer<Double>
        private let work: UnsafeMutablePointer<Double>
        private let workCount: Int

        /// Buffers for d × d matrices.
        package init(dimension d: Int) {
            self.d = d
            a = .allocate(capacity: d * d)
            s = .allocate(capacity: d)
            u = .allocate(capacity: d * d)
            vt = .allocate(capacity: d * d)
            var optimal = 0.0
            let query = LAPACKE_dgesvd_work(
                Int32(LAPACK_COL_MAJOR), Int8(UInt8(ascii: "A")), Int8(UInt8(ascii: "A")), Int32(d), Int32(d),
                a, Int32(d), s, u, Int32(d), vt, Int32(d), &optimal, -1)
            workCount = query == 0 ? max(Int(optimal), 5 * d) : 5 * d + 64
            work = .allocate(capacity: workCount)
        }

        /// Factors the column-major d × d `matrix` (not modified).
        /// - Returns: false when LAPACK does not converge.
        package func factor(columnMajor matrix: UnsafePointer<Double>) -> Bool {
            a.update(from: matrix, count: d * d)
            return LAPACKE_dgesvd_work(
                Int32(LAPACK_COL_MAJOR), Int8(UInt8(ascii: "A")), Int8(UInt8(ascii: "A")), Int32(d), Int32(d),
                a, Int32(d), s, u, Int32(d), vt, Int32(d), work, Int32(workCount)) == 0
        }

        /// Frees the buffers (the owner calls it once, as it does for its own).
        package func deallocate() {
            for p in [a, s, u, vt, work] { p.deallocate() }
        }
    }
}
