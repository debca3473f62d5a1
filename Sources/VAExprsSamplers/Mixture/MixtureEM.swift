import CBLAS
import CKernels
import Foundation
import VAExprsCore

/// EM for Gaussian mixtures as R's mclust performs it (`me*` routines): it starts with an
/// M-step from the given responsibilities, alternates E- and M-steps until the relative
/// change of the log-likelihood |ℓ − ℓ_old|/(1 + |ℓ|) is at most 1e-5, and reports failure
/// (mclust's NA) when a component's total weight falls to √ε or a covariance becomes
/// singular (min |L_jj| / (1 + max |L_jj|) ≤ √ε over the Cholesky factors).
enum MixtureEM {
    static let epsilon = 2.220_446_049_250_313_1e-16
    static let rootEpsilon = epsilon.squareRoot()
    static let tolerance = 1e-5
    static let log2pi = 1.837_877_066_409_345

    /// Weighted statistics of one component.
    struct ComponentStatistics {
        var weight: Double
        var mean: [Double]
        var scatter: [Double]  // d × d, Σ z (x − μ)(x − μ)ᵀ
    }

    /// State kept across M-steps by the iterative models (mclust keeps it between EM steps).
    struct IterativeState {
        var scale: [Double] = []
        var shape: [Double] = []
        /// EVE/VVE: the common orientation O (d × d, row-major; Σ_k = λ_k Oᵀ diag(a_k) O) and
        /// the per-component shapes a_k, starting at I and 1 as in mclust.
        var orientation: [Double] = []
        var shapes: [[Double]] = []
    }

    /// The M-step's result.
    struct MStep {
        var proportions: [Double]
        var means: [[Double]]
        var covariances: [[Double]]
    }

    /// Weighted mean and scatter of each component (components in parallel on the worker
    /// pool; the scatter as one `dsyrk` of the weighted, centred points).
    static func statistics(_ x: DoubleMatrix, z: [[Double]]) -> [ComponentStatistics] {
        let n = x.rows, d = x.columns, g = z.count
        var out = [ComponentStatistics](repeating: ComponentStatistics(weight: 0, mean: [], scatter: []), count: g)
        out.withUnsafeMutableBufferPointer { results in
            x.storage.withUnsafeBufferPointer { xs in
                WorkerPool.shared.run(parts: g) { k in
                    z[k].withUnsafeBufferPointer { zk in
                        var weight = 0.0
                        var mean = [Double](repeating: 0, count: d)
                        var scatter = [Double](repeating: 0, count: d * d)
                        var centred = [Double](repeating: 0, count: n * d)
                        mean.withUnsafeMutableBufferPointer { mu in
                            for i in 0..<n {
                                let w = zk[i]
                                weight += w
                                for j in 0..<d { mu[j] += w * xs[i * d + j] }
                            }
                            if weight > 0 { for j in 0..<d { mu[j] /= weight } }
                            centred.withUnsafeMutableBufferPointer { c in
                                for i in 0..<n {
                                    let r = zk[i].squareRoot()
                                    for j in 0..<d { c[i * d + j] = (xs[i * d + j] - mu[j]) * r }
                                }
                                scatter.withUnsafeMutableBufferPointer { sc in
                                    cblas_dsyrk(
                                        CblasRowMajor, CblasLower, CblasTrans, Int32(d), Int32(n), 1,
                                        c.baseAddress, Int32(d), 0, sc.baseAddress, Int32(d))
                                    for a in 0..<d { for b in 0..<a { sc[b * d + a] = sc[a * d + b] } }
                                }
                            }
                        }
                        results[k] = ComponentStatistics(weight: weight, mean: mean, scatter: scatter)
                    }
                }
            }
        }
        return out
    }

    /// Σ = scale · V diag(shape) Vᵀ.
    static func compose(scale: Double, shape: [Double], vectors: [Double], dimension d: Int) -> [Double] {
        var out = [Double](repeating: 0, count: d * d)
        for a in 0..<d {
            for b in 0..<d {
                var s = 0.0
                for k in 0..<d { s += vectors[a * d + k] * shape[k] * vectors[b * d + k] }
                out[a * d + b] = scale * s
            }
        }
        return out
    }

    static func diagonalMatrix(_ values: [Double]) -> [Double] {
        let d = values.count
        var out = [Double](repeating: 0, count: d * d)
        for j in 0..<d { out[j * d + j] = values[j] }
        return out
    }

    /// Geometric mean, or nil when a value is not positive.
    static func geometricMean(_ values: [Double]) -> Double? {
        guard values.allSatisfy({ $0 > 0 }) else { return nil }
        return exp(values.reduce(0) { $0 + log($1) } / Double(values.count))
    }

    /// The M-step of `model` from responsibilities `z` (G × n); nil when it fails.
    static func mStep(_ model: MixtureModel, _ x: DoubleMatrix, z: [[Double]], state: inout IterativeState) -> MStep? {
        let n = x.rows, d = x.columns, g = z.count
        let stats = statistics(x, z: z)
        guard stats.allSatisfy({ $0.weight > rootEpsilon }) else { return nil }
        let proportions = stats.map { $0.weight / Double(n) }
        let means = stats.map(\.mean)
        func trace(_ s: [Double]) -> Double { (0..<d).reduce(0) { $0 + s[$1 * d + $1] } }
        func diagonal(_ s: [Double]) -> [Double] { (0..<d).map { s[$0 * d + $0] } }
        var covariances: [[Double]]
        switch model {
        case .EII, .E:
            let sigma2 = stats.reduce(0) { $0 + trace($1.scatter) } / Double(n * d)
            covariances = Array(repeating: diagonalMatrix([Double](repeating: sigma2, count: d)), count: g)
        case .VII, .V:
            covariances = stats.map {
                diagonalMatrix([Double](repeating: trace($0.scatter) / (Double(d) * $0.weight), count: d))
            }
        case .EEI:
            var w = [Double](repeating: 0, count: d)
            for s in stats { for j in 0..<d { w[j] += s.scatter[j * d + j] } }
            covariances = Array(repeating: diagonalMatrix(w.map { $0 / Double(n) }), count: g)
        case .VVI:
            covariances = stats.map { s in diagonalMatrix(diagonal(s.scatter).map { $0 / s.weight }) }
        case .EVI:
            var volume = 0.0
            var shapes: [[Double]] = []
            for s in stats {
                guard let gm = geometricMean(diagonal(s.scatter)) else { return nil }
                volume += gm
                shapes.append(diagonal(s.scatter).map { $0 / gm })
            }
            let lambda = volume / Double(n)
            covariances = shapes.map { diagonalMatrix($0.map { $0 * lambda }) }
        case .VEI:
            // mclust's inner iteration: scale_k = Σ_j w_jk / shape_j / (d n_k); shape_j = Σ_k w_jk / scale_k,
            // normalised to geometric mean 1; state carried across EM steps; tolerance √ε.
            if state.shape.count != d {
                state.shape = [Double](repeating: 1, count: d)
                state.scale = [Double](repeating: 1, count: g)
            }
            let w = stats.map { diagonal($0.scatter) }
            let pd = stats.map { Double(d) * $0.weight }
            var iterations = 0
            while true {
                guard state.shape.allSatisfy({ $0 > epsilon }) else { return nil }
                iterations += 1
                let oldScale = state.scale, oldShape = state.shape
                for k in 0..<g { state.scale[k] = (0..<d).reduce(0) { $0 + w[k][$1] / state.shape[$1] } / pd[k] }
                guard state.scale.allSatisfy({ $0 > epsilon }) else { return nil }
                for j in 0..<d { state.shape[j] = (0..<g).reduce(0) { $0 + w[$1][j] / state.scale[$1] } }
                guard let gm = geometricMean(state.shape), gm > epsilon else { return nil }
                for j in 0..<d { state.shape[j] /= gm }
                var change = 0.0
                for k in 0..<g { change = max(change, abs(oldScale[k] - state.scale[k]) / (1 + state.scale[k])) }
                for j in 0..<d { change = max(change, abs(oldShape[j] - state.shape[j]) / (1 + state.shape[j])) }
                if change <= rootEpsilon || iterations > 1_000_000 { break }
            }
            covariances = state.scale.map { s in diagonalMatrix(state.shape.map { $0 * s }) }
        case .EEE:
            var w = [Double](repeating: 0, count: d * d)
            for s in stats { for k in w.indices { w[k] += s.scatter[k] } }
            covariances = Array(repeating: w.map { $0 / Double(n) }, count: g)
        case .VVV:
            covariances = stats.map { s in s.scatter.map { $0 / s.weight } }
        case .EEV:
            var shape = [Double](repeating: 0, count: d)
            var vectors: [[Double]] = []
            for s in stats {
                guard let e = DenseLinearAlgebra.symmetricEigen(s.scatter, dimension: d) else { return nil }
                for j in 0..<d { shape[j] += max(e.values[j], 0) }
                vectors.append(e.vectors)
            }
            guard let gm = geometricMean(shape), gm > epsilon else { return nil }
            let scale = gm / Double(n)
            let normalized = shape.map { $0 / gm }
            covariances = vectors.map { compose(scale: scale, shape: normalized, vectors: $0, dimension: d) }
        case .EVV:
            // Σ_k = λ C_k with C_k = W_k / |W_k|^(1/d) and λ = Σ_k |W_k|^(1/d) / n.
            var volume = 0.0
            var shapes: [[Double]] = []
            for s in stats {
                guard let e = DenseLinearAlgebra.symmetricEigen(s.scatter, dimension: d),
                    let gm = geometricMean(e.values)
                else { return nil }
                volume += gm
                shapes.append(s.scatter.map { $0 / gm })
            }
            let lambda = volume / Double(n)
            covariances = shapes.map { $0.map { $0 * lambda } }
        case .VEV:
            // mclust's mevev: eigenvalues ω_k of each W_k; on the first EM step shape = Σ ω_k
            // (normalised) and scale_k = |Σ ω_k|^(1/d) / n; then alternate
            // scale_k = Σ_j ω_kj / shape_j / (d n_k) and shape_j = Σ_k ω_kj / scale_k (normalised)
            // until the relative change is below √ε. State carries over EM steps.
            var omegas: [[Double]] = [], vectors: [[Double]] = []
            for s in stats {
                guard let e = DenseLinearAlgebra.symmetricEigen(s.scatter, dimension: d) else { return nil }
                omegas.append(e.values.map { max($0, 0) })
                vectors.append(e.vectors)
            }
            if state.shape.count != d {
                var shape = [Double](repeating: 0, count: d)
                for o in omegas { for j in 0..<d { shape[j] += o[j] } }
                guard let gm = geometricMean(shape), gm > epsilon else { return nil }
                state.shape = shape.map { $0 / gm }
                state.scale = [Double](repeating: gm / Double(n), count: g)
            }
            var iterations = 0
            while true {
                iterations += 1
                let oldShape = state.shape, oldScale = state.scale
                var shape = [Double](repeating: 0, count: d)
                for k in 0..<g {
                    let scale = (0..<d).reduce(0) { $0 + omegas[k][$1] / oldShape[$1] } / (stats[k].weight * Double(d))
                    guard scale > epsilon else { return nil }
                    state.scale[k] = scale
                    for j in 0..<d { shape[j] += omegas[k][j] / scale }
                }
                guard let gm = geometricMean(shape), gm > epsilon else { return nil }
                state.shape = shape.map { $0 / gm }
                var change = 0.0
                for j in 0..<d { change = max(change, abs(oldShape[j] - state.shape[j]) / (1 + state.shape[j])) }
                for k in 0..<g { change = max(change, abs(state.scale[k] - oldScale[k]) / (1 + state.scale[k])) }
                if change < rootEpsilon || iterations >= 1_000_000 { break }
            }
            guard state.shape.allSatisfy({ $0 > epsilon }), state.scale.allSatisfy({ $0 > epsilon }) else { return nil }
            covariances = (0..<g).map {
                compose(scale: state.scale[$0], shape: state.shape, vectors: vectors[$0], dimension: d)
            }
        case .VEE:
            // mclust's mevee: scale_k starts at 1 each M-step; C = Σ W_k / scale_k normalised to
            // determinant 1; scale_k = tr(W_k C⁻¹) / (d n_k); repeated until the criterion
            // n d + d Σ n_k log scale_k changes by less than √ε (relative).
            // mclust requires every scatter matrix to be positive definite here.
            guard choleskyFactors(stats.map(\.scatter), dimension: d, singularityCheck: false) != nil else {
                return nil
            }
            var scale = [Double](repeating: 1, count: g)
            var c = [Double](repeating: 0, count: d * d)
            var previous = Double.greatestFiniteMagnitude / 2
            var values: [Double] = []
            var iterations = 0
            while true {
                iterations += 1
                var numerator = [Double](repeating: 0, count: d * d)
                for k in 0..<g { for t in numerator.indices { numerator[t] += stats[k].scatter[t] / scale[k] } }
                guard let e = DenseLinearAlgebra.symmetricEigen(numerator, dimension: d),
                    let gm = geometricMean(e.values)
                else { return nil }
                values = e.values.map { $0 / gm }
                c = numerator.map { $0 / gm }
                guard let inverse = DenseLinearAlgebra.symmetricInverse(c, dimension: d) else { return nil }
                for k in 0..<g {
                    var t = 0.0
                    for a in 0..<d { for b in 0..<d { t += stats[k].scatter[a * d + b] * inverse[b * d + a] } }
                    scale[k] = t / (Double(d) * stats[k].weight)
                }
                guard scale.allSatisfy({ $0 > 0 }) else { return nil }
                let target = Double(n * d) + Double(d) * (0..<g).reduce(0) { $0 + log(scale[$1]) * stats[$1].weight }
                let change = abs(target - previous) / (1 + abs(target))
                previous = target
                if change <= rootEpsilon || iterations >= 1_000_000 { break }
            }
            guard (values.min() ?? 0) > rootEpsilon, (scale.min() ?? 0) > rootEpsilon else { return nil }
            covariances = scale.map { s in c.map { $0 * s } }
        case .EVE, .VVE:
            guard let fitted = commonOrientation(model, stats: stats, n: n, d: d, state: &state) else { return nil }
            covariances = fitted
        }
        return MStep(proportions: proportions, means: means, covariances: covariances)
    }

    /// The lower Cholesky factors of the covariances, or nil when one is singular by mclust's rule.
    static func choleskyFactors(_ covariances: [[Double]], dimension d: Int, singularityCheck: Bool = true)
        -> [[Double]]?
    {
        var factors: [[Double]] = []
        var minDiagonal = Double.infinity, maxDiagonal = 0.0
        for sigma in covariances {
            var l = [Double](repeating: 0, count: d * d)
            for j in 0..<d {
                var s = sigma[j * d + j]
                for k in 0..<j { s -= l[j * d + k] * l[j * d + k] }
                guard s > 0 else { return nil }
                let r = s.squareRoot()
                l[j * d + j] = r
                minDiagonal = min(minDiagonal, r)
                maxDiagonal = max(maxDiagonal, r)
                for i in (j + 1)..<max(j + 1, d) {
                    var t = sigma[i * d + j]
                    for k in 0..<j { t -= l[i * d + k] * l[j * d + k] }
                    l[i * d + j] = t / r
                }
            }
            factors.append(l)
        }
        return singularityCheck && minDiagonal / (1 + maxDiagonal) <= rootEpsilon ? nil : factors
    }

    /// The E-step: log-likelihood and new responsibilities; nil when a covariance is singular.
    static func eStep(_ x: DoubleMatrix, _ m: MStep) -> (loglik: Double, z: [[Double]])? {
        let n = x.rows, d = x.columns, g = m.proportions.count
        guard let factors = choleskyFactors(m.covariances, dimension: d) else { return nil }
        // Log densities per component (components in parallel).
        var logDensity = [[Double]](repeating: [], count: g)
        logDensity.withUnsafeMutableBufferPointer { results in
            x.storage.withUnsafeBufferPointer { xs in
                WorkerPool.shared.run(parts: g) { k in
                    var column = [Double](repeating: 0, count: n)
                    var centred = [Double](repeating: 0, count: n * d)
                    factors[k].withUnsafeBufferPointer { l in
                        m.means[k].withUnsafeBufferPointer { mu in
                            var detlog = 0.0
                            for j in 0..<d { detlog += log(l[j * d + j]) }
                            let constant = Double(d) * log2pi / 2 + detlog
                            centred.withUnsafeMutableBufferPointer { work in
                                column.withUnsafeMutableBufferPointer { out in
                                    // Squared Mahalanobis distances ‖L⁻¹(x − μ)‖², then the log densities.
                                    vaexprs_whitened_squared_norms(
                                        Int64(n), Int64(d), xs.baseAddress, mu.baseAddress, l.baseAddress,
                                        work.baseAddress, out.baseAddress)
                                    for i in 0..<n { out[i] = -(constant + out[i] / 2) }
                                }
                            }
                        }
                    }
                    results[k] = column
                }
            }
        }
        // Responsibilities by log-sum-exp, in row blocks on the worker pool (block sums added in
        // block order, so the result does not depend on the thread count).
        let logPro = m.proportions.map { $0 > 0 ? log($0) : -Double.infinity }
        let flat = UnsafeMutableBufferPointer<Double>.allocate(capacity: g * n)
        defer { flat.deallocate() }
        for k in 0..<g { logDensity[k].withUnsafeBufferPointer { src in for i in 0..<n { flat[k * n + i] = src[i] } } }
        let blocks = WorkerPool.blocks(n, parts: n >= 4096 ? WorkerPool.shared.threads : 1)
        var partial = [Double](repeating: 0, count: blocks.count)
        partial.withUnsafeMutableBufferPointer { sums in
            WorkerPool.shared.run(parts: blocks.count) { b in
                var blockSum = 0.0
                for i in blocks[b] {
                    var top = -Double.infinity
                    for k in 0..<g where logPro[k] > -Double.infinity {
                        let v = logPro[k] + flat[k * n + i]
                        flat[k * n + i] = v
                        top = max(top, v)
                    }
                    var sum = 0.0
                    for k in 0..<g {
                        if logPro[k] == -Double.infinity {
                            flat[k * n + i] = 0
                            continue
                        }
                        let t = flat[k * n + i] - top
                        let e = t >= -708 ? exp(t) : 0
                        flat[k * n + i] = e
                        sum += e
                    }
                    blockSum += log(sum) + top
                    let inverse = 1 / sum
                    for k in 0..<g { flat[k * n + i] *= inverse }
                }
                sums[b] = blockSum
            }
        }
        let loglik = partial.reduce(0, +)
        let z = (0..<g).map { k in Array(flat[(k * n)..<((k + 1) * n)]) }
        return (loglik, z)
    }

    /// EM from responsibilities `z` (G × n): mclust's `me`. Nil when the fit fails.
    static func fit(_ model: MixtureModel, _ x: DoubleMatrix, z initial: [[Double]]) -> (
        loglik: Double, parameters: MStep, z: [[Double]]
    )? {
        var state = IterativeState()
        var z = initial
        var previous = Double.greatestFiniteMagnitude / 2
        var iterations = 0
        while true {
            iterations += 1
            guard let m = mStep(model, x, z: z, state: &state), let e = eStep(x, m) else { return nil }
            guard e.loglik.isFinite else { return nil }
            let change = abs(previous - e.loglik) / (1 + abs(e.loglik))
            previous = e.loglik
            z = e.z
            if change <= tolerance || iterations >= 100_000 { return (e.loglik, m, z) }
        }
    }

    /// One component: mclust's `mvn` (closed form; the spherical, diagonal or full estimate).
    static func single(_ model: MixtureModel, _ x: DoubleMatrix) -> (loglik: Double, parameters: MStep, z: [[Double]])?
    {
        let family: MixtureModel =
            model == .E || model == .V
            ? .E
            : model == .EII || model == .VII
                ? .EII
                : model.isSphericalOrDiagonal ? .VVI : .VVV
        var state = IterativeState()
        let ones = [Double](repeating: 1, count: x.rows)
        guard let m = mStep(family, x, z: [ones], state: &state), let e = eStep(x, m) else { return nil }
        return (e.loglik, m, [ones])
    }
}
