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
    /// offsets centred (the softmax ignores a common shift) and held within ± log 8 (a gene the
    /// label's training cells never show cannot take −∞). ZINB's dropout is left as it is.
    package func outputOffsets(output: Matrix, context: CellContext, targetMeans: [Double]) -> [Float] {
        let g = targetMeans.count, n = output.rows
        var offsets = [Float](repeating: 0, count: g)
        guard n > 0, output.columns >= g else { return offsets }
        let proportions = CellContext(group: context.group)
        let targetTotal = targetMeans.reduce(0, +)
        guard targetTotal > 0 else { return offsets }
        for _ in 0..<Self.offsetRounds {
            var shifted = output
            for i in 0..<n { for j in 0..<g { shifted[i, j] += offsets[j] } }
            let expected = mean(output: shifted, context: proportions)
            var averages = [Double](repeating: 0, count: g)
            for i in 0..<n { for j in 0..<g { averages[j] += Double(expected[i, j]) } }
            let averageTotal = averages.reduce(0, +)
            guard averageTotal > 0 else { break }
            var next = (0..<g).map { j in
                Double(offsets[j])
                    + log(max(targetMeans[j] / targetTotal, 1e-12) / max(averages[j] / averageTotal, 1e-300))
            }
            // The softmax ignores a common shift: centred, then held within ± log 8.
            let centre = next.reduce(0, +) / Double(g)
            next = next.map { min(max($0 - centre, -Self.largestOffset), Self.largestOffset) }
            let largestStep = zip(next, offsets).map { abs($0 - Double($1)) }.max() ?? 0
            offsets = next.map { Float($0) }
            if largestStep < 1e-4 { break }
        }
        return offsets
    }
}
