import Foundation
import VAExprsCore

/// umap-learn's `optimize_layout_euclidean` (serial, as umap-learn runs with a fixed
/// `random_state`): each epoch, every edge due for sampling pulls its two ends together with
/// gradient −2ab·d^(2(b−1)) / (1 + a·d^(2b)), then its head is pushed from
/// `negativeSampleRate` random cells per sample with 2b / ((0.001 + d²)(1 + a·d^(2b))); each
/// coordinate step is clipped to ±4; the learning rate falls linearly from `learningRate` to 0.
/// An edge of weight w is sampled every max(w)/w epochs.
enum UMAPLayout {
    static func optimize(
        _ embedding: inout DoubleMatrix, graph: SparseRows, curve: UMAPCurve, epochs: Int,
        learningRate: Double, negativeSampleRate: Double, rng: inout SeededGenerator
    ) {
        let n = embedding.rows, dim = embedding.columns
        var head: [Int] = [], tail: [Int] = [], weight: [Double] = []
        for i in 0..<n {
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] {
                head.append(i)
                tail.append(Int(graph.columns[e]))
                weight.append(graph.values[e])
            }
        }
        guard let maxWeight = weight.max(), maxWeight > 0 else { return }
        let epochsPerSample = weight.map { maxWeight / $0 }
        let epochsPerNegative = epochsPerSample.map { $0 / negativeSampleRate }
        var nextSample = epochsPerSample
        var nextNegative = epochsPerNegative
        let a = curve.a, b = curve.b
        @inline(__always) func clip(_ v: Double) -> Double { v > 4 ? 4 : (v < -4 ? -4 : v) }
        embedding.storage.withUnsafeMutableBufferPointer { y in
            for epoch in 0..<epochs {
                let alpha = learningRate * (1 - Double(epoch) / Double(epochs))
                let now = Double(epoch)
                for e in 0..<head.count where nextSample[e] <= now {
                    let j = head[e], k = tail[e]
                    let current = y.baseAddress! + j * dim, other = y.baseAddress! + k * dim
                    var d2 = 0.0
                    for c in 0..<dim {
                        let t = current[c] - other[c]
                        d2 += t * t
                    }
                    if d2 > 0 {
                        let coefficient = -2 * a * b * pow(d2, b - 1) / (a * pow(d2, b) + 1)
                        for c in 0..<dim {
                            let g = clip(coefficient * (current[c] - other[c]))
                            current[c] += g * alpha
                            other[c] -= g * alpha
                        }
                    }
                    nextSample[e] += epochsPerSample[e]
                    let negatives = NumberConversions.saturatingInt((now - nextNegative[e]) / epochsPerNegative[e])
                    for _ in 0..<max(negatives, 0) {
                        let k = Int(rng.next() % UInt64(n))
                        if k == j { continue }
                        let other = y.baseAddress! + k * dim
                        var d2 = 0.0
                        for c in 0..<dim {
                            let t = current[c] - other[c]
                            d2 += t * t
                        }
                        guard d2 > 0 else { continue }
                        let coefficient = 2 * b / ((0.001 + d2) * (a * pow(d2, b) + 1))
                        for c in 0..<dim { current[c] += clip(coefficient * (current[c] - other[c])) * alpha }
                    }
                    nextNegative[e] += Double(max(negatives, 0)) * epochsPerNegative[e]
                }
            }
        }
    }
}
