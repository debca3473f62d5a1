import Foundation
import VAExprsCore

/// `diffmap`: diffusion maps as destiny's `DiffusionMap` computes them (Haghverdi et al.
/// 2015/2016; destiny ≥ 3 defaults): exact k nearest neighbours (k = destiny's `find_dm_k`:
/// all other cells up to 1 000, easing to 100 at 10 000) made symmetric; local widths
/// σ_i = mean distance to the 5th–7th neighbours / 2; kernel
/// K_ij = √(2σ_iσ_j/(σ_i²+σ_j²))·exp(−d_ij²/(σ_i²+σ_j²)) on the graph, zero diagonal;
/// density normalisation K_ij/(d_i d_j) with d = row sums + 1; the symmetric transition matrix
/// D^(−½) K D^(−½); its eigenpairs of largest magnitude by ARPACK. The first (trivial)
/// eigenvector is dropped; coordinates are the next eigenvectors (destiny's DC1, DC2, …;
/// signs fixed so each vector's largest entry is positive). Metadata: `eigenvalues` (of the
/// returned components), `k`. Spec: `diffmap[:k=N]`.
package struct DiffusionMapReducer: Reducer {
    package let spec: ComponentSpec
    let requestedK: Int?

    /// The reducer; options are validated here.
    package init(spec: ComponentSpec) throws {
        self.spec = spec
        requestedK = try spec.raw("k", position: nil).map { _ in try spec.int("k", position: nil) }
    }

    /// destiny's `find_dm_k(n)` (n = cells − 1): n up to 1 000, 100 from 10 000, a cosine ease between.
    static func defaultK(_ n: Int) -> Int {
        if n <= 1000 { return n }
        if n >= 10_000 { return 100 }
        let shifted = Double(n - 1000) / 9000
        let ease = (cos(shifted * Double.pi) + 1) / 2
        return Int((100 + ease * Double(n - 100)).rounded(.toNearestOrAwayFromZero))
    }

    package func reduce(_ x: DoubleMatrix, components: Int, rng: inout SeededGenerator) throws -> Embedding {
        let n = x.rows
        let k = requestedK ?? Self.defaultK(n - 1)
        guard n >= 9 else {
            throw VAExprsError.badData(
                "diffmap: needs at least 9 cells (local widths use the 5th–7th neighbours), got \(n)")
        }
        guard k >= 7, k < n else {
            throw VAExprsError.usage("\(spec.source): diffmap k must be in 7…\(n - 1) (cells − 1), got \(k)")
        }
        guard components >= 1, components + 1 < n else {
            throw VAExprsError.usage(
                """
                \(parameter: "components"): diffmap gives at most \(n - 2) components for \(n) cells, asked for \
                \(components)
                """
            )
        }
        let transitions = try Self.transitionMatrix(x, k: k)
        let (eigenvalues, vectors) = try SparseSymmetricEigen.largest(
            transitions, count: components + 1, tolerance: 1e-10, rng: &rng)
        var coordinates = DoubleMatrix(rows: n, columns: components)
        for c in 0..<components {
            var top = 0.0
            for i in 0..<n where abs(vectors[i, c + 1]) > abs(top) { top = vectors[i, c + 1] }
            let sign = top < 0 ? -1.0 : 1.0
            for i in 0..<n { coordinates[i, c] = sign * vectors[i, c + 1] }
        }
        return Embedding(
            coordinates: coordinates,
            metadata: [
                "eigenvalues": Array(eigenvalues.dropFirst()), "k": [Double(k)], "trivial_eigenvalue": [eigenvalues[0]]
            ],
            axisTitles: (1...components).map { "DC\($0)" })
    }

    /// destiny's symmetric transition matrix D^(−½) K D^(−½) for the rows of `x`.
    static func transitionMatrix(_ x: DoubleMatrix, k: Int) throws -> SparseSymmetric {
        let n = x.rows
        let graph = ExactNeighbours.search(x, k: k)
        let sigma = (0..<n).map { i in
            (graph.neighbour(i, 4).distance + graph.neighbour(i, 5).distance + graph.neighbour(i, 6).distance) / 3 / 2
        }
        // Symmetric k-NN graph (an edge when either cell is among the other's neighbours): both
        // directions of every neighbour pair, sorted by (row, column) and de-duplicated.
        var pairs: [(Int32, Int32, Double)] = []
        pairs.reserveCapacity(2 * n * k)
        for i in 0..<n {
            for slot in 0..<k {
                let (j, distance) = graph.neighbour(i, slot)
                pairs.append((Int32(i), Int32(j), distance))
                pairs.append((Int32(j), Int32(i), distance))
            }
        }
        pairs.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var kernel = [[(Int, Double)]](repeating: [], count: n)
        var degree = [Double](repeating: 1, count: n)  // destiny sets the diagonal of d to 1
        var previous: (Int32, Int32) = (-1, -1)
        for (a, b, dist) in pairs where (a, b) != previous {
            previous = (a, b)
            let i = Int(a), j = Int(b)
            let s2 = sigma[i] * sigma[i] + sigma[j] * sigma[j]
            let value = s2 > 0 ? (2 * sigma[i] * sigma[j] / s2).squareRoot() * exp(-dist * dist / s2) : 0
            kernel[i].append((j, value))
            degree[i] += value
        }
        var normalized = kernel.enumerated().map { i, row in row.map { ($0.0, $0.1 / (degree[i] * degree[$0.0])) } }
        let dNorm = normalized.map { $0.reduce(0) { $0 + $1.1 } }
        guard dNorm.allSatisfy({ $0 > 0 }) else {
            throw VAExprsError.badData(
                "diffmap: a cell has no neighbour with a non-zero kernel value (many duplicate cells?)")
        }
        for i in 0..<n { normalized[i] = normalized[i].map { ($0.0, $0.1 / (dNorm[i] * dNorm[$0.0]).squareRoot()) } }
        var rowStart = [0], columns: [Int] = [], values: [Double] = []
        for row in normalized {
            for (j, v) in row {
                columns.append(j)
                values.append(v)
            }
            rowStart.append(columns.count)
        }
        return SparseSymmetric(n: n, rowStart: rowStart, columns: columns, values: values)
    }
}
