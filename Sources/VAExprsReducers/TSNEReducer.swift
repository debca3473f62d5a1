import Foundation
import VAExprsCore

/// `tsne`: Barnes–Hut t-SNE (van der Maaten 2014) with openTSNE's affinities and optimiser
/// and scater's `runTSNE` defaults: the first `pca` = 50 principal components of the input
/// (skipped when it has no more columns than that), perplexity min(50, ⌊n/5⌋) on 3·perplexity
/// exact nearest neighbours, PCA initialisation scaled to standard deviation 10⁻⁴ (plus
/// seeded jitter of 1 % of that), 250 iterations of early exaggeration 12 with learning rate
/// n/12, then 750 iterations (1 000 in all, as Rtsne) with learning rate n, momentum 0.8
/// throughout, θ = 0.5. Barnes–Hut approximates the exact repulsive forces (error controlled
/// by θ; θ = 0 is exact and O(n²)); openTSNE switches to FFT interpolation above 10 000 cells,
/// which we do not implement. Only 2-D embeddings. Metadata: `kl_divergence` (final, with the
/// Barnes–Hut normaliser), `perplexity`, `neighbours`.
/// Spec: `tsne[:perplexity=P][:iterations=1000][:exaggeration_iterations=250]`
/// `[:early_exaggeration=12][:theta=0.5][:learning_rate=auto|X][:initialization=pca|random][:pca=50]`.
package struct TSNEReducer: Reducer {
    package let spec: ComponentSpec
    let perplexity: Double?
    let iterations: Int
    let exaggerationIterations: Int
    let earlyExaggeration: Double
    let theta: Double
    let learningRate: Double?
    let initialization: String
    let principalComponents: Int

    /// The reducer; options are validated here.
    package init(spec: ComponentSpec) throws {
        self.spec = spec
        perplexity = try spec.raw("perplexity", position: nil).map { _ in try spec.double("perplexity", position: nil) }
        iterations = try spec.int("iterations", position: nil, default: 1000)
        exaggerationIterations = try spec.int("exaggeration_iterations", position: nil, default: 250)
        earlyExaggeration = try spec.double("early_exaggeration", position: nil, default: 12)
        theta = try spec.double("theta", position: nil, default: 0.5)
        let rate = spec.string("learning_rate", position: nil, default: "auto")!
        learningRate = rate == "auto" ? nil : try spec.double("learning_rate", position: nil)
        initialization = spec.string("initialization", position: nil, default: "pca")!
        principalComponents = try spec.int("pca", position: nil, default: 50)
        let source = spec.source
        guard (perplexity ?? 1) > 0 else { throw VAExprsError.usage("\(source): tsne perplexity must be > 0") }
        guard iterations >= exaggerationIterations, exaggerationIterations >= 0 else {
            throw VAExprsError.usage(
                """
                \(source): tsne needs 0 ≤ exaggeration_iterations ≤ iterations, got \(exaggerationIterations) and \
                \(iterations)
                """
            )
        }
        guard earlyExaggeration >= 1 else { throw VAExprsError.usage("\(source): tsne early_exaggeration must be ≥ 1") }
        guard (0...1).contains(theta) else {
            throw VAExprsError.usage("\(source): tsne theta must be in 0…1, got \(theta)")
        }
        guard (learningRate ?? 1) > 0 else {
            throw VAExprsError.usage("\(source): tsne learning_rate must be > 0 or auto")
        }
        guard ["pca", "random"].contains(initialization) else {
            throw VAExprsError.usage("\(source): tsne initialization must be pca or random, got '\(initialization)'")
        }
        guard principalComponents >= 0 else {
            throw VAExprsError.usage("\(source): tsne pca must be ≥ 0 (0 = use the input as is)")
        }
    }

    /// scater's default perplexity for n cells.
    package static func defaultPerplexity(cells n: Int) -> Double { Double(min(50, n / 5)) }

    package func reduce(_ data: DoubleMatrix, components: Int, rng: inout SeededGenerator) throws -> Embedding {
        let n = data.rows
        guard components == 2 else {
            throw VAExprsError.usage(
                "\(parameter: "components"): tsne embeds in 2 dimensions only, asked for \(components)")
        }
        guard n >= 4 else { throw VAExprsError.badData("tsne: needs at least 4 cells, got \(n)") }
        let perplexity = self.perplexity ?? max(1, Self.defaultPerplexity(cells: n))
        guard perplexity.isFinite, 3 * perplexity <= Double(n - 1) else {
            throw VAExprsError.usage(
                """
                \(spec.source): tsne perplexity \(perplexity) is too large for \(n) cells (3 × perplexity must be \
                ≤ cells − 1 = \(n - 1); give \(parameter: "reducerOptions") \
                perplexity=\(String(format: "%.4g", (Double(n - 1) / 3 * 100).rounded(.down) / 100)) or less)
                """
            )
        }
        let neighbours = min(n - 1, Int(3 * perplexity))
        let input = try Self.principalComponents(of: data, count: principalComponents, rng: &rng)
        let graph = ExactNeighbours.search(input, k: neighbours)
        let p = PerplexityAffinities.joint(graph, perplexity: perplexity)
        var optimiser = TSNEGradientDescent(p: p, initial: try initialEmbedding(input, rng: &rng), theta: theta)
        let momentum = 0.8
        optimiser.run(
            iterations: exaggerationIterations, exaggeration: earlyExaggeration,
            learningRate: learningRate ?? Double(n) / earlyExaggeration, momentum: momentum)
        optimiser.run(
            iterations: iterations - exaggerationIterations, exaggeration: 1,
            learningRate: learningRate ?? Double(n), momentum: momentum)
        var coordinates = DoubleMatrix(rows: n, columns: 2)
        for i in 0..<n {
            coordinates[i, 0] = optimiser.x[i]
            coordinates[i, 1] = optimiser.y[i]
        }
        return Embedding(
            coordinates: coordinates,
            metadata: [
                "kl_divergence": [optimiser.klDivergence()], "perplexity": [perplexity],
                "neighbours": [Double(neighbours)]
            ],
            axisTitles: ["tSNE1", "tSNE2"])
    }

    /// The first `count` principal components (the input itself when it has no more columns).
    static func principalComponents(of data: DoubleMatrix, count: Int, rng: inout SeededGenerator) throws
        -> DoubleMatrix
    {
        guard count > 0, data.columns > count else { return data }
        let k = min(count, data.rows)
        return try PCAReducer(spec: ComponentSpec(name: "pca")).reduce(data, components: k, rng: &rng).coordinates
    }

    private func initialEmbedding(_ input: DoubleMatrix, rng: inout SeededGenerator) throws -> DoubleMatrix {
        let n = input.rows
        var start = DoubleMatrix(rows: n, columns: 2)
        if initialization == "pca", input.columns >= 2 {
            start = try PCAReducer(spec: ComponentSpec(name: "pca")).reduce(input, components: 2, rng: &rng).coordinates
        } else {
            for i in start.storage.indices { start.storage[i] = rng.nextNormal() }
        }
        let mean = (0..<n).reduce(0.0) { $0 + start[$1, 0] } / Double(n)
        let sd = ((0..<n).reduce(0.0) { $0 + pow(start[$1, 0] - mean, 2) } / Double(n)).squareRoot()
        let scale = sd > 0 ? 1e-4 / sd : 1
        for i in start.storage.indices { start.storage[i] = start.storage[i] * scale + 1e-6 * rng.nextNormal() }
        return start
    }
}
