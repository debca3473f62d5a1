import CBLAS
import CKernels
import Foundation
import VAExprsPlatform

/// Matrix products through OpenBLAS `cblas_sgemm` (transpose flags, never copies).
public enum BLAS {
    /// Products smaller than this many multiply-adds run on one thread.
    static let parallelThreshold = 1 << 20

    /// `c = alpha * op(a) * op(b) + beta * c` where `op` transposes when asked.
    /// `c` must already have the result's shape.
    public static func gemm(
        _ a: Matrix, transposeA: Bool = false,
        _ b: Matrix, transposeB: Bool = false,
        into c: inout Matrix, alpha: Float = 1, beta: Float = 0, precision: ProductPrecision = .float32
    ) {
        let rows = c.rows, columns = c.columns
        c.storage.withUnsafeMutableBufferPointer { dst in
            gemm(
                a, transposeA: transposeA, b, transposeB: transposeB, into: dst, rows: rows, columns: columns,
                alpha: alpha, beta: beta, precision: precision)
        }
    }

    /// `dst = alpha * op(a) * op(b) + beta * dst` into raw row-major storage of `rows × columns`
    /// (e.g. a parameter's gradient buffer, written in place without a temporary).
    ///
    /// Large products are split over `WorkerPool.shared` into blocks of output rows (or
    /// columns, whichever dimension is larger), each a single-threaded `cblas_sgemm` over the
    /// full inner dimension. The split depends only on the shapes and the thread count, so a
    /// run is repeatable bit for bit for a given `--threads`; different thread counts agree
    /// to rounding (OpenBLAS may round edge tiles of a block differently). In `.bf16` the
    /// operands are rounded to bfloat16 and summed in float32 (`vaexprs_bf16_gemm`, whose sums
    /// do not depend on the split: every thread count gives the same bits); the caller checks
    /// `precision.isSupported`.
    public static func gemm(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        into dst: UnsafeMutableBufferPointer<Float>, rows m: Int, columns n: Int,
        alpha: Float = 1, beta: Float = 0, precision: ProductPrecision = .float32
    ) {
        let k = transposeA ? a.rows : a.columns
        precondition(
            (transposeA ? a.columns : a.rows) == m && (transposeB ? b.rows : b.columns) == n
                && k == (transposeB ? b.columns : b.rows) && dst.count == m * n, "gemm shape mismatch")
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<dst.count { dst[i] = beta == 0 ? 0 : dst[i] * beta }
            return
        }
        let lda = Int32(a.columns), ldb = Int32(b.columns), ldc = Int32(n)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                gemm(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                    a: pa.baseAddress!, lda: Int(lda), b: pb.baseAddress!, ldb: Int(ldb), beta: beta,
                    c: dst.baseAddress!, ldc: Int(ldc), precision: precision)
            }
        }
    }

    /// The same product on raw row-major storage with leading dimensions (what the plugin
    /// host's `sgemm` service calls, so plugin layers get the same threading as built-ins).
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a pA: UnsafePointer<Float>, lda: Int, b pB: UnsafePointer<Float>, ldb: Int,
        beta: Float, c pC: UnsafeMutablePointer<Float>, ldc: Int, precision: ProductPrecision = .float32
    ) {
        if m == 0 || n == 0 { return }
        BLASKernel.prepare()
        /// One part's product: the block `rows` × `columns` of the result.
        func product(rows: Range<Int>, columns: Range<Int>) {
            let aBlock = transposeA ? pA + rows.lowerBound : pA + rows.lowerBound * lda
            let bBlock = transposeB ? pB + columns.lowerBound * ldb : pB + columns.lowerBound
            let cBlock = pC + rows.lowerBound * ldc + columns.lowerBound
            // The bf16 kernel returns non-zero only when its packing buffers (under 0.6 MB)
            // cannot be allocated; that block is then computed in float32.
            if precision == .bf16
                && vaexprs_bf16_gemm(
                    transposeA ? 1 : 0, transposeB ? 1 : 0, Int64(rows.count), Int64(columns.count), Int64(k), alpha,
                    aBlock, Int64(lda), bBlock, Int64(ldb), beta, cBlock, Int64(ldc)) == 0
            {
                return
            }
            cblas_sgemm(
                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(rows.count), Int32(columns.count), Int32(k), alpha, aBlock, Int32(lda), bBlock, Int32(ldb),
                beta, cBlock, Int32(ldc))
        }
        let threads = m * n * k >= parallelThreshold ? WorkerPool.shared.threads : 1
        if threads <= 1 { return product(rows: 0..<m, columns: 0..<n) }
        let blocks = WorkerPool.blocks(max(m, n), parts: threads)
        WorkerPool.shared.run(parts: blocks.count) { part in
            if m >= n {
                product(rows: blocks[part], columns: 0..<n)
            } else {
                product(rows: 0..<m, columns: blocks[part])
            }
        }
    }

    /// `op(a) * op(b)` as a new matrix.
    public static func product(
        _ a: Matrix, transposeA: Bool = false,
        _ b: Matrix, transposeB: Bool = false, precision: ProductPrecision = .float32
    ) -> Matrix {
        var c = Matrix(uninitializedRows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
        gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c, precision: precision)
        return c
    }

    /// Makes sure OpenBLAS runs its best kernels, single-threaded inside each part, without
    /// changing VAExprs' own thread count (for code that calls LAPACK directly).
    package static func prepareSingleThreadedKernels() {
        BLASKernel.prepare()
        openblas_set_num_threads(1)
    }

    /// Sets the number of threads for numeric work (process-wide): VAExprs splits products
    /// and element-wise loops itself, so OpenBLAS runs single-threaded inside each part.
    /// Also makes sure OpenBLAS runs the best kernels for this CPU (`BLASKernel`).
    /// The count is held to 1 … 4 × the processors this process may use whatever it is given
    /// (callers check user input first and say so; this keeps any door from starting thousands).
    /// Returns the count before, so that a library call can put it back when it returns
    /// (`let before = BLAS.setThreads(n); defer { BLAS.setThreads(before) }`): only a program
    /// sets the process's thread count for good.
    @discardableResult
    package static func setThreads(_ count: Int) -> Int {
        prepareSingleThreadedKernels()
        let before = WorkerPool.shared.threads
        WorkerPool.shared.setThreads(min(max(1, count), 4 * max(1, ProcessInfo.processInfo.activeProcessorCount)))
        return before
    }
}
