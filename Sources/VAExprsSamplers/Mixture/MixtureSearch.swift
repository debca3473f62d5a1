import Foundation
import VAExprsCore

/// mclust's `mclustBIC`: every (model, G) fitted by EM from the hierarchical (d > 1) or
/// quantile (d = 1) initial partitions, scored by BIC; the winner has the largest BIC, ties
/// going to the smaller G, then the model name in string order. With more than 2 000 points
/// the initial partitions come from a random subset of 2 000 (seeded), as in mclust: an
/// M-step on the subset, an E-step on all points, then EM on all points.
public struct MixtureSearch: Sendable {
    /// The BIC of every cell (nil where the fit failed or was not tried).
    public var table: [MixtureModel: [Int: Double]]
    /// The winner.
    public var best: MixtureFit
    /// Points, dimension.
    public var n: Int, d: Int

    /// The initialisation subset size (mclust.options("subset")).
    package static let subsetSize = 2000

    /// Runs the search on `points`. `subset` (0-based indices) overrides the random one.
    package static func run(
        _ points: DoubleMatrix, components: [Int] = Array(1...9), models requested: [MixtureModel]? = nil,
        subset given: [Int]? = nil, rng: inout SeededGenerator
    ) throws -> MixtureSearch {
        let n = points.rows, d = points.columns
        guard n > 0, d > 0 else { throw VAExprsError.badData("mixture search: no points") }
        guard points.storage.allSatisfy({ $0.isFinite }) else {
            throw VAExprsError.badData("mixture search: the points contain NaN or Inf; remove or impute them")
        }
        // Squared deviations of larger values overflow a double: the likelihood would be ±inf.
        let largest = points.storage.reduce(0) { max($0, abs($1)) }
        guard largest <= 1e150 else {
            throw VAExprsError.badData(
                """
                mixture search: values as large as \(String(format: "%.3g", largest)) overflow the covariance \
                computations (their squares exceed a double); rescale the points, e.g. divide them by \
                \(String(format: "%.0e", largest / 1e3))
                """
            )
        }
        guard let maxG = components.max(), components.allSatisfy({ $0 >= 1 }) else {
            throw VAExprsError.usage("\(parameter: "components"): give numbers of components ≥ 1 (e.g. 1..9)")
        }
        var models = requested ?? (d == 1 ? MixtureModel.univariate : MixtureModel.multivariate)
        if d == 1 {
            models = models.filter { MixtureModel.univariate.contains($0) }
        } else {
            models = models.filter { MixtureModel.multivariate.contains($0) }
        }
        guard !models.isEmpty else {
            throw VAExprsError.usage(
                """
                \(parameter: "models"): none of the models fit \(d)-dimensional data \
                (\(d == 1 ? "E, V" : "EII … VVV"))
                """
            )
        }
        for j in 0..<d {
            let first = points[0, j]
            if (1..<n).allSatisfy({ points[$0, j] == first }) && n > 1 {
                throw VAExprsError.badData(
                    """
                    mixture search: dimension \(j + 1) is constant (\(first)), so every covariance would be \
                    singular; drop it (the latent sampler holds such dimensions at their value)
                    """
                )
            }
        }
        guard n > 1 else { throw VAExprsError.badData("mixture search: a single point; a mixture needs at least two") }
        // With no more points than dimensions mclust tries only spherical and diagonal models,
        // initialised by Ward's criterion (hcEII) instead of VVV.
        let fewPoints = d > 1 && n <= d
        if fewPoints {
            models = models.filter(\.isSphericalOrDiagonal)
            guard !models.isEmpty else {
                throw VAExprsError.badData(
                    """
                    mixture search: \(n) points in \(d) dimensions allow only spherical and diagonal models (EII \
                    … VVI)
                    """
                )
            }
        }
        // Numeric work runs on VAExprs' own pool (its thread count as configured); OpenBLAS,
        // inside LAPACK, single-threaded, as its idle threads otherwise spin in sched_yield
        // between the many small calls.
        BLAS.prepareSingleThreadedKernels()
        let subset: [Int]? = given ?? (n > subsetSize ? randomSubset(n: n, size: subsetSize, rng: &rng) : nil)
        let initial =
            subset.map { s in
                DoubleMatrix(rows: s.count, columns: d, storage: s.flatMap { i in (0..<d).map { points[i, $0] } })
            } ?? points
        let partitions: (Int) -> [Int]
        if d == 1 {
            let values = (0..<initial.rows).map { initial[$0, 0] }
            partitions = { g in quantileClasses(values, g) }
        } else {
            let transformed = try ScaledSVD.transform(initial)
            let merges = fewPoints ? HierarchicalEII.merges(transformed) : HierarchicalVVV.merges(transformed)
            partitions = { g in classes(merges, points: initial.rows, components: g) }
        }
        // Every (G, model) fit is independent: they run as tasks over the pool's threads (a
        // task's own loops then run serially, so results do not depend on the thread count),
        // and are scored below in the fixed order (G, then model) that breaks BIC ties.
        var starts: [(g: Int, z: [[Double]])] = []
        for g in components.sorted() where g <= maxG {
            if g == 1 {
                starts.append((g, []))
                continue
            }
            let labels = partitions(g)
            guard (labels.max() ?? 0) == g else { continue }  // fewer distinct clusters than asked
            starts.append((g, (1...g).map { k in labels.map { $0 == k ? 1 : 0 } }))
        }
        let tasks = starts.indices.flatMap { s in models.map { (start: s, model: $0) } }
        typealias Fitted = (loglik: Double, parameters: MixtureEM.MStep, z: [[Double]])
        var fits = [Fitted?](repeating: nil, count: tasks.count)
        // Longest first, so that no long EVE/VVE fit starts last while the other threads idle.
        let cost = tasks.map { relativeCost($0.model) * starts[$0.start].g }
        let order = tasks.indices.sorted { cost[$0] != cost[$1] ? cost[$0] > cost[$1] : $0 < $1 }
        fits.withUnsafeMutableBufferPointer { out in
            WorkerPool.shared.runTasks(tasks.count) { next in
                let t = order[next]
                let (g, z) = starts[tasks[t].start], model = tasks[t].model
                if g == 1 {
                    out[t] = MixtureEM.single(model, points)
                } else if subset != nil {
                    var state = MixtureEM.IterativeState()
                    if let m = MixtureEM.mStep(model, initial, z: z, state: &state), let e = MixtureEM.eStep(points, m)
                    {
                        out[t] = MixtureEM.fit(model, points, z: e.z)
                    }
                } else {
                    out[t] = MixtureEM.fit(model, points, z: z)
                }
            }
        }
        var table: [MixtureModel: [Int: Double]] = [:]
        var best: MixtureFit? = nil
        let logN = log(Double(n))
        for (t, task) in tasks.enumerated() {
            let g = starts[task.start].g, model = task.model
            guard let result = fits[t] else { continue }
            let bic = 2 * result.loglik - Double(model.parameterCount(dimension: d, components: g)) * logN
            guard bic.isFinite else { continue }  // reported as NA, as mclust does for failed fits
            table[model, default: [:]][g] = bic
            let better =
                best.map { current in
                    bic > current.bic
                        || (bic == current.bic
                            && (g < current.components || (g == current.components && model < current.model)))
                } ?? true
            guard better else { continue }
            // mclust reports the winner's parameters after one more M-step from the final
            // responsibilities when they disagree with the proportions (always after a subset start).
            var parameters = result.parameters
            if g > 1 {
                let means = result.z.map { $0.reduce(0, +) / Double(n) }
                let disagreement = zip(parameters.proportions, means).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                if subset != nil || disagreement > MixtureEM.rootEpsilon {
                    var state = MixtureEM.IterativeState()
                    if let refined = MixtureEM.mStep(model, points, z: result.z, state: &state) { parameters = refined }
                }
            }
            best = MixtureFit(
                model: model, components: g, loglik: result.loglik, bic: bic,
                parameters: MixtureParameters(
                    proportions: parameters.proportions, means: parameters.means,
                    covariances: parameters.covariances))
        }
        guard let best else {
            throw VAExprsError.badData(
                "mixture search: every model failed on these \(n) points (singular covariances or no finite likelihood)"
            )
        }
        return MixtureSearch(table: table, best: best, n: n, d: d)
    }

    /// Rough cost of one EM fit of `model` per component, for scheduling only: EVE and VVE
    /// iterate an SVD-based inner loop in every M-step; the general covariance models factor
    /// every component; the rest are closed-form.
    static func relativeCost(_ model: MixtureModel) -> Int {
        switch model {
        case .EVE, .VVE: return 10
        case .EEV, .VEV, .EVV, .VVV: return 3
        default: return 1
        }
    }

    /// `size` distinct indices of 0..<n, in random order (seeded).
    static func randomSubset(n: Int, size: Int, rng: inout SeededGenerator) -> [Int] {
        var all = Array(0..<n)
        for i in 0..<size {
            let j = i + Int(rng.next() % UInt64(n - i))
            all.swapAt(i, j)
        }
        return Array(all.prefix(size))
    }

    /// mclust's `hclass`: the partition with `components` clusters, numbered by first appearance.
    static func classes(_ merges: [HierarchicalVVV.Merge], points: Int, components: Int) -> [Int] {
        var labels = Array(1...points)
        for merge in merges.prefix(max(0, points - components)) {
            for i in labels.indices where labels[i] == merge.second { labels[i] = merge.first }
        }
        var number: [Int: Int] = [:]
        return labels.map { label in
            if let k = number[label] { return k }
            number[label] = number.count + 1
            return number.count
        }
    }

    /// mclust's `qclass`: classes from quantiles (type 7), the extreme cut points widened by sd·√ε.
    static func quantileClasses(_ x: [Double], _ k: Int) -> [Int] {
        let n = x.count
        let sorted = x.sorted()
        let mean = x.reduce(0, +) / Double(n)
        let sd = (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(n - 1, 1))).squareRoot()
        let eps = sd * MixtureEM.rootEpsilon
        func quantile(_ p: Double) -> Double {
            let h = Double(n - 1) * p
            let lo = Int(h.rounded(.down)), hi = min(lo + 1, n - 1)
            return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
        }
        var q: [Double] = []
        var m = k
        while q.count < k + 1 {
            m += 1
            var unique: [Double] = []
            for i in 0..<m {
                let v = quantile(Double(i) / Double(m - 1))
                if !unique.contains(v) { unique.append(v) }
            }
            q = unique
            if m > n + k + 2 { break }
        }
        if q.count > k + 1 {
            let gaps = (0..<(q.count - 1)).map { q[$0 + 1] - q[$0] }
            // R's order() is stable
            let drop = Set(gaps.indices.sorted { (gaps[$0], $0) < (gaps[$1], $1) }.prefix(q.count - k - 1))
            q = q.indices.filter { !drop.contains($0) }.map { q[$0] }
        }
        q[0] = sorted[0] - eps
        q[q.count - 1] = sorted[n - 1] + eps
        return x.map { v in
            var c = 0
            for i in 0..<k where v >= q[i] && v < q[i + 1] { c = i + 1 }
            return c
        }
    }
}
