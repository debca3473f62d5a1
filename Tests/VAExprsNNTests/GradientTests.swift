import Foundation
import Testing
import VAExprsConformance
import VAExprsCore

@testable import VAExprsNN

/// Finite-difference checks of every built-in layer, activation, likelihood and the KL.
@Suite struct GradientTests {
    let registry: Registry = {
        let r = Registry()
        try! NeuralBuiltins.register(into: r)
        return r
    }()

    func built(_ spec: String, width: Int) throws -> any Layer {
        let layer = try registry.makeLayer(try ComponentSpec.parseItem(spec, source: "test"))
        var rng = SeededGenerator(seed: 3)
        _ = try layer.build(inputWidth: width, path: "test", rng: &rng)
        return layer
    }

    @Test(arguments: [
        "dense:5", "dense:5:relu", "dense:5:sigmoid", "dense:5:tanh", "dense:5:softplus",
        "dense:5:elu", "dense:5:selu", "dense:5:leaky_relu", "dense:5:gelu",
        "dropout:0.3", "batchnorm", "relu", "gelu"
    ])
    func layerGradients(spec: String) throws {
        let layer = try built(spec, width: 4)
        var rng = SeededGenerator(seed: 11)
        let x = GradientCheck.randomMatrix(rows: 6, columns: 4, rng: &rng)
        let results = GradientCheck.check(layer: layer, input: x)
        #expect(results.count == 1 + layer.parameters.count)
        for r in results { #expect(r.relativeError < 2e-3, "\(spec) \(r)") }
    }

    /// A sparse batch: about 15 % of 6 × 40 entries stored, values away from zero.
    func sparseBatch() -> SparseMatrix {
        var rng = SeededGenerator(seed: 21)
        var dense = Matrix(rows: 6, columns: 40)
        for i in dense.storage.indices where rng.nextUniform() < 0.15 {
            dense.storage[i] = Float(0.2 + rng.nextUniform() * 2)
        }
        dense[5, 39] = 1.5  // the last column is reached
        return SparseMatrix(dense)
    }

    // smooth: no kinks for the differences to cross
    @Test(arguments: ["dense:5", "dense:5:sigmoid", "dense:5:tanh", "dense:40:softplus"])
    func sparseFirstLayerGradients(spec: String) throws {
        let layer = try #require(try built(spec, width: 40) as? any SparseInputLayer)
        layer.computesInputGradient = false
        for r in GradientCheck.check(sparseInputLayer: layer, input: sparseBatch()) {
            #expect(r.relativeError < 2e-3, "\(spec) \(r)")
        }
    }

    @Test func sparseFirstLayerMatchesTheDenseProduct() throws {
        let x = sparseBatch()
        var rng = SeededGenerator(seed: 2)
        let upstream = GradientCheck.randomMatrix(rows: 6, columns: 64, rng: &rng)
        var results: [(Matrix, [Float], [Float])] = []
        for sparse in [false, true] {
            let layer = try #require(try built("dense:64:relu", width: 40) as? any SparseInputLayer)
            layer.computesInputGradient = false
            let y =
                sparse
                ? layer.forward(sparse: x, phase: .training, rng: &rng)
                : layer.forward(x.dense(), phase: .training, rng: &rng)
            _ = layer.backward(upstream)
            results.append((y, layer.parameters[0].gradient, layer.parameters[1].gradient))
        }
        for (a, b) in zip(
            results[0].0.storage + results[0].1 + results[0].2, results[1].0.storage + results[1].1 + results[1].2)
        {
            #expect(abs(a - b) <= 1e-5 * max(1, abs(a)), "\(a) vs \(b)")
        }
    }

    @Test func firstLayerSkipsInputGradient() throws {
        let layer = try built("dense:3:relu", width: 4)
        layer.computesInputGradient = false
        var rng = SeededGenerator(seed: 1)
        let x = GradientCheck.randomMatrix(rows: 2, columns: 4, rng: &rng)
        _ = layer.forward(x, phase: .training, rng: &rng)
        #expect(layer.backward(Matrix(rows: 2, columns: 3, repeating: 1)).storage.isEmpty)
    }

    @Test(arguments: ["linear", "relu", "sigmoid", "tanh", "softplus", "elu", "selu", "leaky_relu", "gelu"])
    func activationDerivatives(name: String) throws {
        let activation = try registry.makeActivation(ComponentSpec(name: name))
        var rng = SeededGenerator(seed: 5)
        let x = GradientCheck.randomMatrix(rows: 1, columns: 50, scale: 4, margin: 0.05, rng: &rng).storage
        let r = GradientCheck.check(activation: activation, input: x)
        #expect(r.relativeError < 1e-3, "\(r)")
    }

    @Test(arguments: ["bernoulli", "gaussian", "censored_gaussian"])
    func likelihoodGradients(name: String) throws {
        let likelihood = try registry.makeLikelihood(ComponentSpec(name: name))
        var rng = SeededGenerator(seed: 9)
        var target = Matrix(rows: 5, columns: 4)
        // zeros: censored
        for i in target.storage.indices { target.storage[i] = i % 3 == 0 ? 0 : Float(rng.nextUniform()) }
        try likelihood.build(features: 4, groups: 0, training: target, context: .none, path: "likelihood")
        let output = GradientCheck.randomMatrix(rows: 5, columns: 4, rng: &rng)
        for r in GradientCheck.check(likelihood: likelihood, output: output, target: target) {
            #expect(r.relativeError < 2e-3, "\(name) \(r)")
        }
    }

    @Test func klGradients() {
        var rng = SeededGenerator(seed: 2)
        let mean = GradientCheck.randomMatrix(rows: 4, columns: 3, rng: &rng)
        let logVariance = GradientCheck.randomMatrix(rows: 4, columns: 3, rng: &rng)
        for r in GradientCheck.check(prior: StandardNormalPrior(), mean: mean, logVariance: logVariance) {
            #expect(r.relativeError < 1e-3, "\(r)")
        }
    }

    @Test func klOfThePriorItselfIsZero() {
        let zero = Matrix(rows: 3, columns: 2)
        #expect(StandardNormalPrior().klDivergence(mean: zero, logVariance: zero, gradient: false, scale: 1).total == 0)
    }

    @Test func bernoulliMatchesBinaryCrossEntropy() throws {
        let b = BernoulliLikelihood(spec: ComponentSpec(name: "bernoulli"))
        // x = 0.25, logit 0 → p = 0.5 → BCE = −(0.25 log 0.5 + 0.75 log 0.5) = log 2 per gene.
        let e = b.evaluate(
            output: Matrix(rows: 1, columns: 2), target: Matrix(rows: 1, columns: 2, repeating: 0.25), context: .none,
            gradient: false, scale: 1)
        #expect(abs(e.total - 2 * 0.693_147_18) < 1e-6)
    }

    @Test func gaussianStartsAtDataVarianceAndSamples() throws {
        let g = try GaussianLikelihood(spec: ComponentSpec(name: "gaussian"), minimumVariance: 1e-6)
        let data = Matrix(rows: 4, columns: 2, storage: [0, 1, 2, 1, 4, 1, 6, 1])  // var 6.667 and constant
        try g.build(features: 2, groups: 0, training: data, context: .none, path: "l")
        #expect(abs(g.parameters[0].value[0] - Float(log(20.0 / 3))) < 1e-5)
        #expect(g.parameters[0].value[1] == Float(log(1e-6)))  // constant gene: floored, finite
        var rng = SeededGenerator(seed: 1)
        let draws = try g.sample(output: Matrix(rows: 2000, columns: 2), context: .none, rng: &rng)
        var sq = 0.0
        for i in 0..<2000 { sq += Double(draws[i, 0] * draws[i, 0]) }
        #expect(abs(sq / 2000 - 20.0 / 3) < 0.6)
    }

    @Test func censoredTermIsTheNormalTailProbability() throws {
        let g = try GaussianLikelihood(
            spec: ComponentSpec(name: "censored_gaussian"), minimumVariance: 1e-6, censored: true)
        // log-variance 0: σ = 1
        try g.build(features: 1, groups: 0, training: Matrix(rows: 0, columns: 1), context: .none, path: "l")
        // x = 0 at μ = 1: −log Φ(−1) = −log 0.158655254
        let e = g.evaluate(
            output: Matrix(rows: 1, columns: 1, storage: [1]), target: Matrix(rows: 1, columns: 1), context: .none,
            gradient: false, scale: 1)
        #expect(abs(e.total + log(0.158_655_254)) < 1e-6)
        // Far in the tail the asymptotic branch continues the direct one across the switch at
        // a = −30: log Φ changes by λ·Δa ≈ 30 × 0.002 there, and λ ≈ −a.
        let near = GaussianLikelihood.logNormalCDFAndMillsRatio(-29.999),
            far = GaussianLikelihood.logNormalCDFAndMillsRatio(-30.001)
        #expect(abs((near.0 - far.0) - near.1 * 0.002) < 1e-4)
        #expect(abs(near.1 - far.1) < 0.01 && abs(near.1 - 30.03) < 0.01)
    }

    @Test func bernoulliRefusesSampling() {
        var rng = SeededGenerator(seed: 1)
        #expect(throws: VAExprsError.self) {
            try BernoulliLikelihood(spec: ComponentSpec(name: "bernoulli")).sample(
                output: Matrix(rows: 1, columns: 1), context: .none, rng: &rng)
        }
    }
}
