import Foundation
import Testing

@testable import VAExprsSamplers

/// The EVE/VVE orientation step's polar factor: the Newton iteration agrees with LAPACK's SVD
/// (what mclust uses), and a singular matrix, where Newton cannot be trusted, still gets an
/// orthogonal factor through the SVD.
struct PolarFactorTests {
    func isOrthogonal(_ q: [Double], _ d: Int) -> Bool {
        for i in 0..<d {
            for j in 0..<d {
                let dot = (0..<d).reduce(0.0) { $0 + q[$1 * d + i] * q[$1 * d + j] }
                if abs(dot - (i == j ? 1 : 0)) > 1e-12 { return false }
            }
        }
        return true
    }

    /// The factor of the d × d row-major `m` through `polarTranspose` (Newton, or the SVD when
    /// it falls back) and through the SVD alone.
    func factors(_ m: [Double], _ d: Int) -> (chosen: [Double], svd: [Double]) {
        let work = OrientationWorkspace(dimension: d, components: 1)
        defer { work.deallocate() }
        var chosen = [Double](repeating: 0, count: d * d), svd = chosen
        m.withUnsafeBufferPointer { p in
            #expect(work.polarTranspose(p.baseAddress!, into: &chosen))
            #expect(work.svdPolarTranspose(p.baseAddress!, into: &svd))
        }
        return (chosen, svd)
    }

    @Test func newtonMatchesTheSVD() {
        for (d, seed) in [(2, 1), (5, 2), (10, 3), (10, 4), (17, 5)] {
            var state = UInt64(seed)
            let m = (0..<(d * d)).map { _ -> Double in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Double(state >> 11) / Double(1 << 53) - 0.5
            }
            let (newton, svd) = factors(m, d)
            let worst = zip(newton, svd).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-12, "d = \(d): Newton and SVD differ by \(worst)")
            #expect(isOrthogonal(newton, d))
        }
    }

    @Test func aSingularMatrixFallsBackToTheSVD() {
        let d = 4
        // Rank 3: the last row is the sum of the first two.
        var m: [Double] = [1, 2, 0, 1, 0, 1, 3, 1, 2, 0, 1, 5, 0, 0, 0, 0]
        for j in 0..<d { m[3 * d + j] = m[j] + m[d + j] }
        let (out, reference) = factors(m, d)
        #expect(out == reference)
        #expect(isOrthogonal(out, d))
    }
}
