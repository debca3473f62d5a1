import Foundation
import VAExprsCore

extension CountLikelihood: OutputOffsetEstimating {
    /// Most fixed-point rounds of the count offsets.
    static let offsetRounds = 10
    /// Largest offset on a logit: a label's expected count of a gene moves by at most a factor 8.
    static let largestOffset = log(8.0)

    /// Per-gene offsets on the logits such that each gene's share of the draws' average
    /// expected proportions (softmax × (1 − π) for ZINB; `context` holds no library sizes) is
    /// its share of `targetMeans` (the label's training cells' mean proportions): fixed-point
    /// rounds o ← o + log(target share / average share), as the softmax couples the genes; the
    /// offsets centred on their target-weighted mean (the softmax ignores a common shift) and
    /// held within ± log 8 (a gene the label's training cells never show cannot take −∞).
    /// ZINB's dropout is left as it is.
    package func outputOffsets(output: Matrix, context: CellContext, targetMeans: [Double]) -> [Float] {
        let g = targetMeans.count, n = output.rows
        guard n > 0, output.columns >= g else { return [Float](repeating: 0, count: g) }
        let targetTotal = targetMeans.reduce(0, +)
        guard targetTotal > 0 else { return [Float](repeating: 0, count: g) }
        let shares = targetMeans.map { max($0 / targetTotal, 1e-12) }
        // softmax(logits + o) = e ⊙ w / (e · w) with e = softmax(logits), w = exp(o): the
        // exponentials once, each round two passes of products.
        let (proportions, dropout) = parameters(output: output, context: CellContext(group: context.group))
        var kept = proportions  // e ⊙ (1 − π)
        if let dropout { for i in kept.storage.indices { kept.storage[i] *= 1 - dropout.storage[i] } }
        var offsets = [Double](repeating: 0, count: g)
        for _ in 0..<Self.offsetRounds {
            let w = offsets.map { exp($0) }
            var averages = [Double](repeating: 0, count: g)
            for i in 0..<n {
                var partition = 0.0
                for j in 0..<g { partition += Double(proportions[i, j]) * w[j] }
                let scale = 1 / max(partition, 1e-300)
                for j in 0..<g { averages[j] += Double(kept[i, j]) * w[j] * scale }
            }
            let averageTotal = averages.reduce(0, +)
            guard averageTotal > 0 else { break }
            var next = (0..<g).map { j in offsets[j] + log(shares[j] / max(averages[j] / averageTotal, 1e-300)) }
            // The softmax ignores a common shift: chosen so that the offsets' mean weighted by the
            // target shares is 0 (expressed genes keep small offsets), then held within ± log 8.
            let centre = zip(next, shares).reduce(0) { $0 + $1.0 * $1.1 } / shares.reduce(0, +)
            next = next.map { min(max($0 - centre, -Self.largestOffset), Self.largestOffset) }
            let largestStep = zip(next, offsets).map { abs($0 - $1) }.max() ?? 0
            offsets = next
            if largestStep < 1e-4 { break }
        }
        return offsets.map { Float($0) }
    }
}
