import VAExprsCore

/// Which matrix of an `.h5ad` holds the cells to read: `X`, a layer (`layers["counts"]`, where
/// scanpy users keep raw counts), or `.raw` (`raw.X`, with its own genes in `raw.var`).
package enum AnnDataMatrix: Sendable, Equatable {
    /// `X`.
    case x
    /// `layers[name]`, with `X`'s cells and genes.
    case layer(String)
    /// `raw.X`, with the genes of `raw.var`.
    case raw

    /// The HDF5 object holding the matrix.
    var group: String {
        switch self {
        case .x: "/X"
        case .layer(let name): "/layers/" + name
        case .raw: "/raw/X"
        }
    }

    /// The HDF5 group whose index names the matrix's genes.
    var genes: String { self == .raw ? "/raw/var" : "/var" }

    /// The layer's name (nil for `X` and `.raw`).
    package var layerName: String? { if case .layer(let name) = self { name } else { nil } }

    /// How anndata users write it.
    package var description: String {
        switch self {
        case .x: "X"
        case .layer(let name): "layers['\(name)']"
        case .raw: "raw.X"
        }
    }

    /// The matrix a request names: a layer, `.raw`, or `X`.
    /// - Throws: `VAExprsError.usage` when both are named.
    package static func chosen(layer: String?, useRaw: Bool) throws -> AnnDataMatrix {
        switch (layer, useRaw) {
        case (nil, false): return .x
        case (let name?, false):
            guard !name.isEmpty, !name.contains("/") else {
                throw VAExprsError.usage(
                    "\(parameter: "layer") '\(name)' cannot name a layer (give its name in adata.layers)")
            }
            return .layer(name)
        case (nil, true): return .raw
        case (_?, true):
            throw VAExprsError.usage("give either \(parameter: "layer") or \(parameter: "useRaw"), not both")
        }
    }
}
