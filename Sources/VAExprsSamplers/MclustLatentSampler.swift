import Foundation
import VAExprsCore

/// `mclust` (the default sampler): the mclust-equivalent Gaussian mixture — 14 covariance
/// models (E and V in one dimension) × G = 1…9 fitted by EM from hierarchical
/// initialisation and chosen by BIC (`MixtureSearch`) — then sampled as mclust's `sim`:
/// component labels by the mixing proportions, then mean + Lε. A label whose cells are too
/// few for any mixture (n ≤ d, or every fit singular) falls back to the `normal` sampler's
/// single Gaussian, and its summary says so.
///
/// One departure from mclust, against memorising small labels: the numbers of components
/// tried are capped at ⌊n / min_points⌋ (at least 1), with `min_points` = 5·(d + 1) points per
/// component by default for d latent dimensions; mclust itself fits up to 9 components to
/// any n, which puts components on single cells of a small label so that generated cells are
/// near-copies of training cells. `min_points=0` searches exactly as mclust. Above
/// `MixtureSearch.searchSubsampleSize` points the search runs on a seeded subsample and the
/// winner is refitted on all points (`MixtureSearch.searchOnSubsample`).
/// Spec: `mclust[:components=1..9][:models=VVV,EEE][:min_points=N]`.
package struct MclustLatentSampler: LatentSampler {
    package let spec: ComponentSpec
    /// Numbers of components tried.
    package let components: [Int]
    /// Models tried (nil: all for the dimension).
    package let models: [MixtureModel]?
    /// Fewest training points per component (nil: 5·(d + 1); 0: no cap, as mclust).
    package let minimumPointsPerComponent: Int?

    /// The sampler; options are validated here.
    package init(spec: ComponentSpec) throws {
        self.spec = spec
        components = try Self.parseComponents(
            spec.string("components", position: 0, default: "1..9")!, source: spec.source)
        if let list = spec.string("models", position: 1, default: nil) {
            models = try Self.parseModels(list, source: spec.source)
        } else {
            models = nil
        }
        if let text = spec.string("min_points", position: 2, default: nil) {
            guard let n = Int(text), n >= 0 else {
                throw VAExprsError.usage(
                    "\(spec.source): min_points must be a whole number ≥ 0 (0: no cap, as mclust), got '\(text)'")
            }
            minimumPointsPerComponent = n
        } else {
            minimumPointsPerComponent = nil
        }
    }

    /// The component counts tried for `n` points in `d` dimensions, and a note when the cap
    /// removed some.
    func componentsTried(points n: Int, dimension d: Int) -> ([Int], String?) {
        let perComponent = minimumPointsPerComponent ?? 5 * (d + 1)
        guard perComponent > 0 else { return (components, nil) }
        let cap = max(1, n / perComponent)
        let kept = components.filter { $0 <= cap }
        guard kept.count < components.count else { return (components, nil) }
        let tried = kept.isEmpty ? [components.min()!] : kept
        return (
            tried,
            """
            at most \(tried.max()!) component(s) for \(n) points (\(perComponent) per component; min_points=0 \
            lifts the cap)
            """
        )
    }

    /// `1..9`, `3`, or `1,2,5` → component counts.
    package static func parseComponents(_ text: String, source: String) throws -> [Int] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let tooMany = VAExprsError.usage(
            """
            \(source): components '\(text)' go above \(maximumComponents), the most a mixture search here fits \
            (mclust's default is 1..9)
            """
        )
        var values: [Int] = []
        if let range = trimmed.range(of: "..") {
            guard let lo = Int(trimmed[..<range.lowerBound]), let hi = Int(trimmed[range.upperBound...]), lo >= 1,
                hi >= lo
            else {
                throw VAExprsError.usage("\(source): components '\(text)' must look like 1..9 (from ≥ 1 to ≥ from)")
            }
            guard hi <= maximumComponents else {
                throw tooMany
            }
            values = Array(lo...hi)
        } else {
            values = try trimmed.split(separator: ";").flatMap { $0.split(separator: ",") }.map {
                guard let v = Int($0.trimmingCharacters(in: .whitespaces)), v >= 1 else {
                    throw VAExprsError.usage(
                        "\(source): components '\(text)' must be whole numbers ≥ 1, e.g. 1..9 or 2,3")
                }
                return v
            }
        }
        guard !values.isEmpty else { throw VAExprsError.usage("\(source): no components given") }
        guard values.max()! <= maximumComponents else {
            throw tooMany
        }
        return Array(Set(values)).sorted()
    }

    /// The largest number of mixture components searched.
    package static let maximumComponents = 1000

    /// `VVV,EEE` → models (mclust's names).
    package static func parseModels(_ text: String, source: String) throws -> [MixtureModel] {
        try text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }).map {
            guard let m = MixtureModel(rawValue: String($0).uppercased()) else {
                throw VAExprsError.usage(
                    """
                    \(source): unknown mixture model '\($0)'; valid: \
                    \(MixtureModel.allCases.map(\.rawValue).joined(separator: ", "))
                    """
                )
            }
            return m
        }
    }

    package func fit(_ points: DoubleMatrix, label: String?, rng: inout SeededGenerator) throws
        -> any FittedLatentDistribution
    {
        let labelNote = label.map { ", label '\($0)'" } ?? ""
        if points.rows < 2 {
            let single = try GaussianLatentSampler(spec: ComponentSpec(name: "normal")).fit(
                points, label: label, rng: &rng)
            return FallbackDistribution(inner: single, summary: "mclust fallback (a single cell): \(single.summary)")
        }
        // Constant dimensions (e.g. a collapsed latent unit) are held at their value; the
        // mixture is fitted to the others.
        let d = points.columns
        let varying = (0..<d).filter { j in (0..<points.rows).contains { points[$0, j] != points[0, j] } }
        if varying.count < d && points.rows > 0 {
            let constants = (0..<d).map { points[0, $0] }
            let reduced = DoubleMatrix(
                rows: points.rows, columns: varying.count,
                storage: (0..<points.rows).flatMap { i in varying.map { points[i, $0] } })
            let inner: any FittedLatentDistribution =
                varying.isEmpty
                ? try GaussianLatentSampler(spec: ComponentSpec(name: "normal")).fit(
                    DoubleMatrix(rows: 1, columns: 0), label: label, rng: &rng)
                : try fit(reduced, label: label, rng: &rng)
            return EmbeddedDistribution(
                inner: inner, varying: varying, constants: constants,
                summary: "\(inner.summary); \(d - varying.count) constant dimension(s) held at their value")
        }
        do {
            let (tried, capNote) = componentsTried(points: points.rows, dimension: points.columns)
            var best: MixtureFit, largeNote: String? = nil
            if points.rows > MixtureSearch.searchSubsampleSize {
                (best, largeNote) = try MixtureSearch.searchOnSubsample(
                    points, components: tried, models: models, rng: &rng)
            } else {
                best = try MixtureSearch.run(points, components: tried, models: models, rng: &rng).best
            }
            let notes = [capNote, largeNote].compactMap { $0 }.map { "; " + $0 }.joined()
            return FittedMixture(
                fit: best, dimension: points.columns,
                summary:
                    """
                    mclust \(best.model.name(components: best.components)) with \(best.components) component(s), \
                    BIC \(String(format: "%.3f", best.bic)), \(points.rows) points\(labelNote)\(notes)
                    """
            )
        } catch let error as VAExprsError
            where error.code == .badData && points.rows > 0 && points.storage.allSatisfy({ $0.isFinite })
        {
            let fallback = try GaussianLatentSampler(spec: ComponentSpec(name: "normal")).fit(
                points, label: label, rng: &rng)
            return FallbackDistribution(
                inner: fallback, summary: "mclust fallback (\(error.message)): \(fallback.summary)")
        }
    }
}

/// A fitted mixture, sampled as mclust's `sim`.
package struct FittedMixture: FittedLatentDistribution {
    /// The fitted mixture.
    package let fit: MixtureFit
    /// Dimensions.
    package let dimension: Int
    package let summary: String

    /// Wraps a fit for sampling.
    package init(fit: MixtureFit, dimension: Int, summary: String) {
        self.fit = fit
        self.dimension = dimension
        self.summary = summary
    }

    package func sample(count: Int, rng: inout SeededGenerator) -> DoubleMatrix {
        let d = dimension
        let factors = fit.parameters.covariances.map { Cholesky.lower($0, dimension: d) ?? diagonalRoot($0, d) }
        var cumulative: [Double] = []
        var acc = 0.0
        for p in fit.parameters.proportions {
            acc += p
            cumulative.append(acc)
        }
        var out = DoubleMatrix(rows: count, columns: d)
        var e = [Double](repeating: 0, count: d)
        for i in 0..<count {
            let u = rng.nextUniform() * acc
            let k = cumulative.firstIndex { u < $0 } ?? cumulative.count - 1
            for j in 0..<d { e[j] = rng.nextNormal() }
            let l = factors[k]
            for a in 0..<d {
                var v = fit.parameters.means[k][a]
                for b in 0...a { v += l[a * d + b] * e[b] }
                out[i, a] = v
            }
        }
        return out
    }

    private func diagonalRoot(_ sigma: [Double], _ d: Int) -> [Double] {
        var l = [Double](repeating: 0, count: d * d)
        for j in 0..<d { l[j * d + j] = max(sigma[j * d + j], 0).squareRoot() }
        return l
    }
}

/// Another distribution with a summary that explains why it was used.
struct FallbackDistribution: FittedLatentDistribution {
    let inner: any FittedLatentDistribution
    let summary: String
    func sample(count: Int, rng: inout SeededGenerator) -> DoubleMatrix { inner.sample(count: count, rng: &rng) }
}

/// A distribution over some dimensions, with the others held at constant values.
struct EmbeddedDistribution: FittedLatentDistribution {
    let inner: any FittedLatentDistribution
    let varying: [Int]
    let constants: [Double]
    let summary: String

    func sample(count: Int, rng: inout SeededGenerator) -> DoubleMatrix {
        let drawn = inner.sample(count: count, rng: &rng)
        var out = DoubleMatrix(rows: count, columns: constants.count)
        for i in 0..<count {
            for j in 0..<constants.count { out[i, j] = constants[j] }
            for (k, j) in varying.enumerated() where k < drawn.columns { out[i, j] = drawn[i, k] }
        }
        return out
    }
}

extension MclustLatentSampler: StorableLatentSampler {
    package func store(_ fitted: any FittedLatentDistribution, label: String) -> StoredLatentMixture? {
        guard let mixture = fitted as? FittedMixture else { return nil }
        let p = mixture.fit.parameters
        return StoredLatentMixture(
            label: label, summary: mixture.summary, model: mixture.fit.model.rawValue, dimension: mixture.dimension,
            proportions: p.proportions, means: p.means, covariances: p.covariances, bic: mixture.fit.bic)
    }

    package func restore(_ stored: StoredLatentMixture) throws -> any FittedLatentDistribution {
        guard stored.isConsistent, let model = MixtureModel(rawValue: stored.model) else {
            throw VAExprsError.badData(
                "the stored latent mixture of label '\(stored.label)' is damaged (its sizes or numbers do not agree)")
        }
        return FittedMixture(
            fit: MixtureFit(
                model: model, components: stored.proportions.count, loglik: .nan, bic: stored.bic,
                parameters: MixtureParameters(
                    proportions: stored.proportions, means: stored.means, covariances: stored.covariances)),
            dimension: stored.dimension, summary: stored.summary)
    }
}
