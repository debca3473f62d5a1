import Foundation
import VAExprsCore
import VAExprsModels

extension Fit {
    /// Chooses the model's `LatentShrinkage` on the validation cells
    /// (`LatentShrinkageSelection`): for each candidate factor, the likelihood's noise is
    /// re-estimated at the training cells' shrunk latent means (on at most about 1 000 of the
    /// sample's cells) and the output offsets again (on `OutputOffsets.candidateDrawnCells`
    /// drawn cells per label), and the validation cells scored; the chosen factor is applied on
    /// the whole sample and `OutputOffsets.drawnCells`, and kept.
    /// Returns the line for the user (what was chosen, or why nothing was).
    static func chooseLatentShrinkage(
        _ model: TrainedModel, validation: any MiniBatchSource, sample: LikelihoodSample, samplePositions: [Int],
        registry: Registry
    ) throws -> String {
        let start = Date()
        let (found, reason) = try LatentShrinkageSelection.inputs(
            model: model, validation: validation, registry: registry)
        guard let inputs = found else { return "latent draws not shrunk: \(reason ?? "no validation cells")" }
        let centres = LatentShrinkageSelection.centres(of: model, groups: inputs.groups)
        let network = model.network
        // The candidates' noise is re-estimated on an even subset of the sample (the chosen
        // factor's on all of it), as is each candidate's offsets on fewer drawn cells.
        let subset = Array(stride(from: 0, to: samplePositions.count, by: max(1, samplePositions.count / 1_000)))
        func apply(_ factor: Double, scores: [LatentShrinkage.Score], candidate: Bool) throws -> String? {
            let shrinkage = LatentShrinkage(factor: factor, centres: centres, scores: scores)
            model.latentShrinkage = shrinkage
            let means = LatentShrinkageSelection.shrunkMeans(of: model, groups: inputs.groups, shrinkage: shrinkage)
            let rows = candidate ? subset : Array(samplePositions.indices)
            let refit = network.likelihood.refitAtLatentMeans(
                output: TrainedModel.decodedMeans(
                    network, means: means.gatherRows(rows.map { samplePositions[$0] }),
                    conditions: sample.conditions?.gatherRows(rows)),
                target: sample.target.gatherRows(rows), context: sample.context.gatherRows(rows))
            model.outputOffsets = try outputOffsets(
                model, sample: sample, registry: registry,
                drawnCells: candidate ? OutputOffsets.candidateDrawnCells : OutputOffsets.drawnCells)
            return refit
        }
        var perCell: [[Double]] = []
        for factor in LatentShrinkage.candidates {
            _ = try apply(factor, scores: [], candidate: true)
            perCell.append(try LatentShrinkageSelection.logLikelihoods(model, inputs))
        }
        let scores = zip(LatentShrinkage.candidates, perCell).map {
            LatentShrinkage.Score(factor: $0, logLikelihood: $1.reduce(0, +) / Double($1.count))
        }
        let best = scores[LatentShrinkageSelection.choice(factors: LatentShrinkage.candidates, logLikelihoods: perCell)]
        let refit = try apply(best.factor, scores: scores, candidate: false)
        let table = scores.map { String(format: "%g: %.2f", $0.factor, $0.logLikelihood) }.joined(separator: ", ")
        let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
        return """
            latent draws pulled towards each label's centre by factor \(best.factor) (1 = not at all): the least \
            shrinkage whose model gives the \(inputs.cells.target.rows) validation cells a likelihood within one \
            standard error of the best (mean log p per cell: \(table); \(seconds) s)\
            \(refit.map { "; \($0)" } ?? "")
            """
    }
}
