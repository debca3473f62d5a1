import Foundation
@_exported import VAExprsCore
@_exported import VAExprsDistributed
@_exported import VAExprsEvaluation
@_exported import VAExprsIO
@_exported import VAExprsModels
import VAExprsNN
@_exported import VAExprsPlots
@_exported import VAExprsPluginHost
@_exported import VAExprsPreprocessing
@_exported import VAExprsReducers
@_exported import VAExprsRenderers
@_exported import VAExprsSamplers

/// The built-in components.
public enum Builtins {
    /// A registry holding every built-in component, each registered through
    /// `Registry.register`, the same call run-time plugins use.
    public static func makeRegistry() throws -> Registry {
        let registry = Registry()
        try NeuralBuiltins.register(into: registry)
        try SamplerBuiltins.register(into: registry)
        try ReducerBuiltins.register(into: registry)
        try RendererBuiltins.register(into: registry)
        return registry
    }

    /// The built-ins plus the run-time plugins in `plugins` (files), `directories` and
    /// `VAEXPRS_PLUGIN_PATH`; files that fail to load (or that `policy` refuses) are reported in
    /// the result, not thrown.
    public static func makeRegistry(
        plugins: [String], directories: [String],
        policy: PluginPolicy = .strict
    ) throws -> (registry: Registry, plugins: PluginLoadResult) {
        let registry = try makeRegistry()
        for dir in directories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw VAExprsError(.missingInput, "\(parameter: "pluginDirectories") \(dir): no such folder")
            }
        }
        let result = PluginLoader.load(
            PluginSearch.files(plugins: plugins, directories: directories), into: registry, policy: policy)
        return (registry, result)
    }
}
