import Foundation
import VAExprsCore

/// UMAP's spectral initialisation: the eigenvectors after the first of the normalised graph
/// Laplacian I − D^(−½) A D^(−½), i.e. the leading ones of D^(−½) A D^(−½) (found by ARPACK
/// on that matrix plus I, so all eigenvalues are ≥ 0). Pieces of a disconnected graph are
/// laid out separately and placed around the origin (see `UMAPReducer`).
enum SpectralLayout {
    static func layout(
        _ graph: SparseRows, components pieces: ConnectedComponents, input: DoubleMatrix,
        dimensions dim: Int, rng: inout SeededGenerator
    ) throws -> DoubleMatrix {
        let n = graph.n
        if pieces.count == 1 { return try spectral(graph, vertices: Array(0..<n), dimensions: dim, rng: &rng) }
        var groups = [[Int]](repeating: [], count: pieces.count)
        for v in 0..<n { groups[pieces.label[v]].append(v) }
        let centres = try pieceCentres(groups, input: input, dimensions: dim, rng: &rng)
        var result = DoubleMatrix(rows: n, columns: dim)
        for (p, vertices) in groups.enumerated() {
            var nearest = Double.infinity
            for q in 0..<groups.count where q != p {
                var d2 = 0.0
                for c in 0..<dim { d2 += pow(centres[p, c] - centres[q, c], 2) }
                nearest = min(nearest, d2.squareRoot())
            }
            let range = nearest.isFinite ? nearest / 2 : 1
            var local: DoubleMatrix
            if vertices.count > 2 * dim + 1 {
                local = try spectral(graph, vertices: vertices, dimensions: dim, rng: &rng)
            } else {
                local = DoubleMatrix(
                    rows: vertices.count, columns: dim,
                    storage: (0..<vertices.count * dim).map { _ in rng.nextUniform() * 2 - 1 })
            }
            let largest = max(local.storage.map(abs).max() ?? 1, 1e-300)
            for (r, v) in vertices.enumerated() {
                for c in 0..<dim { result[v, c] = local[r, c] * range / largest + centres[p, c] }
            }
        }
        return result
    }

    /// Where each piece goes: ±unit axes when there are few pieces (umap-learn's rule), else
    /// classical MDS of the pieces' centroids in the input space, scaled to at most 1.
    private static func pieceCentres(
        _ groups: [[Int]], input: DoubleMatrix, dimensions dim: Int, rng: inout SeededGenerator
    ) throws -> DoubleMatrix {
        let count = groups.count
        var centres = DoubleMatrix(rows: count, columns: dim)
        if count <= 2 * dim {
            let axes = (count + 1) / 2
            for p in 0..<count { centres[p, p % axes] = p < axes ? 1 : -1 }
            return centres
        }
        var centroids = DoubleMatrix(rows: count, columns: input.columns)
        for (p, vertices) in groups.enumerated() {
            for v in vertices { for c in 0..<input.columns { centroids[p, c] += input[v, c] / Double(vertices.count) } }
        }
        let k = min(dim, count - 1, input.columns)
        let mds = try MDSReducer(spec: ComponentSpec(name: "mds")).reduce(centroids, components: k, rng: &rng)
            .coordinates
        let largest = max(mds.storage.map(abs).max() ?? 1, 1e-300)
        for p in 0..<count { for c in 0..<k { centres[p, c] = mds[p, c] / largest } }
        return centres
    }

    /// Spectral coordinates of the subgraph on `vertices` (which must be one connected piece).
    private static func spectral(_ graph: SparseRows, vertices: [Int], dimensions dim: Int, rng: inout SeededGenerator)
        throws -> DoubleMatrix
    {
        var local = [Int](repeating: -1, count: graph.n)
        for (r, v) in vertices.enumerated() { local[v] = r }
        let m = vertices.count
        var degree = [Double](repeating: 0, count: m)
        for (r, v) in vertices.enumerated() {
            for e in graph.rowStart[v]..<graph.rowStart[v + 1] { degree[r] += graph.values[e] }
        }
        var rowStart = [0], columns: [Int] = [], values: [Double] = []
        for (r, v) in vertices.enumerated() {
            var diagonalDone = false
            for e in graph.rowStart[v]..<graph.rowStart[v + 1] {
                let c = local[Int(graph.columns[e])]
                if !diagonalDone && c > r {
                    columns.append(r)
                    values.append(1)
                    diagonalDone = true
                }
                let value = graph.values[e] / (degree[r] * degree[c]).squareRoot()
                if c == r {
                    values.append(value + 1)
                    columns.append(r)
                    diagonalDone = true
                } else {
                    columns.append(c)
                    values.append(value)
                }
            }
            if !diagonalDone {
                columns.append(r)
                values.append(1)
            }
            rowStart.append(columns.count)
        }
        let shifted = SparseSymmetric(n: m, rowStart: rowStart, columns: columns, values: values)
        let (_, vectors) = try SparseSymmetricEigen.largest(shifted, count: dim + 1, tolerance: 1e-8, rng: &rng)
        var result = DoubleMatrix(rows: m, columns: dim)
        for r in 0..<m { for c in 0..<dim { result[r, c] = vectors[r, c + 1] } }
        return result
    }
}
