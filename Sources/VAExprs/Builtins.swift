@_exported import VAExprsCore
@_exported import VAExprsIO
@_exported import VAExprsModels
import VAExprsNN
@_exported import VAExprsSamplers
@_exported import VAExprsReducers
@_exported import VAExprsRenderers
@_exported import VAExprsPlots

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
}
