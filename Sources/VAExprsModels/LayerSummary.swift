import VAExprsCore

/// One node of a model's architecture as `plot model` draws it.
package struct LayerSummary: Sendable, Equatable {
    /// Which part of the VAE it belongs to.
    package enum Part: String, Sendable, CaseIterable {
        case input, condition, encoder, mean, stddev, latent, decoder, output
    }

    /// Unique node name, e.g. `encoder.0` or `z_mean`.
    package var name: String
    /// Layer type with its settings, e.g. `dense:512:relu`.
    package var type: String
    /// The part.
    package var part: Part
    /// Input width ("None" batch dimension implied), 0 for inputs.
    package var inputWidth: Int
    /// Output width.
    package var outputWidth: Int
    /// Names of the nodes feeding this one.
    package var inputs: [String]

    /// A summary.
    package init(name: String, type: String, part: Part, inputWidth: Int, outputWidth: Int, inputs: [String]) {
        self.name = name
        self.type = type
        self.part = part
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
        self.inputs = inputs
    }
}

/// A component a model uses that came from a run-time plugin, recorded in the model file so
/// loading it without the plugin can say exactly which plugin to load.
package struct PluginProvenance: Codable, Sendable, Equatable {
    /// Component kind (`layer`, `activation`, `likelihood`, `prior`).
    package var kind: String
    /// Component name.
    package var component: String
    /// The plugin's name.
    package var plugin: String
    /// The plugin's version.
    package var version: String
    /// The file it was loaded from when the model was fitted.
    package var file: String

    /// Which of `spec`'s components come from plugins in `registry`.
    package static func components(of spec: ModelSpec, in registry: Registry) -> [PluginProvenance] {
        var used: [(ComponentKind, String)] = []
        for layer in spec.encoder + spec.decoder {
            used.append((.layer, layer.name))
            if layer.name == "dense",
                let activation = layer.options["activation"] ?? (layer.positional.count > 1 ? layer.positional[1] : nil)
            {
                used.append((.activation, activation))
            }
        }
        used.append((.likelihood, spec.likelihood.name))
        used.append((.prior, spec.prior.name))
        var out: [PluginProvenance] = []
        for (kind, name) in used {
            guard let plugin = registry.entry(kind, name)?.plugin else { continue }
            let record = PluginProvenance(
                kind: kind.rawValue, component: name.lowercased(), plugin: plugin.name, version: plugin.version,
                file: plugin.file)
            if !out.contains(record) { out.append(record) }
        }
        return out
    }

    /// Throws, naming the plugin to load, when a recorded component is not registered.
    package static func check(_ records: [PluginProvenance], in registry: Registry, source: String) throws {
        for r in records {
            guard let kind = ComponentKind(rawValue: r.kind), registry.entry(kind, r.component) != nil else {
                throw VAExprsError(
                    .unusablePlugin,
                    """
                    \(source): the model uses \(r.kind) '\(r.component)' from plugin '\(r.plugin)' \(r.version) \
                    (fitted with \(r.file)), which is not loaded; load it with \(parameter: "plugins") FILE, \
                    \(parameter: "pluginDirectories") DIR or VAEXPRS_PLUGIN_PATH
                    """
                )
            }
        }
    }
}
