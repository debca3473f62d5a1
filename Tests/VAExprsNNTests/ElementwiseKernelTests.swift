import CKernels
import Testing
import VAExprsCore

/// The C kernels that replace Swift loops in training must give the Swift loops' bits.
@Suite struct ElementwiseKernelTests {
    @Test func rowSumsAddEachRowInColumnOrder() {
        // Rows of very different magnitudes, so that any other order of the additions (pairwise,
        // by lanes) rounds differently; row counts around the kernel's groups of eight.
        var rng = SeededGenerator(seed: 3)
        for (rows, cols) in [(1, 1), (7, 33), (8, 2_000), (21, 517)] {
            var x = [Float](repeating: 0, count: rows * cols)
            for i in x.indices { x[i] = Float(rng.nextUniform() - 0.5) * (i % 5 == 0 ? 1e6 : 1) }
            var sums = [Float](repeating: .nan, count: rows)
            vaexprs_row_sums_in_order(x, &sums, Int64(rows), Int64(cols))
            var pairwiseDiffers = false
            for r in 0..<rows {
                var sum: Float = 0
                for c in 0..<cols { sum += x[r * cols + c] }
                #expect(sums[r].bitPattern == sum.bitPattern, "\(rows)×\(cols), row \(r)")
                var evens: Float = 0, odds: Float = 0
                for c in stride(from: 0, to: cols, by: 2) { evens += x[r * cols + c] }
                for c in stride(from: 1, to: cols, by: 2) { odds += x[r * cols + c] }
                pairwiseDiffers = pairwiseDiffers || (evens + odds) != sum
            }
            if cols > 100 { #expect(pairwiseDiffers, "the data must tell the orders apart") }
        }
    }
}
