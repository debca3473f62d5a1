import Foundation

/// A sparse matrix in compressed rows.
struct SparseRows {
    let n: Int
    var rowStart: [Int]
    var columns: [Int32]
    var values: [Double]

    /// Builds it from (row, column, value) triplets, summing duplicates.
    init(n: Int, triplets: [(Int32, Int32, Double)]) {
        self.n = n
        let sorted = triplets.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var rowStart = [Int](repeating: 0, count: n + 1)
        var columns: [Int32] = [], values: [Double] = []
        columns.reserveCapacity(sorted.count)
        values.reserveCapacity(sorted.count)
        var previous: (Int32, Int32) = (-1, -1)
        for (i, j, v) in sorted {
            if (i, j) == previous {
                values[values.count - 1] += v
                continue
            }
            previous = (i, j)
            columns.append(j)
            values.append(v)
            rowStart[Int(i) + 1] = columns.count
        }
        for i in 0..<n where rowStart[i + 1] < rowStart[i] { rowStart[i + 1] = rowStart[i] }
        self.rowStart = rowStart
        self.columns = columns
        self.values = values
    }
}

/// t-SNE input affinities as openTSNE's `PerplexityBasedNN` computes them (van der Maaten
/// 2014): on each cell's k = 3·perplexity nearest neighbours, a Gaussian
/// p_j|i ∝ exp(−β_i d_ij²) whose precision β_i is found by bisection so that the entropy of
/// p_·|i equals log(perplexity); then P = (P + Pᵀ) / 2 normalised to sum 1.
enum PerplexityAffinities {
    static func joint(_ graph: NeighbourGraph, perplexity: Double) -> SparseRows {
        let n = graph.n, k = graph.k
        var triplets: [(Int32, Int32, Double)] = []
        triplets.reserveCapacity(2 * n * k)
        for i in 0..<n {
            let row = conditional(
                squaredDistances: (0..<k).map { graph.distances[i * k + $0] * graph.distances[i * k + $0] },
                perplexity: perplexity)
            for s in 0..<k {
                let j = graph.indices[i * k + s]
                let p = row[s] / 2
                triplets.append((Int32(i), j, p))
                triplets.append((j, Int32(i), p))
            }
        }
        var matrix = SparseRows(n: n, triplets: triplets)
        let total = matrix.values.reduce(0, +)
        for p in matrix.values.indices { matrix.values[p] /= total }
        return matrix
    }

    /// p_·|i over one cell's neighbours (squared distances), with the precision found by
    /// bisection so that its entropy is log(perplexity) within 10⁻⁸.
    static func conditional(squaredDistances squared: [Double], perplexity: Double) -> [Double] {
        let target = log(perplexity)
        var row = [Double](repeating: 0, count: squared.count)
        var beta = 1.0, lower = -Double.infinity, upper = Double.infinity
        for _ in 0..<200 {
            var sum = 0.0, weighted = 0.0
            for s in squared.indices {
                row[s] = exp(-squared[s] * beta)
                sum += row[s]
                weighted += squared[s] * row[s]
            }
            sum = max(sum, Double.leastNormalMagnitude)
            let gap = log(sum) + beta * weighted / sum - target
            if abs(gap) < 1e-8 { break }
            if gap > 0 {  // too flat: sharpen
                lower = beta
                beta = upper.isInfinite ? beta * 2 : (beta + upper) / 2
            } else {
                upper = beta
                beta = lower.isInfinite ? beta / 2 : (beta + lower) / 2
            }
        }
        let sum = max(row.reduce(0, +), Double.leastNormalMagnitude)
        return row.map { $0 / sum }
    }
}
