import Foundation

/// UMAP's fuzzy topological representation of the data (McInnes, Healy & Melville 2018), as
/// umap-learn's `fuzzy_simplicial_set` builds it with local connectivity 1: each cell's
/// neighbours (the cell itself counted among its `n_neighbors`, as umap-learn does) get
/// memberships exp(−(d − ρ_i)/σ_i), where ρ_i is the distance to the nearest distinct
/// neighbour and σ_i is found by bisection so the memberships sum to log₂(n_neighbors);
/// then the fuzzy union A + Aᵀ − A∘Aᵀ.
enum FuzzySimplicialSet {
    static let tolerance = 1e-5
    static let minScale = 1e-3

    /// The symmetric membership graph from a neighbour graph of `n_neighbors − 1` other cells.
    static func union(_ graph: NeighbourGraph) -> SparseRows {
        let n = graph.n, others = graph.k
        let target = log2(Double(others + 1))
        let meanDistance = graph.distances.reduce(0, +) / Double(n * (others + 1))
        var directed: [(Int32, Int32, Double)] = []
        directed.reserveCapacity(n * others)
        for i in 0..<n {
            let distances = (0..<others).map { graph.distances[i * others + $0] }
            let rho = distances.first { $0 > 0 } ?? 0
            var lo = 0.0, hi = Double.infinity, sigma = 1.0
            for _ in 0..<64 {
                var sum = 0.0
                for d in distances { sum += d - rho > 0 ? exp(-(d - rho) / sigma) : 1 }
                if abs(sum - target) < tolerance { break }
                if sum > target {
                    hi = sigma
                    sigma = (lo + hi) / 2
                } else {
                    lo = sigma
                    sigma = hi.isInfinite ? sigma * 2 : (lo + hi) / 2
                }
            }
            let meanHere = distances.reduce(0, +) / Double(others + 1)  // the self-distance 0 counts
            sigma = max(sigma, minScale * (rho > 0 ? meanHere : meanDistance))
            for (slot, d) in distances.enumerated() {
                let membership = d - rho <= 0 ? 1 : exp(-(d - rho) / sigma)
                directed.append((Int32(i), graph.indices[i * others + slot], membership))
            }
        }
        // A + Aᵀ − A∘Aᵀ: gather both directions of every pair, then combine per pair.
        var both: [(Int32, Int32, Double)] = []
        both.reserveCapacity(2 * directed.count)
        for (i, j, v) in directed {
            both.append((i, j, v))
            both.append((j, i, -v))
        }  // sign marks the transposed entry
        both.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var combined: [(Int32, Int32, Double)] = []
        combined.reserveCapacity(both.count)
        var index = 0
        while index < both.count {
            let (i, j, _) = both[index]
            var forward = 0.0, backward = 0.0
            while index < both.count, both[index].0 == i, both[index].1 == j {
                if both[index].2 >= 0 {
                    forward = max(forward, both[index].2)
                } else {
                    backward = max(backward, -both[index].2)
                }
                index += 1
            }
            let value = forward + backward - forward * backward
            if value > 0 { combined.append((i, j, value)) }
        }
        return SparseRows(n: n, triplets: combined)
    }
}
