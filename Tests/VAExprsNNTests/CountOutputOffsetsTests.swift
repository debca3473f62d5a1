import Foundation
import Testing
import VAExprsCore

@testable import VAExprsNN

/// The count likelihoods' per-label output offsets on the logits: with much evidence the
/// generated shares reach the label's; a gene the label's few counts barely show keeps the
/// decoder's share (the Gamma prior on observed / expected); ZINB's dropout is accounted for.
struct CountOutputOffsetsTests {
    let registry: Registry = {
        let r = Registry()
        try! NeuralBuiltins.register(into: r)
        return r
    }()

    /// 200 draws of 4 genes whose decoder logits vary around log(0.4, 0.3, 0.2, 0.1), and the
    /// average generated share of each gene after `offsets`.
    func draws(_ spec: String) throws -> (likelihood: any OutputOffsetEstimating, output: Matrix) {
        let likelihood = try #require(
            try registry.makeLikelihood(ComponentSpec(name: spec)) as? any OutputOffsetEstimating)
        try likelihood.build(
            features: 4, groups: 0, training: Matrix(rows: 0, columns: 4), context: CellContext(), path: "l")
        var rng = SeededGenerator(seed: 3)
        let width = likelihood.outputWidth(features: 4)
        var output = Matrix(rows: 200, columns: width)
        let base = [0.4, 0.3, 0.2, 0.1].map { Float(log($0)) }
        for i in 0..<200 {
            for j in 0..<4 { output[i, j] = base[j] + 0.3 * Float(rng.nextNormal()) }
            for j in 4..<width { output[i, j] = -2 + 0.5 * Float(j - 4) }  // ZINB dropout logits
        }
        return (likelihood, output)
    }

    func shares(_ likelihood: any OutputOffsetEstimating, _ output: Matrix, _ offsets: [Float]) -> [Double] {
        var shifted = output
        for i in 0..<shifted.rows { for j in 0..<4 { shifted[i, j] += offsets[j] } }
        let mean = likelihood.mean(output: shifted, context: CellContext())
        var averages = [Double](repeating: 0, count: 4)
        for i in 0..<mean.rows { for j in 0..<4 { averages[j] += Double(mean[i, j]) } }
        let total = averages.reduce(0, +)
        return averages.map { $0 / total }
    }

    @Test(arguments: ["nb", "zinb", "poisson"])
    func muchEvidenceReachesTheLabelsShares(_ spec: String) throws {
        let (likelihood, output) = try draws(spec)
        let target = [0.3, 0.25, 0.25, 0.2]  // within the bound of a factor 8 from the decoder
        let offsets = likelihood.outputOffsets(
            output: output, context: CellContext(), targetMeans: target, evidence: 1e7)
        let reached = shares(likelihood, output, offsets)
        for j in 0..<4 { #expect(abs(reached[j] - target[j]) < 1e-4, "\(spec): gene \(j) \(reached) for \(target)") }
    }

    @Test func aGeneTheLabelsFewCountsMissKeepsTheDecodersShare() throws {
        let (likelihood, output) = try draws("nb")
        let before = shares(likelihood, output, [0, 0, 0, 0])
        // Gene 3 never seen in 20 counts (expected about 2): the prior keeps it near its share;
        // with 20 000 counts and none of gene 3, it is pushed down to the bound (a factor 8).
        let target = [0.45, 0.33, 0.22, 0]
        let few = shares(
            likelihood, output,
            likelihood.outputOffsets(output: output, context: CellContext(), targetMeans: target, evidence: 20))
        let many = shares(
            likelihood, output,
            likelihood.outputOffsets(output: output, context: CellContext(), targetMeans: target, evidence: 20_000))
        #expect(few[3] > 0.7 * before[3], "few counts: \(before[3]) → \(few[3])")
        #expect(many[3] < 0.2 * before[3], "many counts: \(before[3]) → \(many[3])")
    }
}
