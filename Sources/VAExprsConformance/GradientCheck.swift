import VAExprsCore

/// Finite-difference gradient checks shared by the built-in tests and plugin conformance:
/// each compares an analytic gradient with central differences of a scalar loss and
/// reports the relative error ‖g_numeric − g_analytic‖ / max(‖g_numeric‖ + ‖g_analytic‖, tiny).
package enum GradientCheck {
    /// One compared gradient.
    package struct Result: CustomStringConvertible, Sendable {
        /// What was differentiated (e.g. `input`, `encoder.0.weight`).
        package var name: String
        /// The relative error.
        package var relativeError: Double
        /// Elements compared.
        package var count: Int
        package var description: String { "\(name): relative error \(relativeError) over \(count) values" }
    }

    /// Random values in [−scale, scale] that stay at least `margin` away from zero (kinks).
    package static func randomMatrix(
        rows: Int, columns: Int, scale: Float = 1, margin: Float = 0.05,
        rng: inout SeededGenerator
    ) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for i in m.storage.indices {
            var v: Float = 0
            repeat { v = Float(rng.nextUniform() * 2 - 1) * scale } while abs(v) < margin
            m.storage[i] = v
        }
        return m
    }

    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        var diff = 0.0, na = 0.0, nb = 0.0
        for i in a.indices {
            diff += (a[i] - b[i]) * (a[i] - b[i])
            na += a[i] * a[i]
            nb += b[i] * b[i]
        }
        return diff.squareRoot() / max(na.squareRoot() + nb.squareRoot(), 1e-12)
    }

    /// Central differences of `loss` with respect to every element of `values`.
    static func numeric(_ values: [Float], step: Float, loss: ([Float]) -> Double) -> [Double] {
        var v = values
        var out = [Double](repeating: 0, count: values.count)
        for i in values.indices {
            v[i] = values[i] + step
            let up = loss(v)
            v[i] = values[i] - step
            let down = loss(v)
            v[i] = values[i]
            out[i] = (up - down) / Double(2 * step)
        }
        return out
    }

    /// Central differences with respect to a parameter's values (restored after).
    static func numeric(_ parameter: Parameter, step: Float, loss: () -> Double) -> [Double] {
        let saved = parameter.value
        defer { parameter.value = saved }
        return numeric(saved, step: step) {
            parameter.value = $0
            return loss()
        }
    }

    /// Checks a built layer: loss = Σ weights ⊙ forward(input) in training phase, with the same
    /// random stream on every forward pass (so dropout masks repeat). Returns one result for
    /// the input (when the layer computes it) and one per parameter.
    package static func check(layer: any Layer, input: Matrix, step: Float = 1e-2, seed: UInt64 = 7) -> [Result] {
        var rng = SeededGenerator(seed: seed)
        var probe = SeededGenerator(seed: seed)
        let out = layer.forward(input, phase: .training, rng: &probe)
        let upstream = randomMatrix(rows: out.rows, columns: out.columns, rng: &rng)
        func loss(_ x: Matrix) -> Double {
            var r = SeededGenerator(seed: seed)
            let y = layer.forward(x, phase: .training, rng: &r)
            var total = 0.0
            for i in y.storage.indices { total += Double(y.storage[i]) * Double(upstream.storage[i]) }
            return total
        }
        var r = SeededGenerator(seed: seed)
        _ = layer.forward(input, phase: .training, rng: &r)
        let inputGradient = layer.backward(upstream)
        let analytic = layer.parameters.map { ($0.path, $0.gradient.map(Double.init)) }
        var results: [Result] = []
        if layer.computesInputGradient {
            let numeric = numeric(input.storage, step: step) {
                loss(Matrix(rows: input.rows, columns: input.columns, storage: $0))
            }
            results.append(
                Result(
                    name: "input", relativeError: relativeError(numeric, inputGradient.storage.map(Double.init)),
                    count: numeric.count))
        }
        for (p, (path, grad)) in zip(layer.parameters, analytic) {
            let numeric = numeric(p, step: step) { loss(input) }
            results.append(Result(name: path, relativeError: relativeError(numeric, grad), count: grad.count))
        }
        return results
    }

    /// Checks a layer's sparse path: loss = Σ weights ⊙ forward(sparse: input) in training
    /// phase; one result per parameter (a sparse first layer computes no input gradient).
    package static func check(
        sparseInputLayer layer: any SparseInputLayer, input: SparseMatrix, step: Float = 1e-2,
        seed: UInt64 = 7
    ) -> [Result] {
        var rng = SeededGenerator(seed: seed)
        var probe = SeededGenerator(seed: seed)
        let out = layer.forward(sparse: input, phase: .training, rng: &probe)
        let upstream = randomMatrix(rows: out.rows, columns: out.columns, rng: &rng)
        func loss() -> Double {
            var r = SeededGenerator(seed: seed)
            let y = layer.forward(sparse: input, phase: .training, rng: &r)
            return zip(y.storage, upstream.storage).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var r = SeededGenerator(seed: seed)
        _ = layer.forward(sparse: input, phase: .training, rng: &r)
        _ = layer.backward(upstream)
        let analytic = layer.parameters.map { ($0.path, $0.gradient.map(Double.init)) }
        return zip(layer.parameters, analytic).map { p, entry in
            let numeric = numeric(p, step: step) { loss() }
            return Result(name: entry.0, relativeError: relativeError(numeric, entry.1), count: entry.1.count)
        }
    }

    /// Checks an activation's derivative at `input` (values away from kinks).
    package static func check(activation: any Activation, input: [Float], step: Float = 1e-3) -> Result {
        var y = input
        activation.apply(&y)
        var analytic = [Float](repeating: 1, count: input.count)
        activation.backward(input: input, output: y, gradient: &analytic)
        var numeric = [Double](repeating: 0, count: input.count)
        for i in input.indices {
            var up = [input[i] + step], down = [input[i] - step]
            activation.apply(&up)
            activation.apply(&down)
            numeric[i] = Double(up[0] - down[0]) / Double(2 * step)
        }
        return Result(
            name: activation.name, relativeError: relativeError(numeric, analytic.map(Double.init)), count: input.count)
    }

    /// Checks a built likelihood's gradients with respect to the decoder output and its own parameters.
    package static func check(
        likelihood: any Likelihood, output: Matrix, target: Matrix, context: CellContext = .none,
        step: Float = 1e-2
    ) -> [Result] {
        let evaluation = likelihood.evaluate(output: output, target: target, context: context, gradient: true, scale: 1)
        let analyticOutput = evaluation.outputGradient!.storage.map(Double.init)
        let analyticParameters = likelihood.parameters.map { $0.gradient.map(Double.init) }
        let numericOutput = numeric(output.storage, step: step) {
            likelihood.evaluate(
                output: Matrix(rows: output.rows, columns: output.columns, storage: $0), target: target,
                context: context, gradient: false, scale: 1
            ).total
        }
        var results = [
            Result(
                name: "output", relativeError: relativeError(numericOutput, analyticOutput), count: analyticOutput.count
            )
        ]
        for (p, analytic) in zip(likelihood.parameters, analyticParameters) {
            let n = numeric(p, step: step) {
                likelihood.evaluate(output: output, target: target, context: context, gradient: false, scale: 1).total
            }
            results.append(Result(name: p.path, relativeError: relativeError(n, analytic), count: n.count))
        }
        return results
    }

    /// Checks a prior's KL gradients with respect to the latent mean and log-variance.
    package static func check(prior: any Prior, mean: Matrix, logVariance: Matrix, step: Float = 1e-2) -> [Result] {
        let kl = prior.klDivergence(mean: mean, logVariance: logVariance, gradient: true, scale: 1)
        let shape = (mean.rows, mean.columns)
        let numericMean = numeric(mean.storage, step: step) {
            prior.klDivergence(
                mean: Matrix(rows: shape.0, columns: shape.1, storage: $0), logVariance: logVariance, gradient: false,
                scale: 1
            ).total
        }
        let numericLogVariance = numeric(logVariance.storage, step: step) {
            prior.klDivergence(
                mean: mean, logVariance: Matrix(rows: shape.0, columns: shape.1, storage: $0), gradient: false, scale: 1
            ).total
        }
        return [
            Result(
                name: "mean", relativeError: relativeError(numericMean, kl.meanGradient!.storage.map(Double.init)),
                count: numericMean.count),
            Result(
                name: "log_variance",
                relativeError: relativeError(numericLogVariance, kl.logVarianceGradient!.storage.map(Double.init)),
                count: numericLogVariance.count)
        ]
    }

    /// Checks every parameter gradient of a whole model: `step()` must run one forward and
    /// backward pass with a fixed random stream, fill the gradients of `parameters`, and
    /// return the loss they are the gradient of. At most `perParameter` elements of each
    /// parameter are probed (spread evenly), to keep the check fast.
    package static func check(
        parameters: [Parameter], perParameter: Int = 40, step: Float = 1e-2,
        lossAndGradients: () -> Double
    ) -> [Result] {
        _ = lossAndGradients()
        let analytic = parameters.map { $0.gradient }
        var results: [Result] = []
        for (p, grad) in zip(parameters, analytic) {
            let stride = max(1, p.value.count / perParameter)
            var numericValues: [Double] = [], analyticValues: [Double] = []
            for i in Swift.stride(from: 0, to: p.value.count, by: stride) {
                let saved = p.value[i]
                p.value[i] = saved + step
                let up = lossAndGradients()
                p.value[i] = saved - step
                let down = lossAndGradients()
                p.value[i] = saved
                numericValues.append((up - down) / Double(2 * step))
                analyticValues.append(Double(grad[i]))
            }
            results.append(
                Result(
                    name: p.path, relativeError: relativeError(numericValues, analyticValues),
                    count: numericValues.count))
        }
        return results
    }
}
