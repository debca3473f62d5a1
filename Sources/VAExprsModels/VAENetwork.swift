import Foundation
import VAExprsCore

/// The layers of a (conditional) VAE built from a `ModelSpec` through the registry, with its
/// training step (forward, explicit backward, reparameterisation) and inference passes.
package final class VAENetwork {
    /// The architecture.
    package let spec: ModelSpec
    /// Number of genes (input and output width).
    package let featureCount: Int
    /// One-hot condition width (0 for a plain VAE).
    package let conditionWidth: Int
    let encoder: [any Layer]
    let meanHead: any Layer
    let logVarianceHead: any Layer
    let decoder: [any Layer]
    let outputLayer: any Layer
    /// The reconstruction likelihood.
    package let likelihood: any Likelihood
    /// The latent prior.
    package let prior: any Prior
    /// The layers as a data-flow graph (for `plot model`).
    package let architecture: [LayerSummary]
    /// Components of the spec that come from run-time plugins.
    package let pluginComponents: [PluginProvenance]

    /// Builds and initialises every layer (Glorot-uniform weights from `rng`).
    /// `training` holds the likelihood's training targets and `context` their per-cell inputs,
    /// which may inform its initial values; `groups` is the number of label groups (0 for a VAE).
    /// `likelihood` is `spec.likelihood` when its caller has built it already (built here otherwise).
    package init(
        spec: ModelSpec, featureCount: Int, conditionWidth: Int, groups: Int, registry: Registry,
        likelihood: (any Likelihood)? = nil, training: Matrix, context: CellContext, rng: inout SeededGenerator
    ) throws {
        try spec.validate()
        self.spec = spec
        self.featureCount = featureCount
        self.conditionWidth = conditionWidth
        let latent = spec.latentDimension
        var summary = [
            LayerSummary(
                name: "input", type: "input", part: .input, inputWidth: 0, outputWidth: featureCount, inputs: [])
        ]
        if conditionWidth > 0 {
            summary.append(
                LayerSummary(
                    name: "condition", type: "one-hot condition", part: .condition, inputWidth: 0,
                    outputWidth: conditionWidth, inputs: []))
        }
        var width = featureCount + conditionWidth
        var previous = conditionWidth > 0 ? ["input", "condition"] : ["input"]
        var encoder: [any Layer] = []
        for (i, s) in spec.encoder.enumerated() {
            let layer = try registry.makeLayer(s)
            let output = try layer.build(inputWidth: width, path: "encoder.\(i)", rng: &rng)
            summary.append(
                LayerSummary(
                    name: "encoder.\(i)", type: s.description, part: .encoder, inputWidth: width, outputWidth: output,
                    inputs: previous))
            previous = ["encoder.\(i)"]
            width = output
            encoder.append(layer)
        }
        let headSpec = ComponentSpec(name: "dense", positional: ["\(latent)"], source: "latent heads")
        meanHead = try registry.makeLayer(headSpec)
        _ = try meanHead.build(inputWidth: width, path: "z_mean", rng: &rng)
        logVarianceHead = try registry.makeLayer(headSpec)
        _ = try logVarianceHead.build(inputWidth: width, path: "z_log_var", rng: &rng)
        summary.append(
            LayerSummary(
                name: "z_mean", type: headSpec.description, part: .mean, inputWidth: width, outputWidth: latent,
                inputs: previous))
        summary.append(
            LayerSummary(
                name: "z_log_var", type: headSpec.description, part: .stddev, inputWidth: width, outputWidth: latent,
                inputs: previous))
        summary.append(
            LayerSummary(
                name: "z", type: "sampling μ + exp(½ log σ²)·ε", part: .latent, inputWidth: latent, outputWidth: latent,
                inputs: ["z_mean", "z_log_var"]))
        previous = conditionWidth > 0 ? ["z", "condition"] : ["z"]
        width = latent + conditionWidth
        var decoder: [any Layer] = []
        for (i, s) in spec.decoder.enumerated() {
            let layer = try registry.makeLayer(s)
            let output = try layer.build(inputWidth: width, path: "decoder.\(i)", rng: &rng)
            summary.append(
                LayerSummary(
                    name: "decoder.\(i)", type: s.description, part: .decoder, inputWidth: width, outputWidth: output,
                    inputs: previous))
            previous = ["decoder.\(i)"]
            width = output
            decoder.append(layer)
        }
        self.likelihood = try likelihood ?? registry.makeLikelihood(spec.likelihood)
        let likelihood = self.likelihood
        let outputWidth = likelihood.outputWidth(features: featureCount)
        outputLayer = try registry.makeLayer(
            ComponentSpec(name: "dense", positional: ["\(outputWidth)"], source: "output layer"))
        _ = try outputLayer.build(inputWidth: width, path: "decoder.output", rng: &rng)
        summary.append(
            LayerSummary(
                name: "decoder.output", type: "dense:\(outputWidth) → \(spec.likelihood.description)", part: .output,
                inputWidth: width, outputWidth: outputWidth, inputs: previous))
        architecture = summary
        pluginComponents = PluginProvenance.components(of: spec, in: registry)
        try likelihood.build(
            features: featureCount, groups: groups, training: training, context: context, path: "likelihood")
        prior = try registry.makePrior(spec.prior)
        self.encoder = encoder
        self.decoder = decoder
        // The data needs no gradient: skip the first layer's input-gradient product.
        if let first = encoder.first {
            first.computesInputGradient = false
        } else {
            meanHead.computesInputGradient = false
            logVarianceHead.computesInputGradient = false
        }
    }

    /// Every layer, encoder to output.
    var allLayers: [any Layer] { encoder + [meanHead, logVarianceHead] + decoder + [outputLayer] }

    /// Every trainable parameter (layers, then likelihood).
    package var parameters: [Parameter] { allLayers.flatMap(\.parameters) + likelihood.parameters }

    /// Every non-trainable buffer (e.g. batch-norm statistics).
    package var buffers: [Parameter] { allLayers.flatMap(\.buffers) }

    /// The precision of every built-in dense layer's products (plugin layers keep float32).
    package var productPrecision: ProductPrecision = .float32 {
        didSet {
            for case let layer as any PrecisionSelectableLayer in allLayers {
                layer.productPrecision = productPrecision
            }
        }
    }

    /// Sparse batches with at most this fraction of entries stored go to a first layer that
    /// reads CSR (`SparseInputLayer`) as they are; denser ones are densified for one BLAS
    /// product, which is faster there (`Benchmarks/sparse_first_layer.sh`).
    package var sparseInputDensityLimit = VAENetwork.defaultSparseInputDensityLimit
    /// The measured crossover (see `sparseInputDensityLimit`).
    package static let defaultSparseInputDensityLimit = 0.1

    /// Latent means and log-variances of a batch.
    package func encode(_ x: Matrix, conditions: Matrix?, phase: Phase, rng: inout SeededGenerator) -> (
        mean: Matrix, logVariance: Matrix
    ) {
        encode(.dense(x), conditions: conditions, phase: phase, rng: &rng)
    }

    /// Latent means and log-variances of a batch, dense or sparse.
    package func encode(_ x: CellMatrix, conditions: Matrix?, phase: Phase, rng: inout SeededGenerator) -> (
        mean: Matrix, logVariance: Matrix
    ) {
        var h: Matrix
        var layers = encoder[...]
        if case .sparse(let cells) = x, let first = encoder.first as? any SparseInputLayer,
            Double(cells.storedCount) <= sparseInputDensityLimit * Double(cells.rows) * Double(cells.columns)
        {
            h = first.forward(sparse: conditions.map { cells.appendingColumns($0) } ?? cells, phase: phase, rng: &rng)
            layers = encoder.dropFirst()
        } else {
            let dense = x.dense()
            h = conditions.map { dense.concatenatingColumns($0) } ?? dense
        }
        for layer in layers { h = layer.forward(h, phase: phase, rng: &rng) }
        return (meanHead.forward(h, phase: phase, rng: &rng), logVarianceHead.forward(h, phase: phase, rng: &rng))
    }

    /// The decoder's raw output (what the likelihood reads) for latent points `z`.
    package func decode(_ z: Matrix, conditions: Matrix?, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        var h = conditions.map { z.concatenatingColumns($0) } ?? z
        for layer in decoder { h = layer.forward(h, phase: phase, rng: &rng) }
        return outputLayer.forward(h, phase: phase, rng: &rng)
    }

    /// Reconstruction and KL sums of one batch.
    package struct BatchLoss {
        /// Sum over cells of the negative log-likelihood.
        package var reconstruction: Double
        /// Sum over cells of the KL divergence (unweighted).
        package var kl: Double
    }

    /// One training step's forward and backward pass on a batch: fills every parameter's
    /// gradient of the mean loss (reconstruction + regularization·KL) over the batch.
    /// `x` is the encoder input, `target` what the likelihood scores (the same matrix for
    /// scaled data, raw counts for a count likelihood) and `context` its per-cell inputs.
    package func trainStep(
        _ x: Matrix, target: Matrix, context: CellContext, conditions: Matrix?,
        rng: inout SeededGenerator
    ) -> BatchLoss {
        trainStep(.dense(x), target: target, context: context, conditions: conditions, rng: &rng)
    }

    /// `trainStep` for a dense or sparse encoder input. A data-parallel step passes the
    /// reparameterisation `noise` of its rows (drawn for the whole global batch) and the global
    /// batch's cell count `scaleCells`, so that the gradients of all processes sum to the
    /// whole batch's.
    package func trainStep(
        _ x: CellMatrix, target: Matrix, context: CellContext, conditions: Matrix?,
        rng: inout SeededGenerator, noise: Matrix? = nil, scaleCells: Int? = nil
    ) -> BatchLoss {
        let n = x.rows, latent = spec.latentDimension
        let scale = 1 / Float(scaleCells ?? n)
        let (mu, logVar) = encode(x, conditions: conditions, phase: .training, rng: &rng)
        var eps = noise ?? Matrix(rows: n, columns: latent)
        if noise == nil { for i in eps.storage.indices { eps.storage[i] = Float(rng.nextNormal()) } }
        var z = mu
        var halfStd = [Float](repeating: 0, count: mu.storage.count)
        for i in z.storage.indices {
            halfStd[i] = 0.5 * expf(0.5 * logVar.storage[i])
            z.storage[i] += 2 * halfStd[i] * eps.storage[i]
        }
        let output = decode(z, conditions: conditions, phase: .training, rng: &rng)
        let rec = likelihood.evaluate(output: output, target: target, context: context, gradient: true, scale: scale)
        let kl = prior.klDivergence(
            mean: mu, logVariance: logVar, gradient: true, scale: scale * Float(spec.regularization))

        var g = outputLayer.backward(rec.outputGradient!)
        for layer in decoder.reversed() { g = layer.backward(g) }
        var dMean = kl.meanGradient!, dLogVar = kl.logVarianceGradient!
        for r in 0..<n {
            for j in 0..<latent {
                let dz = g[r, j]
                let k = r * latent + j
                dMean.storage[k] += dz
                dLogVar.storage[k] += dz * eps.storage[k] * halfStd[k]
            }
        }
        var dh = meanHead.backward(dMean)
        let dh2 = logVarianceHead.backward(dLogVar)
        if !encoder.isEmpty {
            for i in dh.storage.indices { dh.storage[i] += dh2.storage[i] }
            for layer in encoder.reversed() { dh = layer.backward(dh) }
        }
        return BatchLoss(reconstruction: rec.total, kl: kl.total)
    }

    /// The loss of a batch in inference mode with the given reparameterisation noise source
    /// (validation): no caches, no gradients.
    package func evaluate(
        _ x: Matrix, target: Matrix, context: CellContext, conditions: Matrix?,
        rng: inout SeededGenerator
    ) -> BatchLoss {
        evaluate(.dense(x), target: target, context: context, conditions: conditions, rng: &rng)
    }

    /// `evaluate` for a dense or sparse encoder input; `noise`, when given, is the
    /// reparameterisation noise of these rows (data-parallel validation draws it per batch).
    package func evaluate(
        _ x: CellMatrix, target: Matrix, context: CellContext, conditions: Matrix?,
        rng: inout SeededGenerator, noise: Matrix? = nil
    ) -> BatchLoss {
        let (mu, logVar) = encode(x, conditions: conditions, phase: .inference, rng: &rng)
        var z = mu
        for i in z.storage.indices {
            z.storage[i] += expf(0.5 * logVar.storage[i]) * (noise.map { $0.storage[i] } ?? Float(rng.nextNormal()))
        }
        let output = decode(z, conditions: conditions, phase: .inference, rng: &rng)
        let rec = likelihood.evaluate(output: output, target: target, context: context, gradient: false, scale: 1)
        let kl = prior.klDivergence(mean: mu, logVariance: logVar, gradient: false, scale: 1)
        return BatchLoss(reconstruction: rec.total, kl: kl.total)
    }

    /// Tells the layers that look across the batch or draw per cell (`BatchShareAware`) which
    /// share of a global batch the next training step holds; nil for whole batches.
    package func setBatchShare(_ share: (any BatchShare)?) {
        for case let layer as any BatchShareAware in allLayers { layer.batchShare = share }
    }

    /// A copy of every parameter and buffer value, keyed by path.
    package func snapshot() -> [String: [Float]] {
        var values: [String: [Float]] = [:]
        for p in parameters + buffers { values[p.path] = p.value }
        return values
    }

    /// Restores values from `snapshot()` (or a model file); every path must be present with
    /// the right size.
    package func restore(_ values: [String: [Float]]) throws {
        for p in parameters + buffers {
            guard let v = values[p.path], v.count == p.value.count else {
                throw VAExprsError.badData("model weights: '\(p.path)' is missing or has the wrong size")
            }
            p.value = v
        }
    }
}
