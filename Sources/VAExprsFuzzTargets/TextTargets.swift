import Foundation
import VAExprs

/// Targets for the small text formats.
enum TextTargets {
    /// A plugin manifest: parsed and checked as loading does, short of opening its library.
    static func manifest(_ bytes: [UInt8]) {
        _ = try? PluginManifest.parse(Data(bytes), source: "fuzz.json")
    }

    /// A component spec (`dense:64:relu`, `adam:lr=1e-3`, lists, or a JSON object), then every
    /// built-in factory of every kind on it: their option checks, not the work they would do.
    static func componentSpec(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var specs: [ComponentSpec] = []
        if let item = try? ComponentSpec.parseItem(text, source: "fuzz") { specs.append(item) }
        if let list = try? ComponentSpec.parseList(text, source: "fuzz") { specs += list.prefix(8) }
        if let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let spec = try? ComponentSpec.fromJSONObject(object, source: "fuzz")
        {
            specs.append(spec)
        }
        let registry = FuzzTargets.registry
        for spec in specs {
            _ = spec.description
            _ = try? registry.makeLayer(spec)
            _ = try? registry.makeActivation(spec)
            _ = try? registry.makeLikelihood(spec)
            _ = try? registry.makePrior(spec)
            _ = try? registry.makeLatentSampler(spec)
            _ = try? registry.makeOptimizer(spec)
            _ = try? registry.makeReducer(spec)
            _ = try? registry.makeRenderer(spec)
        }
    }
}
