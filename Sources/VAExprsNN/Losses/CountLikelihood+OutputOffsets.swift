import Foundation
import VAExprsCore

extension CountLikelihood: OutputOffsetEstimating {
    /// Most fixed-point rounds of the count offsets.
    static let offsetRounds = 25
    /// Largest offset on a logit: a label's expected count of a gene moves by at most a factor 8.
    static let largestOffset = log(8.0)
    /// Pseudo-counts of the Gamma prior (mean 1) on each gene's observed / expected ratio.
    static let priorCounts = 10.0

    /// Per-gene offsets on the logits such that each gene's share of the draws' average
    /// expected proportions (softmax × (1 − π) for ZINB; `context` holds no library sizes)
    /// follows its share of `targetMeans` (the label's training cells' mean proportions) as far
    /// as the label's `evidence` (its total count) supports it. The target share is the
    /// decoder's times the posterior mean of the gene's observed / expected counts under a Gamma
    /// prior of κ = `priorCounts` pseudo-counts, (observed + κ) / (expected + κ), so that fold
    /// changes of rare genes are shrunk; fixed-point rounds o ← o + log(target / average) reach
    /// it through the softmax, which couples the genes. The offsets are centred on their
    /// target-weighted mean (the softmax ignores a common shift) and held within ± log 8.
    /// ZINB's dropout is left as it is.
    package func outputOffsets(output: Matrix, context: CellContext, targetMeans: [Double], evidence: Double) -> [Float]
    {
        let g = targetMeans.count, n = output.rows
        guard n > 0, output.columns >= g else { return [Float](repeating: 0, count: g) }
        let targetTotal = targetMeans.reduce(0, +)
        guard targetTotal > 0 else { return [Float](repeating: 0, count: g) }
        // softmax(logits + o) = e ⊙ w / (e · w) with e = softmax(logits), w = exp(o): the
        // exponentials once, each round two passes of products.
        let (proportions, dropout) = parameters(output: output, context: CellContext(group: context.group))
        var kept = proportions  // e ⊙ (1 − π)
        if let dropout { for i in kept.storage.indices { kept.storage[i] *= 1 - dropout.storage[i] } }
        func averageShares(_ offsets: [Double]) -> [Double]? {
            let w = offsets.map { exp($0) }
            var averages = [Double](repeating: 0, count: g)
            for i in 0..<n {
                var partition = 0.0
                for j in 0..<g { partition += Double(proportions[i, j]) * w[j] }
                let scale = 1 / max(partition, 1e-300)
                for j in 0..<g { averages[j] += Double(kept[i, j]) * w[j] * scale }
            }
            let total = averages.reduce(0, +)
            return total > 0 ? averages.map { $0 / total } : nil
        }
        var offsets = [Double](repeating: 0, count: g)
        guard let start = averageShares(offsets) else { return [Float](repeating: 0, count: g) }
        // The target: each gene's share in the label's counts, shrunk towards the decoder's by a
        // Gamma prior of `priorCounts` pseudo-counts on their ratio (the posterior mean of
        // observed / expected), so that a gene the label's few cells show rarely keeps the
        // decoder's share, which the other labels' cells inform.
        var targets = (0..<g).map { j in
            let observed = targetMeans[j] / targetTotal * evidence, expected = start[j] * evidence
            return start[j] * (observed + Self.priorCounts) / (expected + Self.priorCounts)
        }
        let targetSum = targets.reduce(0, +)
        targets = targets.map { $0 / targetSum }
        var averages = start
        for _ in 0..<Self.offsetRounds {
            var next = (0..<g).map { j in offsets[j] + log(max(targets[j], 1e-300) / max(averages[j], 1e-300)) }
            // The softmax ignores a common shift: chosen so that the offsets' mean weighted by the
            // targets is 0 (expressed genes keep small offsets), then held within ± log 8.
            let centre = zip(next, targets).reduce(0) { $0 + $1.0 * $1.1 }
            next = next.map { min(max($0 - centre, -Self.largestOffset), Self.largestOffset) }
            let largestStep = zip(next, offsets).map { abs($0 - $1) }.max() ?? 0
            offsets = next
            if largestStep < 1e-4 { break }
            guard let updated = averageShares(offsets) else { break }
            averages = updated
        }
        return offsets.map { Float($0) }
    }
}
