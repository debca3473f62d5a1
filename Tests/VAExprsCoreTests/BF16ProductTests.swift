import Foundation
import Testing
import VAExprsCore

/// Issue 32: the bfloat16 products of `--precision bf16` (`vaexprs_bf16_gemm`) equal float32
/// sums of the operands rounded to bfloat16 (round to nearest even), for every transpose, edge
/// shape and blocking boundary, and give the same bits whichever way threads split them.
@Suite(.serialized) struct BF16ProductTests {
    /// x rounded to bfloat16, to nearest, ties to even (what VCVTNEPS2BF16 does to finite values).
    static func bf16(_ x: Float) -> Float {
        let bits = x.bitPattern
        return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
    }

    /// A rows × columns matrix of seeded values in [-1, 1).
    static func random(_ rows: Int, _ columns: Int, _ rng: inout SeededGenerator) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for i in m.storage.indices { m.storage[i] = Float(rng.nextUniform() * 2 - 1) }
        return m
    }

    @Test(.enabled(if: ProductPrecision.bf16.isSupported, "this CPU has no AVX512_BF16"))
    func productsAreFloat32SumsOfRoundedOperands() {
        var rng = SeededGenerator(seed: 7)
        // Edge tiles (rows not a multiple of 6, columns not of 64), odd inner sizes (a half pair),
        // inner blocks (> 256), row blocks (> 96) and column blocks (> 1 024).
        let shapes = [(1, 1, 1), (5, 3, 7), (13, 70, 33), (100, 130, 257), (13, 1_100, 9), (6, 64, 2), (128, 65, 600)]
        for (index, (m, n, k)) in shapes.enumerated() {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    let a = Self.random(transposeA ? k : m, transposeA ? m : k, &rng)
                    let b = Self.random(transposeB ? n : k, transposeB ? k : n, &rng)
                    let alpha: Float = index % 2 == 0 ? 1 : 0.5, beta: Float = index % 3 == 0 ? 0.75 : 0
                    let c0 = Self.random(m, n, &rng)
                    var c = c0
                    BLAS.gemm(
                        a, transposeA: transposeA, b, transposeB: transposeB, into: &c, alpha: alpha, beta: beta,
                        precision: .bf16)
                    var worst = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0, magnitude = 0.0
                            for p in 0..<k {
                                let x = Self.bf16(transposeA ? a[p, i] : a[i, p])
                                let y = Self.bf16(transposeB ? b[j, p] : b[p, j])
                                sum += Double(x) * Double(y)
                                magnitude += abs(Double(x) * Double(y))
                            }
                            let expected = Double(alpha) * sum + Double(beta) * Double(c0[i, j])
                            let scale = Double(alpha) * magnitude + abs(Double(beta) * Double(c0[i, j])) + 1e-6
                            worst = max(worst, abs(Double(c[i, j]) - expected) / scale)
                        }
                    }
                    // float32 sums of k terms: a few ulps of the magnitude; a product of
                    // truncated (not rounded) or float32 operands is off by ~1e-3.
                    #expect(worst < 2e-6, "\(m)×\(n)×\(k) ta \(transposeA) tb \(transposeB): relative error \(worst)")
                }
            }
        }
    }

    @Test(.enabled(if: ProductPrecision.bf16.isSupported, "this CPU has no AVX512_BF16"))
    func threadsSplittingAProductGiveTheSameBits() {
        var rng = SeededGenerator(seed: 11)
        let before = BLAS.setThreads(1)
        defer { BLAS.setThreads(before) }
        for (m, n, k, ta, tb) in [
            (128, 512, 700, false, false), (700, 300, 128, true, false), (96, 700, 300, false, true)
        ] {
            let a = Self.random(ta ? k : m, ta ? m : k, &rng), b = Self.random(tb ? n : k, tb ? k : n, &rng)
            var results: [[Float]] = []
            for threads in [1, 2, 3] {
                BLAS.setThreads(threads)
                results.append(
                    BLAS.product(a, transposeA: ta, b, transposeB: tb, precision: .bf16).storage)
            }
            #expect(results[0] == results[1] && results[0] == results[2], "\(m)×\(n)×\(k)")
            // and they are not float32's products (the rounding is really applied)
            let float32 = BLAS.product(a, transposeA: ta, b, transposeB: tb).storage
            #expect(zip(float32, results[0]).contains { $0 != $1 })
        }
    }
}
