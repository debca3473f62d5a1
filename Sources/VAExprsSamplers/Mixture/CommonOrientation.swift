import CKernels
import Foundation
import VAExprsCore

extension MixtureEM {
    /// EVE and VVE (mclust's meeve / mevve): Browne & McNicholas' MM updates of the common
    /// orientation (two polar steps per inner iteration), then shapes (and, for VVE, volumes),
    /// until the criterion Σ_k tr(O W_k Oᵀ diag(1/a_k)) changes by less than √ε (relative).
    ///
    /// The inner loop runs thousands of times per M-step, so it works in buffers allocated once
    /// (`OrientationWorkspace`), reuses O·W_k from the shape update as the next iteration's
    /// first product, and takes the polar factors by a Newton iteration (LAPACK's SVD, as
    /// mclust, where that cannot be trusted). The iterates agree with mclust's to rounding.
    static func commonOrientation(
        _ model: MixtureModel, stats: [ComponentStatistics], n: Int, d: Int,
        state: inout IterativeState
    ) -> [[Double]]? {
        let g = stats.count
        if state.orientation.count != d * d {
            state.orientation = diagonalMatrix([Double](repeating: 1, count: d))
            state.shapes = [[Double]](repeating: [Double](repeating: 1, count: d), count: g)
            state.scale = [Double](repeating: 1, count: g)
        }
        var omega = [Double](repeating: 0, count: g)
        for k in 0..<g {
            guard let e = DenseLinearAlgebra.symmetricEigen(stats[k].scatter, dimension: d),
                let smallest = e.values.last, smallest >= rootEpsilon
            else { return nil }
            omega[k] = e.values[0]
        }
        let work = OrientationWorkspace(dimension: d, components: g)
        defer { work.deallocate() }
        let dd = d * d
        for k in 0..<g {
            for t in 0..<dd { work.scatters[k * dd + t] = stats[k].scatter[t] }
        }
        for t in 0..<dd { work.orientation[t] = state.orientation[t] }
        var volumes = state.scale
        // Shapes a_k (g × d, row k) and their reciprocals, flat.
        for k in 0..<g { for j in 0..<d { work.shapes[k * d + j] = state.shapes[k][j] } }
        // O·W_k for the current O (recomputed only before the first iteration).
        for k in 0..<g { work.multiply(work.orientation, work.scatters + k * dd, into: work.products + k * dd) }
        let diagonal = UnsafeMutablePointer<Double>.allocate(capacity: d)
        defer { diagonal.deallocate() }
        var previous = Double.greatestFiniteMagnitude / 2
        var iterations = 0
        var scale = 1.0
        while true {
            iterations += 1
            for t in 0..<(g * d) { work.inverseShapes[t] = 1 / work.shapes[t] }
            // Step 1: M = Σ_k diag(1/a_k) (O W_k − ω_k O).
            work.m.update(repeating: 0, count: dd)
            for k in 0..<g {
                let ow = work.products + k * dd, w = omega[k]
                for j in 0..<d {
                    let inverse = work.inverseShapes[k * d + j]
                    for c in 0..<d { work.m[j * d + c] += inverse * (ow[j * d + c] - w * work.orientation[j * d + c]) }
                }
            }
            guard work.polarTranspose(work.m, into: work.orientation) else { return nil }
            // Step 2: M = Σ_k W_k O (diag(1/a_k) − max(1/a_k) I).
            work.m.update(repeating: 0, count: dd)
            for k in 0..<g {
                work.multiply(work.scatters + k * dd, work.orientation, into: work.scratch)
                let inverse = work.inverseShapes + k * d
                var top = inverse[0]
                for c in 1..<max(d, 1) { top = max(top, inverse[c]) }
                for r in 0..<d {
                    for c in 0..<d {
                        work.m[r * d + c] += work.scratch[r * d + c] * inverse[c] - top * work.scratch[r * d + c]
                    }
                }
            }
            guard work.polarTranspose(work.m, into: work.orientation) else { return nil }
            // Shapes (and VVE volumes) from diag(O W_k Oᵀ), and the criterion.
            var target = 0.0
            for k in 0..<g {
                let ow = work.products + k * dd
                work.multiply(work.orientation, work.scatters + k * dd, into: ow)
                for j in 0..<d {
                    var s = 0.0
                    for c in 0..<d { s += ow[j * d + c] * work.orientation[j * d + c] }
                    diagonal[j] = s
                }
                let a = work.shapes + k * d
                let divisor = model == .VVE ? stats[k].weight : 1
                var logSum = 0.0
                for j in 0..<d {
                    a[j] = diagonal[j] / divisor
                    guard a[j] > 0 else { return nil }
                    logSum += log(a[j])
                }
                let gm = exp(logSum / Double(d))
                guard gm.isFinite, gm > 0 else { return nil }
                var smallest = Double.infinity
                for j in 0..<d {
                    a[j] /= gm
                    smallest = min(smallest, a[j])
                }
                if model == .VVE {
                    volumes[k] = gm
                    guard gm >= rootEpsilon else { return nil }
                }
                guard smallest >= rootEpsilon else { return nil }
                for j in 0..<d { target += diagonal[j] / a[j] }
            }
            let change = abs(target - previous) / (1 + abs(target))
            previous = target
            if change <= rootEpsilon || iterations >= 1_000_000 {
                scale = target / (Double(n) * Double(d))
                break
            }
        }
        let shapes = (0..<g).map { k in Array(UnsafeBufferPointer(start: work.shapes + k * d, count: d)) }
        state.orientation = Array(UnsafeBufferPointer(start: work.orientation, count: dd))
        state.shapes = shapes
        state.scale = volumes
        let o = state.orientation
        var ot = o
        for i in 0..<d { for j in 0..<d { ot[i * d + j] = o[j * d + i] } }
        return (0..<g).map { k in
            let volume = model == .VVE ? volumes[k] : scale
            // Σ_k = volume · Oᵀ diag(a_k) O.
            return compose(scale: volume, shape: shapes[k], vectors: ot, dimension: d)
        }
    }
}

/// Buffers for the EVE/VVE inner iterations, allocated once per M-step: the scatters W_k,
/// the products O·W_k, O, M, shapes, a scratch matrix, the Newton iteration's matrices and
/// LAPACK's SVD input, factors and workspace.
final class OrientationWorkspace {
    let d: Int
    let scatters, products: UnsafeMutablePointer<Double>
    let orientation, m, scratch: UnsafeMutablePointer<Double>
    let shapes, inverseShapes: UnsafeMutablePointer<Double>
    /// Newton iterate, its inverse and the d × 2d Gauss–Jordan tableau.
    private let iterate, inverse, tableau: UnsafeMutablePointer<Double>
    private let svd: DenseLinearAlgebra.SquareSVD

    init(dimension d: Int, components g: Int) {
        self.d = d
        let dd = d * d
        scatters = .allocate(capacity: g * dd)
        products = .allocate(capacity: g * dd)
        orientation = .allocate(capacity: dd)
        m = .allocate(capacity: dd)
        scratch = .allocate(capacity: dd)
        shapes = .allocate(capacity: g * d)
        inverseShapes = .allocate(capacity: g * d)
        iterate = .allocate(capacity: dd)
        inverse = .allocate(capacity: dd)
        tableau = .allocate(capacity: 2 * dd)
        svd = DenseLinearAlgebra.SquareSVD(dimension: d)
    }

    func deallocate() {
        for p in [scatters, products, orientation, m, scratch, shapes, inverseShapes, iterate, inverse, tableau] {
            p.deallocate()
        }
        svd.deallocate()
    }

    /// out = x · y for row-major d × d matrices (out must not alias x or y).
    func multiply(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        out.update(repeating: 0, count: d * d)
        for i in 0..<d {
            for k in 0..<d {
                let xik = x[i * d + k]
                for j in 0..<d { out[i * d + j] += xik * y[k * d + j] }
            }
        }
    }

    /// The orthogonal polar factor step of the MM algorithm: out = (U Vᵀ)ᵀ for M = U S Vᵀ
    /// (row-major), the transpose of M's orthogonal polar factor Q (M = Q H, H symmetric
    /// positive definite). Higham's scaled Newton iteration X ← (γX + X⁻ᵀ/γ)/2 from X = M gives
    /// Q to rounding in a handful of 10 × 10 inversions, several times faster than LAPACK's
    /// SVD at these sizes; when M is singular or nearly so (where Q is not unique), or the
    /// iteration does not settle, the SVD (as mclust computes it) gives the answer instead.
    func polarTranspose(_ matrix: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) -> Bool {
        if newtonPolarTranspose(matrix, into: out) { return true }
        return svdPolarTranspose(matrix, into: out)
    }

    /// The scaled Newton iteration; false when it cannot be trusted (see `polarTranspose`).
    private func newtonPolarTranspose(_ matrix: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) -> Bool {
        let dd = d * d
        iterate.update(from: matrix, count: dd)
        var scaling = true
        for _ in 0..<40 {
            guard let condition = invert(iterate, into: inverse), condition < 1e10 else { return false }
            var gamma = 1.0
            if scaling {
                var x2 = 0.0, y2 = 0.0
                for t in 0..<dd {
                    x2 += iterate[t] * iterate[t]
                    y2 += inverse[t] * inverse[t]
                }
                gamma = (y2 / x2).squareRoot().squareRoot()
                guard gamma.isFinite, gamma > 0 else { return false }
            }
            var change = 0.0, size = 0.0
            for i in 0..<d {
                for j in 0..<d {
                    let next = 0.5 * (gamma * iterate[i * d + j] + inverse[j * d + i] / gamma)
                    let delta = next - iterate[i * d + j]
                    change += delta * delta
                    size += next * next
                    out[i * d + j] = next
                }
            }
            iterate.update(from: out, count: dd)
            let relative = (change / size).squareRoot()
            if relative < 1e-2 { scaling = false }  // near convergence, unscaled steps converge quadratically
            if relative <= 1e-14 {
                for i in 0..<d { for j in 0..<d { out[i * d + j] = iterate[j * d + i] } }
                return true
            }
        }
        return false
    }

    /// inv(x) and a cheap condition estimate (`vaexprs_small_inverse`), or nil for a zero pivot.
    private func invert(_ x: UnsafePointer<Double>, into result: UnsafeMutablePointer<Double>) -> Double? {
        let condition = vaexprs_small_inverse(Int64(d), x, result, tableau)
        return condition < 0 ? nil : condition
    }

    /// The same factor from LAPACK's SVD. LAPACK reads the row-major M as column-major
    /// Mᵀ = V S Uᵀ, so its left factor is V and its right factor's transpose is Uᵀ, and their
    /// product V Uᵀ is the answer.
    func svdPolarTranspose(_ matrix: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) -> Bool {
        guard svd.factor(columnMajor: matrix) else { return false }
        let u = svd.u, vt = svd.vt
        // out[i, j] (row-major) = Σ_k V[i, k] Uᵀ[k, j] with V = u and Uᵀ = vt, both column-major.
        for i in 0..<d {
            for j in 0..<d {
                var sum = 0.0
                for k in 0..<d { sum += u[i + k * d] * vt[k + j * d] }
                out[i * d + j] = sum
            }
        }
        return true
    }
}
