import Foundation
import VAExprsCore

/// `umap`: UMAP (McInnes, Healy & Melville 2018) as umap-learn computes it, with scater's
/// `runUMAP` defaults: the first `pca` = 50 principal components of the input (skipped when it
/// has no more columns), 15 neighbours (the cell itself included, as umap-learn counts them),
/// min_dist 0.01, spread 1, the fuzzy union graph with edges below max/epochs dropped,
/// spectral initialisation (eigenvectors of the normalised graph Laplacian by ARPACK) scaled
/// to ±10 with seeded noise, 500 epochs for n ≤ 10 000 else 200, learning rate 1 and 5
/// negative samples per positive one, run serially so a seed gives one answer.
/// Neighbours are exact (brute force with BLAS) up to 4 096 cells and found by NN-descent
/// above, as umap-learn does (`neighbors_method=exact|nndescent` forces one). A graph in several pieces is laid out
/// piece by
/// piece (spectral when a piece has more than 2·dim + 1 cells, else random), the pieces
/// placed by classical MDS of their centroids — umap-learn places them by a spectral
/// embedding of centroid affinities instead. Metadata: `a`, `b`, `epochs`, `graph_components`.
/// Spec: `umap[:neighbors=15][:min_dist=0.01][:spread=1][:epochs=N][:learning_rate=1]`
/// `[:negative_sample_rate=5][:initialization=spectral|random][:pca=50][:neighbors_method=auto|exact|nndescent]`.
package struct UMAPReducer: Reducer {
    package let spec: ComponentSpec
    let neighbours: Int
    let minDist: Double
    let spread: Double
    let epochs: Int?
    let learningRate: Double
    let negativeSampleRate: Double
    let initialization: String
    let principalComponents: Int
    let neighbourMethod: String

    /// Above this many cells `neighbors_method=auto` uses NN-descent (umap-learn's threshold).
    package static let exactNeighbourLimit = 4096

    /// The reducer; options are validated here.
    package init(spec: ComponentSpec) throws {
        self.spec = spec
        neighbours = try spec.int("neighbors", position: nil, default: 15)
        minDist = try spec.double("min_dist", position: nil, default: 0.01)
        spread = try spec.double("spread", position: nil, default: 1)
        epochs = try spec.raw("epochs", position: nil).map { _ in try spec.int("epochs", position: nil) }
        learningRate = try spec.double("learning_rate", position: nil, default: 1)
        negativeSampleRate = try spec.double("negative_sample_rate", position: nil, default: 5)
        initialization = spec.string("initialization", position: nil, default: "spectral")!
        principalComponents = try spec.int("pca", position: nil, default: 50)
        neighbourMethod = spec.string("neighbors_method", position: nil, default: "auto")!
        let source = spec.source
        guard ["auto", "exact", "nndescent"].contains(neighbourMethod) else {
            throw VAExprsError.usage(
                "\(source): umap neighbors_method must be auto, exact or nndescent, got '\(neighbourMethod)'")
        }
        guard neighbours >= 2 else {
            throw VAExprsError.usage("\(source): umap neighbors must be ≥ 2, got \(neighbours)")
        }
        guard spread > 0, minDist >= 0, minDist <= spread else {
            throw VAExprsError.usage(
                "\(source): umap needs spread > 0 and 0 ≤ min_dist ≤ spread, got min_dist \(minDist), spread \(spread)")
        }
        guard (epochs ?? 1) >= 1, learningRate > 0, negativeSampleRate >= 0 else {
            throw VAExprsError.usage(
                "\(source): umap epochs and learning_rate must be > 0 and negative_sample_rate ≥ 0")
        }
        guard ["spectral", "random"].contains(initialization) else {
            throw VAExprsError.usage(
                "\(source): umap initialization must be spectral or random, got '\(initialization)'")
        }
        guard principalComponents >= 0 else {
            throw VAExprsError.usage("\(source): umap pca must be ≥ 0 (0 = use the input as is)")
        }
    }

    package func reduce(_ data: DoubleMatrix, components dim: Int, rng: inout SeededGenerator) throws -> Embedding {
        let n = data.rows
        guard neighbours <= n else {
            throw VAExprsError.usage(
                """
                \(spec.source): umap neighbors \(neighbours) is more than the \(n) cells (the cell itself counts \
                as one)
                """
            )
        }
        guard dim >= 1, dim < n - 1 else {
            throw VAExprsError.usage(
                "\(parameter: "components"): umap needs 1 ≤ components < cells − 1, asked for \(dim)")
        }
        let input = try TSNEReducer.principalComponents(of: data, count: principalComponents, rng: &rng)
        let approximate = neighbourMethod == "nndescent" || (neighbourMethod == "auto" && n > Self.exactNeighbourLimit)
        let neighbourGraph =
            approximate
            ? NNDescent.search(input, k: neighbours - 1, rng: &rng) : ExactNeighbours.search(input, k: neighbours - 1)
        var graph = FuzzySimplicialSet.union(neighbourGraph)
        let epochs = self.epochs ?? (n <= 10_000 ? 500 : 200)
        let cutoff = (graph.values.max() ?? 0) / Double(epochs)
        graph = SparseRows(
            n: n,
            triplets: (0..<n).flatMap { i in
                (graph.rowStart[i]..<graph.rowStart[i + 1]).compactMap { e in
                    graph.values[e] >= cutoff ? (Int32(i), graph.columns[e], graph.values[e]) : nil
                }
            })
        let pieces = ConnectedComponents(graph)
        var embedding =
            initialization == "spectral"
            ? try SpectralLayout.layout(graph, components: pieces, input: input, dimensions: dim, rng: &rng)
            : DoubleMatrix(rows: n, columns: dim, storage: (0..<n * dim).map { _ in rng.nextUniform() * 20 - 10 })
        if initialization == "spectral" {
            let largest = embedding.storage.map(abs).max() ?? 1
            for i in embedding.storage.indices {
                embedding.storage[i] = embedding.storage[i] * 10 / max(largest, 1e-300) + 1e-4 * rng.nextNormal()
            }
        }
        // umap-learn rescales every axis to [0, 10] before optimising.
        for c in 0..<dim {
            let column = (0..<n).map { embedding[$0, c] }
            let low = column.min()!, range = max(column.max()! - low, 1e-300)
            for i in 0..<n { embedding[i, c] = 10 * (embedding[i, c] - low) / range }
        }
        let curve = UMAPCurve(minDist: minDist, spread: spread)
        UMAPLayout.optimize(
            &embedding, graph: graph, curve: curve, epochs: epochs, learningRate: learningRate,
            negativeSampleRate: negativeSampleRate, rng: &rng)
        return Embedding(
            coordinates: embedding,
            metadata: [
                "a": [curve.a], "b": [curve.b], "epochs": [Double(epochs)], "graph_components": [Double(pieces.count)],
                "approximate_neighbours": [approximate ? 1 : 0]
            ],
            axisTitles: (1...dim).map { "UMAP\($0)" })
    }
}

/// Connected pieces of a sparse graph.
struct ConnectedComponents {
    /// Piece index of every vertex, pieces numbered by their smallest vertex.
    let label: [Int]
    /// Number of pieces.
    let count: Int

    init(_ graph: SparseRows) {
        var label = [Int](repeating: -1, count: graph.n)
        var count = 0
        for start in 0..<graph.n where label[start] < 0 {
            var stack = [start]
            label[start] = count
            while let v = stack.popLast() {
                for e in graph.rowStart[v]..<graph.rowStart[v + 1] {
                    let w = Int(graph.columns[e])
                    if label[w] < 0 {
                        label[w] = count
                        stack.append(w)
                    }
                }
            }
            count += 1
        }
        self.label = label
        self.count = count
    }
}
