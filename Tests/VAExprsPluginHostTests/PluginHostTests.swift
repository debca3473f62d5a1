import CVAExprsPluginABI
import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

@testable import VAExprsPluginHost
@testable import VAExprsPluginKit

/// The plugin host's loader and adapters, and the Swift plugin kit on the other side of the
/// ABI, in process (the CLI tests cover the same files end to end).
@Suite struct PluginHostTests {
    let dir = TestPaths.scratch("plugin-host")

    /// The Swift example plugin (on the kit), built beside the executable by `swift build`.
    func gatedDense() throws -> String {
        let product = (CLIRunner.binary as NSString).deletingLastPathComponent + "/libGatedDensePlugin.so"
        try #require(
            FileManager.default.fileExists(atPath: product), "\(product) is missing: run `swift build` before the tests"
        )
        let copy = dir + "/libGatedDensePlugin.so"
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: product, toPath: copy)
        return copy
    }

    @Test func loaderRegistersEveryComponentOfAKitPlugin() throws {
        let registry = try Builtins.makeRegistry()
        let loaded = try PluginLoader.load(try gatedDense(), into: registry)
        #expect(loaded.identity.name == "gated-dense" && loaded.identity.version == "1.1.0")
        #expect(loaded.components.map(\.name).sorted() == ["gated_dense", "plugin_dense"])
        #expect(loaded.components.allSatisfy { $0.kind == .layer })
        #expect(registry.entry(.layer, "gated_dense")?.plugin?.name == "gated-dense")
    }

    /// A kit layer reached through the host's adapter computes what the built-in does with the
    /// same weights: `plugin_dense:3` against `dense:3`, forward and every gradient.
    @Test func kitLayerThroughTheHostMatchesTheBuiltinDense() throws {
        let registry = try Builtins.makeRegistry()
        _ = try PluginLoader.load(try gatedDense(), into: registry)
        let plugin = try registry.makeLayer(ComponentSpec(name: "plugin_dense", positional: ["3"]))
        let builtin = try registry.makeLayer(ComponentSpec(name: "dense", positional: ["3"]))
        var rng = SeededGenerator(seed: 7)
        #expect(try plugin.build(inputWidth: 5, path: "p", rng: &rng) == 3)
        _ = try builtin.build(inputWidth: 5, path: "b", rng: &rng)
        #expect(plugin.parameters.map(\.shape) == [[5, 3], [1, 3]])
        #expect(plugin.parameters[0].value.contains { $0 != 0 }, "the kit's initialize filled no weights")
        builtin.parameters[0].value = plugin.parameters[0].value
        plugin.parameters[1].value = [0.1, -0.2, 0.3]
        builtin.parameters[1].value = plugin.parameters[1].value
        let x = Matrix(rows: 4, columns: 5, storage: (0..<20).map { Float($0 % 7) / 7 - 0.4 })
        let (yPlugin, yBuiltin) = (
            plugin.forward(x, phase: .training, rng: &rng), builtin.forward(x, phase: .training, rng: &rng)
        )
        #expect(zip(yPlugin.storage, yBuiltin.storage).allSatisfy { abs($0 - $1) < 1e-5 })
        let dy = Matrix(rows: 4, columns: 3, storage: (0..<12).map { Float($0) / 12 - 0.5 })
        let (dxPlugin, dxBuiltin) = (plugin.backward(dy), builtin.backward(dy))
        #expect(zip(dxPlugin.storage, dxBuiltin.storage).allSatisfy { abs($0 - $1) < 1e-5 })
        for (p, b) in zip(plugin.parameters, builtin.parameters) {
            #expect(zip(p.gradient, b.gradient).allSatisfy { abs($0 - $1) < 1e-5 }, "\(p.path)")
        }
        // Settings the kit's factory refuses come back through the host as the plugin's message.
        #expect(throws: VAExprsError.self) {
            try registry.makeLayer(ComponentSpec(name: "gated_dense", positional: ["0"]))
        }
    }

    @Test func loaderNamesWhatIsWrongWithAFile() throws {
        let registry = try Builtins.makeRegistry()
        let text = dir + "/text.so"
        try "not a library".write(toFile: text, atomically: true, encoding: .utf8)
        for (path, words) in [(text, "not a shared object"), (dir + "/missing.so", "missing.so"), (dir, dir)] {
            do {
                _ = try PluginLoader.load(path, into: registry)
                Issue.record("\(path) loaded")
            } catch let error as VAExprsError {
                #expect(error.message.contains(words), "\(path): \(error.message)")
            }
        }
        // One bad file among good ones: the good ones load, the bad one is reported by name.
        let result = PluginLoader.load([text, try gatedDense()], into: registry)
        #expect(result.loaded.count == 1 && result.failures.map(\.file) == [text])
    }

    /// A spec crosses the ABI as JSON and comes back the same on the kit's side.
    @Test func settingsSurviveTheTripThroughTheABI() throws {
        let spec = ComponentSpec(
            name: "gated_dense", positional: ["64", "relu", "x", "y", "z", "a", "b", "c", "d", "e", "f", "g"],
            options: ["momentum": "0.9", "label": "é \"q\""])
        let back = try HostServices.optionsJSON(spec).withCString {
            try VAExprsPluginKit.PluginHost.spec(name: "gated_dense", optionsJSON: $0)
        }
        #expect(back.positional == spec.positional && back.options == spec.options)
        #expect(throws: VAExprsError.self) {
            try "[1]".withCString { try VAExprsPluginKit.PluginHost.spec(name: "x", optionsJSON: $0) }
        }
        #expect(throws: VAExprsError.self) {
            try #"{"1": "a"}"#.withCString { try VAExprsPluginKit.PluginHost.spec(name: "x", optionsJSON: $0) }
        }
    }

    /// The NUL-terminated message in an error buffer.
    func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func kitMessagesAreCutOnCharacterBoundaries() {
        var buffer = [CChar](repeating: 1, count: 12)
        buffer.withUnsafeMutableBufferPointer {
            VAExprsPluginKit.PluginHost.report(String(repeating: "é", count: 50), into: $0.baseAddress, size: 11)
        }
        let end = buffer.firstIndex(of: 0)!
        #expect(
            end == 10
                && String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    == String(repeating: "é", count: 5)
        )
    }

    /// What ABI 2 cannot carry is refused with a reason, not dropped.
    @Test func kitRefusesWhatTheABICannotCarry() throws {
        let registry = try Builtins.makeRegistry()
        // A layer with buffers (batch normalisation's running statistics).
        let table = LayerExport.vtable(slot: 0).assumingMemoryBound(to: vaexprs_layer_vtable.self).pointee
        let instance = Unmanaged.passRetained(
            LayerExport.Instance(try registry.makeLayer(ComponentSpec(name: "batchnorm"))) as AnyObject
        ).toOpaque()
        var buffer = [CChar](repeating: 0, count: 512), width: Int64 = 0
        #expect(table.build(instance, 4, &width, &buffer, 512) == 1)
        #expect(message(buffer).contains("buffers"))
        table.destroy(instance)
        // Likelihoods with trainable parameters, or several decoder outputs per gene.
        #expect {
            _ = try LikelihoodExport.Instance(try registry.makeLikelihood(ComponentSpec(name: "gaussian")))
        } throws: {
            ($0 as? VAExprsError)?.message.contains("trainable parameters") == true
        }
        #expect {
            _ = try LikelihoodExport.Instance(try registry.makeLikelihood(ComponentSpec(name: "zinb")))
        } throws: {
            ($0 as? VAExprsError)?.message.contains("decoder outputs per gene") == true
        }
        // A parameter-free likelihood is accepted.
        _ = try LikelihoodExport.Instance(try registry.makeLikelihood(ComponentSpec(name: "bernoulli")))
        // Too many components, or an optimizer: the plugin's init refuses to load, saying why.
        let dense = ComponentFactory.layer { spec in
            try registry.makeLayer(ComponentSpec(name: "dense", positional: ["2"], source: spec.source))
        }
        let raw = PluginExport.descriptor(
            name: "too-many", version: "1", description: "",
            components: (0..<17).map { ExportedComponent("l\($0)", "", dense) })
        let descriptor = raw.assumingMemoryBound(to: vaexprs_plugin.self).pointee
        #expect(descriptor.component_count == 16)
        #expect(descriptor.`init`!(nil, &buffer, 512) == 1)
        #expect(message(buffer).contains("at most 16"))
    }
}

/// The kit's likelihood adapter passes the cells' context (library sizes) through ABI 2 and
/// reports what its data are: a built-in count likelihood exported by the kit scores, averages
/// and draws as it does itself.
@Suite struct KitLikelihoodTests {
    @Test func countLikelihoodThroughTheKitEqualsItself() throws {
        let registry = try Builtins.makeRegistry()
        let make: @Sendable (ComponentSpec) throws -> any Likelihood = { _ in
            try registry.makeLikelihood(ComponentSpec(name: "poisson"))
        }
        let table = LikelihoodExport.vtable(slot: 0, component: ExportedComponent("kit_poisson", "", .likelihood(make)))
            .assumingMemoryBound(to: vaexprs_likelihood_vtable.self).pointee
        #expect(table.data == UInt32(VAEXPRS_LIKELIHOOD_COUNTS))
        let instance = Unmanaged.passRetained(
            try LikelihoodExport.Instance(try make(ComponentSpec(name: "kit_poisson"))) as AnyObject
        ).toOpaque()
        defer { table.destroy(instance) }

        let (rows, genes) = (3, 4)
        let output = Matrix(rows: rows, columns: genes, storage: (0..<12).map { Float($0 % 5) / 4 - 0.5 })
        let target = Matrix(rows: rows, columns: genes, storage: (0..<12).map { Float(($0 * 7) % 4) })
        let sizes: [Float] = [1_000, 2_500, 400]
        let reference = try make(ComponentSpec(name: "poisson"))
        try reference.build(
            features: genes, groups: 0, training: target, context: CellContext(librarySize: sizes), path: "reference")
        let expected = reference.evaluate(
            output: output, target: target, context: CellContext(librarySize: sizes), gradient: true, scale: 0.5)

        var total = 0.0
        var gradient = [Float](repeating: 0, count: rows * genes), mean = gradient
        sizes.withUnsafeBufferPointer { librarySize in
            var context = vaexprs_cell_context(
                struct_size: UInt32(MemoryLayout<vaexprs_cell_context>.size),
                library_size: librarySize.baseAddress, group: nil, group_count: 0)
            output.storage.withUnsafeBufferPointer { x in
                target.storage.withUnsafeBufferPointer { y in
                    table.evaluate_cells(
                        instance, x.baseAddress, y.baseAddress, Int64(rows), Int64(genes), &context, 0.5, &total,
                        &gradient)
                    table.mean_cells(instance, x.baseAddress, Int64(rows), Int64(genes), &context, &mean)
                }
            }
        }
        #expect(abs(total - expected.total) <= 1e-9 * max(1, abs(expected.total)))
        #expect(zip(gradient, expected.outputGradient!.storage).allSatisfy { $0 == $1 })
        #expect(
            zip(mean, reference.mean(output: output, context: CellContext(librarySize: sizes)).storage).allSatisfy {
                $0 == $1
            })
    }
}
