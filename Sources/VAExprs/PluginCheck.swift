import Foundation
import VAExprsConformance

/// `plugins check`: runs a plugin's components through the checks the built-ins pass (the
/// tests run them over every built-in) — finite-difference gradients for layers, activations,
/// likelihoods and priors; shapes, finiteness and determinism for reducers and latent
/// samplers; well-formed output for renderers; descent on a quadratic for optimizers.
package enum PluginCheck {
    /// One check's outcome.
    package struct Outcome: Sendable {
        /// The component checked (`kind name`).
        package var component: String
        /// What was checked (e.g. `gradient weight`).
        package var check: String
        /// Whether it passed.
        package var passed: Bool
        /// What was measured (e.g. the relative error).
        package var detail: String
    }

    /// Tolerance on the relative error of finite-difference gradients (float32, step 1e-2).
    package static let gradientTolerance = 5e-3

    /// Checks every component `loaded` registered; `specs` gives settings by component name
    /// (e.g. `gated_dense:4`) for components that need them.
    package static func run(_ loaded: PluginLoadResult.Loaded, registry: Registry, specs: [String: ComponentSpec])
        -> [Outcome]
    {
        run(components: loaded.components, registry: registry, specs: specs)
    }

    /// Checks the named components of `registry`, built-in or loaded: one contract for both.
    package static func run(
        components: [(kind: ComponentKind, name: String)], registry: Registry, specs: [String: ComponentSpec]
    ) -> [Outcome] {
        var outcomes: [Outcome] = []
        for (kind, name) in components {
            let spec = specs[name] ?? ComponentSpec(name: name, source: "plugins check")
            let label = "\(kind.rawValue) \(name)"
            func record(_ check: String, _ passed: Bool, _ detail: String) {
                outcomes.append(Outcome(component: label, check: check, passed: passed, detail: detail))
            }
            do {
                switch kind {
                case .layer:
                    let layer = try registry.makeLayer(spec)
                    var rng = SeededGenerator(seed: 3)
                    let width = try layer.build(inputWidth: 5, path: name, rng: &rng)
                    record("build", width > 0, "5 inputs → \(width) outputs, \(layer.parameters.count) parameter(s)")
                    let x = GradientCheck.randomMatrix(rows: 4, columns: 5, rng: &rng)
                    for r in GradientCheck.check(layer: layer, input: x) {
                        record(
                            "gradient \(r.name)", r.relativeError < gradientTolerance,
                            "relative error \(String(format: "%.2e", r.relativeError)) over \(r.count) values")
                    }
                case .activation:
                    let activation = try registry.makeActivation(spec)
                    let input: [Float] = (0..<24).map { Float($0) / 4 - 3 + 0.05 }
                    let r = GradientCheck.check(activation: activation, input: input)
                    record(
                        "derivative", r.relativeError < gradientTolerance,
                        "relative error \(String(format: "%.2e", r.relativeError))")
                case .likelihood:
                    let likelihood = try registry.makeLikelihood(spec)
                    var rng = SeededGenerator(seed: 5)
                    let output = GradientCheck.randomMatrix(
                        rows: 3, columns: likelihood.outputWidth(features: 4), rng: &rng)
                    var target = GradientCheck.randomMatrix(rows: 3, columns: 4, rng: &rng)
                    var context = CellContext.none
                    if likelihood.data == .counts {
                        // Whole counts 0…5 and each cell's total as its library size.
                        for i in target.storage.indices { target.storage[i] = Float(i % 4 == 0 ? 0 : (i * 7) % 6) }
                        context.librarySize = (0..<3).map { r in max(1, (0..<4).reduce(Float(0)) { $0 + target[r, $1] })
                        }
                    } else {
                        for i in target.storage.indices { target.storage[i] = abs(target.storage[i]) / 2 }
                    }
                    try likelihood.build(features: 4, groups: 0, training: target, context: context, path: name)
                    for r in GradientCheck.check(
                        likelihood: likelihood, output: output, target: target, context: context)
                    {
                        record(
                            "gradient \(r.name)", r.relativeError < gradientTolerance,
                            "relative error \(String(format: "%.2e", r.relativeError))")
                    }
                    if likelihood.defaultDecodeMode == .mean {
                        // No observation model to draw from (bernoulli, as the original): its means.
                        let mean = likelihood.mean(output: output, context: context)
                        record(
                            "mean", mean.rows == 3 && mean.columns == 4 && mean.storage.allSatisfy(\.isFinite),
                            "3 × 4 means, all finite")
                    } else {
                        let sample = try likelihood.sample(output: output, context: context, rng: &rng)
                        record(
                            "sample", sample.rows == 3 && sample.columns == 4 && sample.storage.allSatisfy(\.isFinite),
                            "3 × 4 draws, all finite")
                    }
                case .prior:
                    let prior = try registry.makePrior(spec)
                    var rng = SeededGenerator(seed: 5)
                    let mean = GradientCheck.randomMatrix(rows: 3, columns: 2, rng: &rng)
                    let logVariance = GradientCheck.randomMatrix(rows: 3, columns: 2, scale: 0.5, margin: 0, rng: &rng)
                    for r in GradientCheck.check(prior: prior, mean: mean, logVariance: logVariance) {
                        record(
                            "gradient \(r.name)", r.relativeError < gradientTolerance,
                            "relative error \(String(format: "%.2e", r.relativeError))")
                    }
                case .latentSampler:
                    let sampler = try registry.makeLatentSampler(spec)
                    var data = DoubleMatrix(rows: 60, columns: 2)
                    var rng = SeededGenerator(seed: 5)
                    for i in data.storage.indices { data.storage[i] = rng.nextNormal() + Double(i % 2) * 3 }
                    var r1 = SeededGenerator(seed: 9), r2 = SeededGenerator(seed: 9)
                    let a = try sampler.fit(data, label: nil, rng: &r1).sample(count: 25, rng: &r1)
                    let b = try sampler.fit(data, label: nil, rng: &r2).sample(count: 25, rng: &r2)
                    record(
                        "shape", a.rows == 25 && a.columns == 2 && a.storage.allSatisfy(\.isFinite),
                        "25 × 2 finite draws")
                    record("determinism", a == b, "same seed, same draws")
                case .reducer:
                    let reducer = try registry.makeReducer(spec)
                    var data = DoubleMatrix(rows: 40, columns: 6)
                    var rng = SeededGenerator(seed: 5)
                    // Non-negative (as log-counts are: every reducer takes them, nmf only them), two groups.
                    for i in data.storage.indices { data.storage[i] = abs(rng.nextNormal()) + Double((i / 6) % 2) * 4 }
                    var r1 = SeededGenerator(seed: 9), r2 = SeededGenerator(seed: 9)
                    let a = try reducer.reduce(data, components: 2, rng: &r1),
                        b = try reducer.reduce(data, components: 2, rng: &r2)
                    record(
                        "shape",
                        a.coordinates.rows == 40 && a.coordinates.columns == 2
                            && a.coordinates.storage.allSatisfy(\.isFinite),
                        "40 × 6 → \(a.coordinates.rows) × \(a.coordinates.columns), all finite")
                    record("determinism", a.coordinates == b.coordinates, "same seed, same embedding")
                case .renderer:
                    let renderer = try registry.makeRenderer(spec)
                    let figure = Figure(
                        title: "check",
                        panels: [
                            Panel(
                                x: Axis(title: "x", covering: [0, 1]), y: Axis(title: "y", covering: [0, 1]),
                                marks: [
                                    .points(
                                        PointMark(
                                            x: [0, 1], y: [1, 0], style: [0, 0], styles: [PointStyle(colour: .black)]))
                                ])
                        ])
                    let bytes = try renderer.render(figure)
                    record("output", !bytes.isEmpty, "\(bytes.count) bytes")
                    let extensions = renderer.fileExtensions
                    record("extensions", !extensions.isEmpty, extensions.joined(separator: ", "))
                    if extensions.contains(where: { $0.hasSuffix("json") }) {
                        let parsed = (try? JSONSerialization.jsonObject(with: Data(bytes))) != nil
                        record("well-formed JSON", parsed, parsed ? "parses" : "does not parse as JSON")
                    }
                case .optimizer:
                    // A few steps on ½‖x‖² (gradient x) from (1, −2) must move towards 0.
                    let optimizer = try registry.makeOptimizer(spec)
                    let x = Parameter(path: "check.x", shape: [2], value: [1, -2])
                    let start = x.value.map { $0 * $0 }.reduce(0, +)
                    for _ in 0..<20 {
                        x.gradient = x.value
                        optimizer.step([x])
                    }
                    let end = x.value.map { $0 * $0 }.reduce(0, +)
                    record(
                        "descends", end < start && end.isFinite,
                        "‖x‖² \(start) → \(String(format: "%.3g", end)) in 20 steps")
                }
            } catch {
                record("runs", false, "\(error)")
            }
        }
        return outcomes
    }
}
