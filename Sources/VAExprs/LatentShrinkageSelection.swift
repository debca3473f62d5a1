import Foundation
import VAExprsCore
import VAExprsModels
import VAExprsSamplers

/// `fit`'s choice of `LatentShrinkage` on its validation cells (cells the encoder, the
/// likelihood's noise and the latent mixtures never saw). For each candidate factor, the model
/// is made as `generate` would draw from it (latent draws pulled towards their label's centre,
/// the likelihood's noise re-estimated at the training cells' shrunk latent means, output
/// offsets again) and scored by the validation cells' log marginal likelihood
/// log p(x | label) = log E_z p(x | z), z from the label's shrunk latent mixture: the model
/// that gives cells it never saw the highest likelihood is kept. Within-label latent variation
/// that is real (cell states inside a type) raises it; variation the encoder fitted to noise
/// does not, and the wider noise of a shrunk model then describes the cells better.
///
/// The expectation is estimated by importance sampling (as IWAE-style evaluations of VAEs do)
/// with a defensive proposal: half the draws from the encoder's posterior q(z | x), half from the
/// shrunk mixture itself, so that every weight is at most twice p(x | z) whatever the factor.
/// The same random numbers serve every factor. At factor 0 the mixture is one point and the
/// likelihood exact.
enum LatentShrinkageSelection {
    /// Most validation cells scored (the first ones, in order).
    static let maximumCells = 256
    /// Fewest validation cells for a choice; with fewer, no shrinkage.
    static let minimumCells = 10
    /// Latent draws per validation cell from each half of the proposal.
    static let drawsPerHalf = 32
    /// Mean log-likelihood differences (nats per cell) that count as ties.
    static let tie = 1e-3

    /// What the scores read: the validation cells, their posteriors, and each label group's
    /// latent mixture (to draw from, and its density).
    struct Inputs {
        var cells: TrainingData.Batch
        var posterior: (mean: Matrix, logVariance: Matrix)
        var groups: [Generator.Group]
        var mixtures: [(distribution: any FittedLatentDistribution, density: MixtureDensity)]
        var seed: UInt64
    }

    /// The inputs, or nil (with the reason) when a choice cannot be made: too few validation
    /// cells, or latent mixtures that are not stored in full dimension.
    static func inputs(
        model: TrainedModel, validation: any MiniBatchSource, registry: Registry
    ) throws -> (Inputs?, reason: String?) {
        guard validation.count >= minimumCells else {
            return (nil, "\(validation.count) validation cells (at least \(minimumCells) are needed)")
        }
        struct Enough: Error {}
        var first: TrainingData.Batch?
        var order = SeededGenerator(seed: 0)  // in order: draws nothing
        do {
            try validation.forEachBatch(batchSize: maximumCells, shuffle: false, rng: &order) { batch in
                first = batch
                throw Enough()
            }
        } catch is Enough {}
        guard var cells = first else { return (nil, "no validation cells could be read") }
        // Each cell's parameter-free terms once, not again for each of its draws.
        cells.context.constant = model.network.likelihood.constantTerms(target: cells.target)
        let groups = Generator(model: model, registry: registry).labelGroups()
        let latent = model.network.spec.latentDimension
        guard let stored = model.latentMixtures,
            let sampler = try registry.makeLatentSampler(ComponentSpec(name: stored.sampler))
                as? any StorableLatentSampler
        else { return (nil, "the latent mixtures could not be stored") }
        var mixtures: [(distribution: any FittedLatentDistribution, density: MixtureDensity)] = []
        for group in groups {
            guard let mixture = stored.groups.first(where: { $0.label == group.key }), mixture.dimension == latent,
                let density = MixtureDensity(mixture)
            else { return (nil, "label group '\(group.key)' has no full-dimensional latent mixture") }
            mixtures.append((try sampler.restore(mixture), density))
        }
        var unused = SeededGenerator(seed: 0)  // inference draws nothing
        let posterior = model.network.encode(
            cells.input, conditions: cells.conditions, phase: .inference, rng: &unused)
        return (Inputs(cells: cells, posterior: posterior, groups: groups, mixtures: mixtures, seed: model.seed), nil)
    }

    /// Each label group's centre: the mean of its training cells' latent means.
    static func centres(of model: TrainedModel, groups: [Generator.Group]) -> [LatentShrinkage.Centre] {
        let means = model.trainingLatentMeans
        return groups.map { group in
            var point = [Double](repeating: 0, count: means.columns)
            for i in group.trainingRows { for j in point.indices { point[j] += Double(means[i, j]) } }
            for j in point.indices { point[j] /= Double(max(group.trainingRows.count, 1)) }
            return LatentShrinkage.Centre(label: group.key, point: point)
        }
    }

    /// The training cells' latent means drawn towards their group's centre by `shrinkage`.
    static func shrunkMeans(of model: TrainedModel, groups: [Generator.Group], shrinkage: LatentShrinkage) -> Matrix {
        var means = model.trainingLatentMeans
        for group in groups {
            let points = DoubleMatrix(means.gatherRows(group.trainingRows))
            let shrunk = shrinkage.apply(to: points, label: group.key)
            for (k, i) in group.trainingRows.enumerated() {
                for j in 0..<means.columns { means[i, j] = Float(shrunk[k, j]) }
            }
        }
        return means
    }

    /// Each validation cell's log p(x | label) (nats) under `model` as it stands: its
    /// shrinkage, its likelihood's current noise and its output offsets.
    static func logLikelihoods(_ model: TrainedModel, _ inputs: Inputs) throws -> [Double] {
        let network = model.network, likelihood = network.likelihood
        let cells = inputs.cells
        let d = network.spec.latentDimension
        let factor = model.latentShrinkage?.factor ?? 1
        let half = drawsPerHalf
        var perCell: [Double] = []
        for v in 0..<cells.target.rows {
            let g = Int(cells.context.group?[v] ?? 0)
            let group = inputs.groups[g]
            let centre = model.latentShrinkage?.centre(for: group.key) ?? [Double](repeating: 0, count: d)
            // The same draws for every factor: ε for the posterior half, the unshrunk mixture's
            // points for the other.
            var rng = SeededGenerator(seed: inputs.seed &+ 0x5348_5249_4e4b &* UInt64(v + 1))
            let drawCount = factor == 0 ? 1 : 2 * half
            var z = Matrix(rows: drawCount, columns: d)
            var logProposalRatio = [Double](repeating: 0, count: drawCount)  // log p_λ(z) − log r(z)
            if factor == 0 {
                for j in 0..<d { z[0, j] = Float(centre[j]) }
            } else {
                let mean = (0..<d).map { Double(inputs.posterior.mean[v, $0]) }
                let sd = (0..<d).map { exp(0.5 * Double(inputs.posterior.logVariance[v, $0])) }
                var points = [[Double]]()
                for _ in 0..<half { points.append((0..<d).map { mean[$0] + sd[$0] * rng.nextNormal() }) }
                let mixtureDraws = inputs.mixtures[g].distribution.sample(count: half, rng: &rng)
                for s in 0..<half {
                    points.append((0..<d).map { centre[$0] + factor * (mixtureDraws[s, $0] - centre[$0]) })
                }
                for (s, point) in points.enumerated() {
                    var logQ = 0.0
                    for j in 0..<d {
                        let e = (point[j] - mean[j]) / sd[j]
                        logQ += -0.5 * e * e - log(sd[j]) - 0.5 * log(2 * Double.pi)
                    }
                    let unshrunk = (0..<d).map { centre[$0] + (point[$0] - centre[$0]) / factor }
                    let logP = inputs.mixtures[g].density.logDensity(unshrunk) - Double(d) * log(factor)
                    let top = max(logQ, logP)
                    let logR = top + log(0.5 * (exp(logQ - top) + exp(logP - top)))
                    logProposalRatio[s] = logP - logR
                    for j in 0..<d { z[s, j] = Float(point[j]) }
                }
            }
            let conditions = cells.conditions.map { c in c.gatherRows([Int](repeating: v, count: drawCount)) }
            var unused = SeededGenerator(seed: 0)  // inference draws nothing
            var output = network.decode(z, conditions: conditions, phase: .inference, rng: &unused)
            if let offsets = model.outputOffsets?.offsets(for: group.key) {
                Generator.addOffsets([offsets], to: &output, assignment: [Int](repeating: 0, count: drawCount))
            }
            let target = cells.target.gatherRows([v]), context = cells.context.gatherRows([v])
            var logWeights = [Double](repeating: 0, count: drawCount)
            for s in 0..<drawCount {
                let nll = likelihood.evaluate(
                    output: output.gatherRows([s]), target: target, context: context, gradient: false, scale: 1
                ).total
                logWeights[s] = -nll + logProposalRatio[s]
            }
            let top = logWeights.max()!
            perCell.append(top + log(logWeights.reduce(0) { $0 + exp($1 - top) } / Double(drawCount)))
        }
        return perCell
    }

    /// The chosen factor: the largest candidate whose validation log-likelihood is within one
    /// standard error of the best one's (the paired per-cell differences' standard error), so
    /// that a latent space is only shrunk when the validation cells clearly ask for it (the
    /// one-standard-error rule of cross-validated model selection). Differences below `tie`
    /// nats per cell count as none (a latent space that carries nothing scores every factor
    /// alike, and is then left unshrunk).
    static func choice(factors: [Double], logLikelihoods: [[Double]]) -> Int {
        let means = logLikelihoods.map { $0.reduce(0, +) / Double(max($0.count, 1)) }
        let best = means.indices.max { means[$0] < means[$1] }!
        var chosen = best
        for k in factors.indices where factors[k] > factors[chosen] {
            let differences = zip(logLikelihoods[best], logLikelihoods[k]).map { $0 - $1 }
            let n = Double(differences.count)
            let mean = differences.reduce(0, +) / n
            let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(n - 1, 1)
            if mean <= max((variance / n).squareRoot(), tie) { chosen = k }
        }
        return chosen
    }
}
