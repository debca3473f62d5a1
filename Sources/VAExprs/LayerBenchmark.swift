import Foundation

/// Forward + backward time of one layer beside another (`plugins bench`: a plugin layer beside
/// the built-in it mirrors), alternating passes on one random batch, medians.
package enum LayerBenchmark {
    /// Median seconds per forward + backward pass of each layer.
    package struct Result: Sendable {
        /// The layer measured.
        package var candidate: Double
        /// The layer it is compared with.
        package var reference: Double
        /// candidate / reference.
        package var ratio: Double { candidate / reference }
    }

    /// Times `candidate` and `reference` on a `batch` × `inputs` batch: 20 warm-up passes of
    /// each, then `repeats` timed ones, alternating.
    /// - Throws: `VAExprsError` when a layer cannot be made or built.
    package static func run(
        candidate: ComponentSpec, reference: ComponentSpec, inputs: Int, batch: Int, repeats: Int,
        registry: Registry
    ) throws -> Result {
        guard inputs > 0, batch > 0, repeats > 0 else {
            throw VAExprsError.usage(
                """
                \(parameter: "inputs"), \(parameter: "batch") and \(parameter: "repeats") must be positive, got \
                \(inputs), \(batch), \(repeats)
                """
            )
        }
        var rng = SeededGenerator(seed: 1)
        let layers = try [candidate, reference].map { spec -> any Layer in
            let layer = try registry.makeLayer(spec)
            _ = try layer.build(inputWidth: inputs, path: "bench", rng: &rng)
            return layer
        }
        var x = Matrix(rows: batch, columns: inputs)
        for i in x.storage.indices { x.storage[i] = Float(rng.nextNormal()) }
        var times: [[Double]] = [[], []]
        for pass in 0..<(2 * (repeats + 20)) {
            let which = pass % 2
            let start = ContinuousClock.now
            let y = layers[which].forward(x, phase: .training, rng: &rng)
            _ = layers[which].backward(y)
            let elapsed = ContinuousClock.now - start
            if pass >= 40 {
                times[which].append(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
            }
        }
        let medians = times.map { $0.sorted()[$0.count / 2] }
        return Result(candidate: medians[0], reference: medians[1])
    }
}
