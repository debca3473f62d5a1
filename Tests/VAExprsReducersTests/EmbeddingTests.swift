import Foundation
import Testing
import VAExprsCore

@testable import VAExprsReducers

/// Well-separated Gaussian blobs in 10 dimensions: cell i belongs to blob i % blobs.
func gaussianBlobs(_ n: Int, blobs: Int, seed: UInt64, separation: Double = 8) -> DoubleMatrix {
    var rng = SeededGenerator(seed: seed)
    var x = DoubleMatrix(rows: n, columns: 10)
    for i in 0..<n { for j in 0..<10 { x[i, j] = rng.nextNormal() + (j == i % blobs ? separation : 0) } }
    return x
}

/// Share of each cell's k nearest neighbours in the embedding that are from its own blob.
func neighbourPurity(_ e: DoubleMatrix, blobs: Int, k: Int = 10) -> Double {
    let graph = ExactNeighbours.search(e, k: k)
    var same = 0
    for i in 0..<e.rows { for s in 0..<k where graph.neighbour(i, s).index % blobs == i % blobs { same += 1 } }
    return Double(same) / Double(e.rows * k)
}

@Suite struct NeighbourTests {
    @Test func exactNeighboursMatchASortedScan() {
        var x = gaussianBlobs(300, blobs: 3, seed: 2)
        for j in 0..<10 { x[7, j] = x[3, j] }  // a duplicate: distance 0, tie broken by index
        let graph = ExactNeighbours.search(x, k: 12)
        for i in [0, 3, 7, 150, 299] {
            let reference = (0..<300).filter { $0 != i }.map { j in
                (j, (0..<10).reduce(0.0) { $0 + pow(x[i, $1] - x[j, $1], 2) }.squareRoot())
            }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(12)
            for (s, (j, d)) in reference.enumerated() {
                #expect(graph.neighbour(i, s).index == j, "row \(i) slot \(s)")
                #expect(abs(graph.neighbour(i, s).distance - d) < 1e-9)
            }
        }
        #expect(graph.neighbour(3, 0).index == 7 && graph.neighbour(7, 0).index == 3)
    }

    @Test func nnDescentRecallsTheExactNeighbours() {
        let x = gaussianBlobs(3000, blobs: 6, seed: 4, separation: 3)
        let exact = ExactNeighbours.search(x, k: 14)
        var rng = SeededGenerator(seed: 2)
        let approximate = NNDescent.search(x, k: 14, rng: &rng)
        var found = 0
        for i in 0..<3000 {
            let truth = Set((0..<14).map { exact.neighbour(i, $0).index })
            found += (0..<14).filter { truth.contains(approximate.neighbour(i, $0).index) }.count
            #expect(
                approximate.distances[i * 14..<(i + 1) * 14].elementsEqual(
                    approximate.distances[i * 14..<(i + 1) * 14].sorted()))
        }
        let recall = Double(found) / Double(3000 * 14)
        #expect(recall > 0.97, "recall \(recall)")
        var rng2 = SeededGenerator(seed: 2)
        #expect(NNDescent.search(x, k: 14, rng: &rng2).indices == approximate.indices)  // seeded: repeatable
    }
}

@Suite struct TSNETests {
    @Test func perplexityCalibration() {
        var rng = SeededGenerator(seed: 3)
        let squared = (0..<90).map { _ in pow(rng.nextUniform() * 5, 2) }.sorted()
        for perplexity in [5.0, 30.0] {
            let p = PerplexityAffinities.conditional(squaredDistances: squared, perplexity: perplexity)
            let entropy = -p.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
            #expect(abs(entropy - log(perplexity)) < 1e-6)
            #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        }
    }

    @Test func barnesHutGradientAgreesWithTheExactOne() throws {
        let x = gaussianBlobs(400, blobs: 4, seed: 5)
        let p = PerplexityAffinities.joint(ExactNeighbours.search(x, k: 60), perplexity: 20)
        var rng = SeededGenerator(seed: 1)
        var start = DoubleMatrix(rows: 400, columns: 2)
        for i in start.storage.indices { start.storage[i] = rng.nextNormal() * 3 }
        // The exact gradient, O(n²): α Σ p q (yi − yj) − Σ q² (yi − yj) / Z.
        var dense = [[Double]](repeating: [Double](repeating: 0, count: 400), count: 400)
        for i in 0..<400 { for e in p.rowStart[i]..<p.rowStart[i + 1] { dense[i][Int(p.columns[e])] = p.values[e] } }
        var z = 0.0
        for i in 0..<400 {
            for j in 0..<400 where j != i {
                z += 1 / (1 + pow(start[i, 0] - start[j, 0], 2) + pow(start[i, 1] - start[j, 1], 2))
            }
        }
        var exact = [(Double, Double)](repeating: (0, 0), count: 400)
        for i in 0..<400 {
            for j in 0..<400 where j != i {
                let dx = start[i, 0] - start[j, 0], dy = start[i, 1] - start[j, 1], q = 1 / (1 + dx * dx + dy * dy)
                let coefficient = 12 * dense[i][j] * q - q * q / z
                exact[i].0 += coefficient * dx
                exact[i].1 += coefficient * dy
            }
        }
        let scale = exact.map { max(abs($0.0), abs($0.1)) }.max()!
        for (theta, tolerance) in [(0.0, 1e-12), (0.5, 0.02)] {
            let optimiser = TSNEGradientDescent(p: p, initial: start, theta: theta)
            var gx = [Double](repeating: 0, count: 400), gy = gx
            _ = optimiser.gradient(exaggeration: 12, gradX: &gx, gradY: &gy, evaluateKL: false)
            let worst = (0..<400).map { max(abs(gx[$0] - exact[$0].0), abs(gy[$0] - exact[$0].1)) }.max()!
            #expect(worst / scale < tolerance, "θ = \(theta): worst error \(worst / scale) of the largest component")
        }
    }

    @Test func separatesBlobsAndRepeats() throws {
        let x = gaussianBlobs(240, blobs: 4, seed: 7)
        let reducer = try TSNEReducer(spec: ComponentSpec(name: "tsne", options: ["iterations": "500"]))
        var rng1 = SeededGenerator(seed: 11), rng2 = SeededGenerator(seed: 11)
        let a = try reducer.reduce(x, components: 2, rng: &rng1), b = try reducer.reduce(x, components: 2, rng: &rng2)
        #expect(a.coordinates == b.coordinates)
        #expect(neighbourPurity(a.coordinates, blobs: 4) > 0.99)
        #expect(a.metadata["perplexity"] == [48] && a.metadata["neighbours"] == [144])
        let kl = a.metadata["kl_divergence"]![0]
        #expect(kl > 0 && kl < 2)
    }

    @Test func tooLargeAPerplexityIsAClearError() throws {
        var rng = SeededGenerator(seed: 1)
        do {
            _ = try TSNEReducer(spec: ComponentSpec(name: "tsne", options: ["perplexity": "30"])).reduce(
                gaussianBlobs(60, blobs: 2, seed: 1), components: 2, rng: &rng)
            Issue.record("expected an error")
        } catch let e as VAExprsError {
            #expect(e.code == .usage && e.message.contains("perplexity 30.0 is too large for 60 cells"))
        }
        #expect(throws: VAExprsError.self) {
            try TSNEReducer(spec: ComponentSpec(name: "tsne", options: ["theta": "-1"]))
        }
        #expect(throws: VAExprsError.self) {
            try TSNEReducer(spec: ComponentSpec(name: "tsne")).reduce(
                gaussianBlobs(60, blobs: 2, seed: 1), components: 3, rng: &rng)
        }
    }
}

@Suite struct UMAPTests {
    @Test func curveParametersMatchUmapLearn() {
        // umap-learn's find_ab_params (scipy curve_fit): min_dist 0.1 → (1.577, 0.8951); 0.01 → (1.896, 0.8006).
        let c1 = UMAPCurve(minDist: 0.1, spread: 1), c2 = UMAPCurve(minDist: 0.01, spread: 1)
        #expect(abs(c1.a - 1.577) < 2e-3 && abs(c1.b - 0.8951) < 2e-4)
        #expect(abs(c2.a - 1.896) < 2e-3 && abs(c2.b - 0.8006) < 2e-4)
    }

    @Test func membershipsAreCalibratedAndSymmetric() {
        let x = gaussianBlobs(200, blobs: 2, seed: 3)
        let graph = ExactNeighbours.search(x, k: 14)
        let fuzzy = FuzzySimplicialSet.union(graph)
        var entries: [String: Double] = [:]
        for i in 0..<200 {
            for e in fuzzy.rowStart[i]..<fuzzy.rowStart[i + 1] { entries["\(i),\(fuzzy.columns[e])"] = fuzzy.values[e] }
        }
        for (key, v) in entries {
            let parts = key.split(separator: ",")
            #expect(entries["\(parts[1]),\(parts[0])"] == v)
            #expect(v > 0 && v <= 1)
        }
        // Every cell's nearest distinct neighbour has membership 1 (distance − ρ = 0).
        for i in 0..<200 { #expect(abs(entries["\(i),\(graph.neighbour(i, 0).index)"]! - 1) < 1e-12) }
    }

    @Test func spectralLayoutAgreesWithADenseDecomposition() throws {
        // D^(−½) A D^(−½) + I is positive semi-definite, so its SVD (LAPACK) is its eigen-decomposition.
        let x = gaussianBlobs(150, blobs: 1, seed: 8)
        let graph = FuzzySimplicialSet.union(ExactNeighbours.search(x, k: 14))
        var rng = SeededGenerator(seed: 1)
        let layout = try SpectralLayout.layout(
            graph, components: ConnectedComponents(graph), input: x, dimensions: 2, rng: &rng)
        var degree = [Double](repeating: 0, count: 150)
        for i in 0..<150 { for e in graph.rowStart[i]..<graph.rowStart[i + 1] { degree[i] += graph.values[e] } }
        var dense = DoubleMatrix(rows: 150, columns: 150)
        for i in 0..<150 {
            dense[i, i] = 1
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] {
                let j = Int(graph.columns[e])
                dense[i, j] += graph.values[e] / (degree[i] * degree[j]).squareRoot()
            }
        }
        let u = try DenseLinearAlgebra.thinSVD(dense).u
        for c in 0..<2 {
            var dot = 0.0, norm = 0.0
            for i in 0..<150 {
                dot += layout[i, c] * u[i, c + 1]
                norm += layout[i, c] * layout[i, c]
            }
            #expect(abs(dot) / norm.squareRoot() > 1 - 1e-8, "eigenvector \(c + 2)")
        }
    }

    @Test func disconnectedPiecesAreLaidOutApart() throws {
        // Three far-apart blobs give three graph pieces; each lands around its own centre (each
        // piece spans half the distance to its nearest neighbour piece, as in umap-learn, so
        // the outermost cells of two pieces may touch).
        let x = gaussianBlobs(90, blobs: 3, seed: 2, separation: 60)
        let graph = FuzzySimplicialSet.union(ExactNeighbours.search(x, k: 9))
        let pieces = ConnectedComponents(graph)
        #expect(pieces.count == 3)
        var rng = SeededGenerator(seed: 1)
        let layout = try SpectralLayout.layout(graph, components: pieces, input: x, dimensions: 2, rng: &rng)
        #expect(neighbourPurity(layout, blobs: 3) > 0.95)
    }

    @Test func separatesBlobsAndRepeats() throws {
        let x = gaussianBlobs(300, blobs: 3, seed: 9)
        let reducer = try UMAPReducer(spec: ComponentSpec(name: "umap", options: ["epochs": "200"]))
        var rng1 = SeededGenerator(seed: 4), rng2 = SeededGenerator(seed: 4)
        let a = try reducer.reduce(x, components: 2, rng: &rng1), b = try reducer.reduce(x, components: 2, rng: &rng2)
        #expect(a.coordinates == b.coordinates)
        #expect(neighbourPurity(a.coordinates, blobs: 3) > 0.99)
        #expect(a.metadata["graph_components"] == [3])
        #expect(throws: VAExprsError.self) {
            try UMAPReducer(spec: ComponentSpec(name: "umap", options: ["neighbors": "500"])).reduce(
                x, components: 2, rng: &rng1)
        }
        #expect(throws: VAExprsError.self) {
            try UMAPReducer(spec: ComponentSpec(name: "umap", options: ["min_dist": "2"]))
        }
    }
}
