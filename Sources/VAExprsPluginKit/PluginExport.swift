import CVAExprsPluginABI
import Foundation
import Synchronization

/// Exports a Swift plugin through the C ABI (`vaexprs_plugin.h`): the plugin implements the
/// core protocols and returns `PluginExport.descriptor(...)` from its entry symbol:
///
///     @_cdecl("vaexprs_plugin_entry")
///     public func entry() -> UnsafeRawPointer {
///         PluginExport.descriptor(name: "my-plugin", version: "1.0.0", description: "...",
///                                 components: [ExportedComponent("my_layer", "...", .layer { try MyLayer($0) })])
///     }
///
/// How each protocol maps onto its vtable (and what ABI 2 cannot carry) is documented on the
/// kind's export type: `LayerExport`, `ActivationExport`, `LikelihoodExport`, `PriorExport`,
/// `LatentSamplerExport`, `ReducerExport`, `RendererExport`.
public enum PluginExport {
    /// The exported components, by slot; set once by the first `descriptor` call.
    nonisolated(unsafe) static var components: [ExportedComponent] = []
    /// Why the plugin cannot load (reported by `init`), when the components cannot be exported.
    nonisolated(unsafe) static var refusal: String?
    private static let built = Mutex<UnsafeRawPointer?>(nil)

    /// The plugin's descriptor, built on the first call (later calls return the same one).
    /// A component the ABI cannot carry (an optimizer, more than 16 components, an activation
    /// whose factory needs settings) makes the host refuse the plugin with that reason.
    /// - Parameters:
    ///   - name: the plugin's name (recorded in model files).
    ///   - version: its version (recorded in model files).
    ///   - description: a line for `plugins list`.
    ///   - components: what it exports, each under its own name.
    /// - Returns: a pointer to a `vaexprs_plugin` that stays valid for the life of the process.
    public static func descriptor(
        name: String, version: String, description: String,
        components: [ExportedComponent]
    ) -> UnsafeRawPointer {
        built.withLock { built in
            if let built { return built }
            let made = make(name: name, version: version, description: description, components: components)
            built = made
            return made
        }
    }

    private static func make(
        name: String, version: String, description: String, components exported: [ExportedComponent]
    ) -> UnsafeRawPointer {
        PluginHost.pluginName = strdup(name)
        var accepted: [ExportedComponent] = []
        var entries: [vaexprs_component] = []
        if exported.count > Slots.count {
            refusal =
                """
                exports \(exported.count) components; a plugin built on VAExprsPluginKit exports at most \
                \(Slots.count) (split it into several plugins)
                """
        }
        for component in exported.prefix(Slots.count) {
            let slot = accepted.count
            let vtable: UnsafeRawPointer
            let kind: Int
            switch component.factory {
            case .layer: (kind, vtable) = (VAEXPRS_KIND_LAYER, LayerExport.vtable(slot: slot))
            case .activation(let make):
                if let activation = probe(
                    component, "activation", because: "activations take none through the ABI", make)
                {
                    ActivationExport.add(slot: slot, activation)
                }
                (kind, vtable) = (VAEXPRS_KIND_ACTIVATION, ActivationExport.vtable(slot: slot))
            case .likelihood:
                (kind, vtable) = (VAEXPRS_KIND_LIKELIHOOD, LikelihoodExport.vtable(slot: slot, component: component))
            case .prior: (kind, vtable) = (VAEXPRS_KIND_PRIOR, PriorExport.vtable(slot: slot))
            case .latentSampler: (kind, vtable) = (VAEXPRS_KIND_LATENT_SAMPLER, LatentSamplerExport.vtable(slot: slot))
            case .reducer: (kind, vtable) = (VAEXPRS_KIND_REDUCER, ReducerExport.vtable(slot: slot))
            case .renderer:
                (kind, vtable) = (VAEXPRS_KIND_RENDERER, RendererExport.vtable(slot: slot, component: component))
            case .optimizer:
                refusal =
                    refusal
                        ?? """
                        '\(component.name)' is an optimizer; optimizers cannot be plugins (the ABI has no optimizer \
                        kind)
                        """
                continue
            }
            accepted.append(component)
            entries.append(
                vaexprs_component(
                    kind: UInt32(kind), name: UnsafePointer(strdup(component.name)),
                    description: UnsafePointer(strdup(component.description)), vtable: vtable))
        }
        components = accepted
        let table = UnsafeMutablePointer<vaexprs_component>.allocate(capacity: max(entries.count, 1))
        table.initialize(from: entries, count: entries.count)
        let descriptor = UnsafeMutablePointer<vaexprs_plugin>.allocate(capacity: 1)
        descriptor.initialize(
            to: vaexprs_plugin(
                magic: VAEXPRS_PLUGIN_MAGIC, abi_version: VAEXPRS_PLUGIN_ABI_VERSION,
                struct_size: UInt32(MemoryLayout<vaexprs_plugin>.size),
                name: UnsafePointer(strdup(name)), version: UnsafePointer(strdup(version)),
                description: UnsafePointer(strdup(description)),
                init: { host, error, size in
                    if let refusal = PluginExport.refusal {
                        PluginHost.report(refusal, into: error, size: size)
                        return 1
                    }
                    PluginHost.services = host
                    return 0
                },
                component_size: UInt32(MemoryLayout<vaexprs_component>.size), component_count: UInt32(entries.count),
                components: UnsafePointer(table)))
        return UnsafeRawPointer(descriptor)
    }

    /// `component` made without settings, for what the ABI needs to know when the plugin is
    /// exported; nil after recording why the plugin must refuse to load.
    static func probe<T>(
        _ component: ExportedComponent, _ kind: String, because reason: String,
        _ make: (ComponentSpec) throws -> T
    ) -> T? {
        do {
            return try make(ComponentSpec(name: component.name, source: component.name))
        } catch {
            refusal = refusal ?? "\(kind) '\(component.name)' cannot be made without settings (\(error)); \(reason)"
            return nil
        }
    }

    /// `create` of slot `slot`: makes the component from the host's settings and returns it
    /// boxed (released by the vtable's `destroy`), or nil with the factory's message.
    static func create(slot: Int, _ options: UnsafePointer<CChar>?, _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int)
        -> UnsafeMutableRawPointer?
    {
        guard slot < components.count else {
            PluginHost.report("no component in slot \(slot)", into: buffer, size: size)
            return nil
        }
        let component = components[slot]
        do {
            let spec = try PluginHost.spec(name: component.name, optionsJSON: options)
            let box: AnyObject
            switch component.factory {
            case .layer(let make): box = LayerExport.Instance(try make(spec))
            case .likelihood(let make): box = try LikelihoodExport.Instance(try make(spec))
            case .prior(let make): box = Boxed(try make(spec))
            case .latentSampler(let make): box = Boxed(try make(spec))
            case .reducer(let make): box = Boxed(try make(spec))
            case .activation, .renderer, .optimizer:
                PluginHost.report("'\(component.name)' is not created through create()", into: buffer, size: size)
                return nil
            }
            return Unmanaged.passRetained(box).toOpaque()
        } catch {
            PluginHost.report(error, into: buffer, size: size)
            return nil
        }
    }

    /// `destroy` of every kind: releases the box `create` returned.
    static let destroy: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in
        guard let raw else { return }
        Unmanaged<AnyObject>.fromOpaque(raw).release()
    }

    /// A component made by `create` (a prior, reducer or latent sampler), behind the ABI's
    /// opaque instance pointer.
    final class Boxed<Value> {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    /// The box behind an instance pointer.
    static func instance<T: AnyObject>(_ raw: UnsafeMutableRawPointer?, as type: T.Type) -> T {
        Unmanaged<T>.fromOpaque(raw!).takeUnretainedValue()
    }
}
