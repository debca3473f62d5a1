import Foundation
import VAExprsCore

extension MixtureSearch {
    /// Points above which the BIC search runs on a seeded subsample (`searchOnSubsample`): the
    /// size of mclust's initialisation subset (`MixtureSearch.subsetSize`).
    package static let searchSubsampleSize = 2_000

    /// The search for many points: every (model, G) on a seeded subsample of
    /// `searchSubsampleSize` points (itself initialised from mclust's 2 000-point subset), then
    /// the winner refitted by EM on all points from the subsample's parameters (an E-step on all
    /// points first), and its BIC recomputed on all of them. mclust's own `subset`
    /// initialisation starts every (model, G) from a subset but runs each EM on all points,
    /// which costs 126 EM runs over all of them; here only the chosen one runs on all. When the
    /// refit fails (a covariance turning singular), the subsample's parameters are kept.
    /// - Returns: the winner and a note saying what was done.
    package static func searchOnSubsample(
        _ points: DoubleMatrix, components: [Int], models: [MixtureModel]?, rng: inout SeededGenerator
    ) throws -> (best: MixtureFit, note: String) {
        let n = points.rows, d = points.columns
        let subset = randomSubset(n: n, size: searchSubsampleSize, rng: &rng).sorted()
        let sample = DoubleMatrix(
            rows: subset.count, columns: d, storage: subset.flatMap { i in (0..<d).map { points[i, $0] } })
        let chosen = try run(sample, components: components, models: models, rng: &rng).best
        let note = "BIC search on \(subset.count) of \(n) points (seeded), the winner refitted on all"
        let refit: (loglik: Double, parameters: MixtureEM.MStep, z: [[Double]])?
        if chosen.components == 1 {
            refit = MixtureEM.single(chosen.model, points)
        } else {
            let start = MixtureEM.MStep(
                proportions: chosen.parameters.proportions, means: chosen.parameters.means,
                covariances: chosen.parameters.covariances)
            refit = MixtureEM.eStep(points, start).flatMap { MixtureEM.fit(chosen.model, points, z: $0.z) }
        }
        guard let refit else {
            return (chosen, note.replacingOccurrences(of: "refitted on all", with: "kept (its refit on all failed)"))
        }
        let bic =
            2 * refit.loglik
            - Double(chosen.model.parameterCount(dimension: d, components: chosen.components)) * log(Double(n))
        return (
            MixtureFit(
                model: chosen.model, components: chosen.components, loglik: refit.loglik, bic: bic,
                parameters: MixtureParameters(
                    proportions: refit.parameters.proportions, means: refit.parameters.means,
                    covariances: refit.parameters.covariances)),
            note
        )
    }
}
