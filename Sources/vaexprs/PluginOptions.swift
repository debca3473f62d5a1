import ArgumentParser
import Foundation
import VAExprs
import VAExprsPlatform

/// `--plugin FILE` and `--plugin-dir DIR` (plus `VAEXPRS_PLUGIN_PATH`), accepted by every
/// command that takes component names.
struct PluginOptions: ParsableArguments {
    @Option(help: "Load a run-time plugin (.so, or a manifest .json for plain C functions); repeatable.")
    var plugin: [String] = []
    @Option(help: "Load every plugin in this folder; repeatable. VAEXPRS_PLUGIN_PATH (colon-separated) adds more.")
    var pluginDir: [String] = []
    @Flag(
        help: "Load plugins even from world-writable files or folders (anyone on the machine could have replaced them)."
    )
    var allowInsecurePlugins = false

    /// The loading policy these options ask for.
    var policy: PluginPolicy { PluginPolicy(allowInsecure: allowInsecurePlugins) }

    /// The built-ins and the plugins; a file that fails to load is reported on stderr and skipped.
    func registry() throws -> Registry {
        let (registry, result) = try Builtins.makeRegistry(plugins: plugin, directories: pluginDir, policy: policy)
        for failure in result.failures {
            StandardStreams.writeError(
                "vaexprs: warning: plugin not loaded: \(failure.message.text(naming: OptionNames.option))\n")
        }
        return registry
    }
}
