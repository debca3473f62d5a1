import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs plugins list | check`.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List built-in and plugin components, or check a plugin's components.",
        subcommands: [PluginsListCommand.self, PluginsCheckCommand.self, PluginsBenchCommand.self])
}

/// `vaexprs plugins list`.
struct PluginsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract:
            "Every component (kind, name, origin, plugin version) and each plugin file that failed to load, with why.")

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let (registry, result) = try Builtins.makeRegistry(
            plugins: plugins.plugin, directories: plugins.pluginDir, policy: plugins.policy)
        let rows = registry.entriesSorted.map { entry in
            [
                entry.kind.rawValue, entry.name, entry.plugin.map { "\($0.name) \($0.version)" } ?? "built-in",
                entry.origin
            ]
        }
        let header = ["KIND", "NAME", "PLUGIN", "ORIGIN"]
        let widths = (0..<4).map { c in ([header] + rows).map { $0[c].count }.max()! }
        for row in [header] + rows {
            print(
                row.enumerated().map { c, v in c == 3 ? v : v.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                }.joined(separator: "  "))
        }
        if !result.failures.isEmpty {
            print("\nnot loaded:")
            for failure in result.failures { print("  " + failure.message.text(naming: OptionNames.option)) }
        }
    }
}

/// `vaexprs plugins check FILE`.
struct PluginsCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load one plugin and run its components through the conformance checks of the built-ins.")

    @Argument(help: "Plugin file (.so or manifest .json).")
    var file: String
    @Option(help: "Settings for a component that needs them, e.g. gated_dense:4 (repeatable).")
    var spec: [String] = []
    @Flag(help: "Load the plugin even from a world-writable file or folder.")
    var allowInsecurePlugins = false

    func run() throws {
        let registry = try Builtins.makeRegistry()
        let loaded = try PluginLoader.load(
            file, into: registry, policy: PluginPolicy(allowInsecure: allowInsecurePlugins))
        var specs: [String: ComponentSpec] = [:]
        for item in spec {
            let parsed = try ComponentSpec.parseItem(item, source: "--spec")
            specs[parsed.name] = parsed
        }
        print("plugin \(loaded.identity.name) \(loaded.identity.version) (\(file))")
        let outcomes = PluginCheck.run(loaded, registry: registry, specs: specs)
        for o in outcomes { print("  \(o.passed ? "ok  " : "FAIL") \(o.component): \(o.check) — \(o.detail)") }
        let failed = outcomes.filter { !$0.passed }.count
        if failed > 0 { throw VAExprsError(.unusablePlugin, "\(file): \(failed) of \(outcomes.count) checks failed") }
        print("all \(outcomes.count) checks passed")
    }
}

/// `vaexprs plugins bench`: forward + backward time of a plugin layer beside a built-in one.
struct PluginsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time forward + backward of a plugin layer against a built-in layer (ABI overhead).")

    @OptionGroup var plugins: PluginOptions
    @Option(help: "The plugin layer spec.")
    var layer = "plugin_dense:512"
    @Option(help: "The built-in layer spec to compare with.")
    var reference = "dense:512"
    @Option(help: "Input width.")
    var inputs = 1000
    @Option(help: "Batch size.")
    var batch = 128
    @Option(help: "Timed passes of each (alternating, after 20 warm-up passes).")
    var repeats = 300
    @Option(help: "Threads.")
    var threads = 1

    func run() throws {
        let registry = try plugins.registry()
        try ThreadCount.check(threads)
        BLAS.setThreads(threads)
        let result = try LayerBenchmark.run(
            candidate: try ComponentSpec.parseItem(layer, source: "--layer"),
            reference: try ComponentSpec.parseItem(reference, source: "--reference"),
            inputs: inputs, batch: batch, repeats: repeats, registry: registry)
        print("forward + backward, batch \(batch), \(inputs) inputs, \(threads) thread(s), median of \(repeats):")
        print("  \(layer): \(String(format: "%.3f", result.candidate * 1000)) ms")
        print("  \(reference): \(String(format: "%.3f", result.reference * 1000)) ms")
        print("  plugin / built-in: \(String(format: "%.3f", result.ratio))")
    }
}
