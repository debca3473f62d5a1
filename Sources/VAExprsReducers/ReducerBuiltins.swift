import VAExprsCore

/// Registers this module's reducers.
package enum ReducerBuiltins {
    /// The origin string shown for these components.
    package static let origin = "built-in (VAExprsReducers)"

    /// Registers `pca`, `mds`, `nmf`, `diffmap`, `tsne` and `umap` through `registry.register`, the call plugins use.
    package static func register(into registry: Registry) throws {
        try registry.register(
            .reducer { try PCAReducer(spec: $0) }, name: "pca", origin: origin,
            facts: ComponentFacts(defaultComponents: 50))
        try registry.register(.reducer { MDSReducer(spec: $0) }, name: "mds", origin: origin)
        try registry.register(.reducer { try NMFReducer(spec: $0) }, name: "nmf", origin: origin)
        try registry.register(.reducer { try DiffusionMapReducer(spec: $0) }, name: "diffmap", origin: origin)
        try registry.register(.reducer { try TSNEReducer(spec: $0) }, name: "tsne", origin: origin)
        try registry.register(.reducer { try UMAPReducer(spec: $0) }, name: "umap", origin: origin)
    }
}
