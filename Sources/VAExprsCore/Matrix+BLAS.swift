import CBLAS

/// Matrix products through OpenBLAS `cblas_sgemm` (transpose flags, never copies).
public enum BLAS {
    /// `c = alpha * op(a) * op(b) + beta * c` where `op` transposes when asked.
    /// `c` must already have the result's shape.
    public static func gemm(_ a: Matrix, transposeA: Bool = false,
                            _ b: Matrix, transposeB: Bool = false,
                            into c: inout Matrix, alpha: Float = 1, beta: Float = 0) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb && c.rows == m && c.columns == n, "gemm shape mismatch")
        if m == 0 || n == 0 { return }
        if k == 0 { scale(&c, by: beta); return }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_sgemm(CblasRowMajor,
                                transposeA ? CblasTrans : CblasNoTrans,
                                transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), alpha,
                                pa.baseAddress, Int32(a.columns),
                                pb.baseAddress, Int32(b.columns),
                                beta, pc.baseAddress, Int32(n))
                }
            }
        }
    }

    /// `op(a) * op(b)` as a new matrix.
    public static func product(_ a: Matrix, transposeA: Bool = false,
                               _ b: Matrix, transposeB: Bool = false) -> Matrix {
        var c = Matrix(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
        gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
        return c
    }

    private static func scale(_ c: inout Matrix, by beta: Float) {
        for i in c.storage.indices { c.storage[i] = beta == 0 ? 0 : c.storage[i] * beta }
    }

    /// Sets the number of OpenBLAS threads (process-wide).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of OpenBLAS threads in use.
    public static var threads: Int { Int(openblas_get_num_threads()) }
}
