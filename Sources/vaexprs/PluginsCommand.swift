import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs plugins list | check`.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List built-in and plugin components, or check a plugin's components.",
        subcommands: [PluginsListCommand.self, PluginsCheckCommand.self])
}

/// `vaexprs plugins list`.
struct PluginsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every component (kind, name, origin, plugin version) and each plugin file that failed to load, with why.")

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let (registry, result) = try Builtins.makeRegistry(plugins: plugins.plugin, directories: plugins.pluginDir)
        let rows = registry.entriesSorted.map { entry in
            [entry.kind.rawValue, entry.name, entry.plugin.map { "\($0.name) \($0.version)" } ?? "built-in", entry.origin]
        }
        let header = ["KIND", "NAME", "PLUGIN", "ORIGIN"]
        let widths = (0..<4).map { c in ([header] + rows).map { $0[c].count }.max()! }
        for row in [header] + rows {
            print(row.enumerated().map { c, v in c == 3 ? v : v.padding(toLength: widths[c], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        if !result.failures.isEmpty {
            print("\nnot loaded:")
            for failure in result.failures { print("  \(failure.message)") }
        }
    }
}

/// `vaexprs plugins check FILE`.
struct PluginsCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Load one plugin and run its components through the conformance checks of the built-ins.")

    @Argument(help: "Plugin file (.so or manifest .json).")
    var file: String
    @Option(help: "Settings for a component that needs them, e.g. gated_dense:4 (repeatable).")
    var spec: [String] = []

    func run() throws {
        let registry = try Builtins.makeRegistry()
        let loaded = try PluginLoader.load(file, into: registry)
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
