import CVAExprsPluginABI
import Foundation
import VAExprsCore

/// What one load attempt produced.
public struct PluginLoadResult: Sendable {
    /// A plugin that registered its components.
    public struct Loaded: Sendable {
        /// The plugin's name, version and file.
        public var identity: PluginIdentity
        public var description: String
        /// The components it registered.
        public var components: [(kind: ComponentKind, name: String)]
    }
    /// Plugins that loaded, in load order.
    public var loaded: [Loaded] = []
    /// Files that did not load, each with why.
    public var failures: [(file: String, message: Notice)] = []
}

/// Loads run-time plugins into a registry: shared objects exporting `vaexprs_plugin_entry`
/// (the C ABI in `vaexprs_plugin.h`), or plain C libraries described by a JSON manifest
/// (called through libffi). Every stage has its own error naming the file; one bad file
/// never stops the others.
package enum PluginLoader {
    /// Loads every file; failures are collected, not thrown.
    package static func load(_ files: [String], into registry: Registry, policy: PluginPolicy = .strict)
        -> PluginLoadResult
    {
        var result = PluginLoadResult()
        for file in files {
            do {
                result.loaded.append(try load(file, into: registry, policy: policy))
            } catch let error as VAExprsError {
                result.failures.append((file, Notice(error.template)))
            } catch {
                result.failures.append((file, Notice("\(error)")))
            }
        }
        return result
    }

    /// Loads one file (a shared object or a manifest) and registers its components. The file
    /// passes `PluginFileCheck` first; the canonical path it checked is the one opened.
    package static func load(_ file: String, into registry: Registry, policy: PluginPolicy = .strict) throws
        -> PluginLoadResult.Loaded
    {
        let path = try PluginFileCheck.verified(file, policy: policy)
        if file.lowercased().hasSuffix(".json") {
            return try FFIPlugin.load(manifest: file, verifiedPath: path, into: registry, policy: policy)
        }
        try checkSharedObject(path, named: file)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            if reason.contains("undefined symbol") {
                throw VAExprsError(
                    .unusablePlugin,
                    """
                    \(file): unresolved symbols (\(reason)); link the plugin against what it uses or build it \
                    against this VAExprs
                    """
                )
            }
            throw VAExprsError(.unusablePlugin, "\(file): the dynamic loader refused it: \(reason)")
        }
        guard let symbol = dlsym(handle, VAEXPRS_PLUGIN_ENTRY_SYMBOL),
            PluginFileCheck.definingObject(of: symbol) == path
        else {
            let manifest = FFIPlugin.manifestBeside(file)
            if FileManager.default.fileExists(atPath: manifest) {
                return try FFIPlugin.load(
                    manifest: manifest, verifiedPath: try PluginFileCheck.verified(manifest, policy: policy),
                    into: registry, policy: policy)
            }
            throw VAExprsError(
                .unusablePlugin,
                """
                \(file): no entry symbol '\(VAEXPRS_PLUGIN_ENTRY_SYMBOL)'; a VAExprs plugin exports it (see \
                Templates/), or plain C functions need a manifest \((manifest as NSString).lastPathComponent) \
                beside the library
                """
            )
        }
        let entry = unsafeBitCast(symbol, to: vaexprs_plugin_entry_fn.self)
        guard let descriptor = entry() else {
            throw VAExprsError(.unusablePlugin, "\(file): vaexprs_plugin_entry returned no descriptor")
        }
        // The frozen fields first.
        guard descriptor.pointee.magic == VAEXPRS_PLUGIN_MAGIC else {
            throw VAExprsError(
                .unusablePlugin,
                "\(file): the descriptor's magic number is wrong; the file is not a VAExprs plugin or is damaged")
        }
        guard (VAEXPRS_PLUGIN_ABI_OLDEST...VAEXPRS_PLUGIN_ABI_VERSION).contains(descriptor.pointee.abi_version) else {
            throw VAExprsError(
                .unusablePlugin,
                """
                \(file): built for plugin ABI version \(descriptor.pointee.abi_version), this VAExprs loads \
                versions \(VAEXPRS_PLUGIN_ABI_OLDEST) to \(VAEXPRS_PLUGIN_ABI_VERSION); rebuild the plugin \
                against this vaexprs_plugin.h
                """
            )
        }
        guard Int(descriptor.pointee.struct_size) >= MemoryLayout<vaexprs_plugin>.size,
            Int(descriptor.pointee.component_size) >= MemoryLayout<vaexprs_component>.size
        else {
            throw VAExprsError(
                .unusablePlugin,
                """
                \(file): descriptor or component structs are smaller than ABI \(VAEXPRS_PLUGIN_ABI_VERSION) \
                requires (\(descriptor.pointee.struct_size) < \(MemoryLayout<vaexprs_plugin>.size) bytes); \
                rebuild the plugin against this vaexprs_plugin.h
                """
            )
        }
        let d = descriptor.pointee
        let name = d.name.map { String(cString: $0) } ?? ""
        guard !name.isEmpty else { throw VAExprsError(.unusablePlugin, "\(file): the plugin has no name") }
        let identity = PluginIdentity(name: name, version: d.version.map { String(cString: $0) } ?? "0", file: file)
        var factories: [(ComponentFactory, String, ComponentFacts)] = []
        let stride = Int(d.component_size)
        for index in 0..<Int(d.component_count) {
            let component = (UnsafeRawPointer(d.components!) + index * stride).assumingMemoryBound(
                to: vaexprs_component.self
            ).pointee
            let componentName = component.name.map { String(cString: $0) } ?? ""
            guard ComponentName.isValid(componentName) else {
                throw VAExprsError(
                    .unusablePlugin,
                    """
                    \(file): component \(index + 1) has an empty or invalid name \
                    '\(ComponentName.shown(componentName))'; component names are \(ComponentName.rule)
                    """
                )
            }
            factories.append(
                (
                    try factory(component, name: componentName, file: file), componentName,
                    try facts(component, name: componentName, file: file)
                ))
        }
        // Clashes are checked before anything registers, so a plugin registers all or nothing.
        for (factory, componentName, _) in factories {
            if let existing = registry.entry(factory.kind, componentName) {
                throw VAExprsError(
                    .unusablePlugin,
                    """
                    \(file): \(factory.kind.rawValue) '\(componentName)' of plugin '\(name)' clashes with the one \
                    from \(existing.origin); rename one of them
                    """
                )
            }
        }
        if let initialise = d.`init` {
            try HostServices.checked("\(file): plugin '\(name)' refused to initialise") { error, size in
                initialise(HostServices.table, error, size) == 0
            }
        }
        for (factory, componentName, facts) in factories {
            try registry.register(factory, name: componentName, origin: file, plugin: identity, facts: facts)
        }
        return PluginLoadResult.Loaded(
            identity: identity, description: d.description.map { String(cString: $0) } ?? "",
            components: factories.map { ($0.0.kind, $0.1) })
    }

    /// ELF header check, so a wrong file gets a clear message rather than the loader's; `path`
    /// is the verified file, `file` the name messages use.
    static func checkSharedObject(_ path: String, named file: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw VAExprsError(.missingInput, "\(file): cannot be read")
        }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 18)) ?? Data())
        guard header.count == 18, header[0] == 0x7F, header[1] == 0x45, header[2] == 0x4C, header[3] == 0x46 else {
            throw VAExprsError(
                .unusablePlugin,
                """
                \(file): not a shared object (no ELF header); give a .so built as a VAExprs plugin or a plugin \
                manifest .json
                """
            )
        }
        let type = UInt16(header[16]) | UInt16(header[17]) << 8
        guard type == 3 else {
            throw VAExprsError(
                .unusablePlugin, "\(file): an ELF file but not a shared object (type \(type)); build it with -shared")
        }
    }

    /// Checks a vtable's declared size (at least `minimumSize`, by default the whole struct)
    /// and copies the declared bytes; fields an older plugin does not have stay zero (NULL).
    private static func vtable<T>(
        _ raw: UnsafeRawPointer?, _ type: T.Type, kind: String, name: String, file: String,
        minimumSize: Int = MemoryLayout<T>.size
    ) throws -> VTable<T> {
        guard let raw else { throw VAExprsError(.unusablePlugin, "\(file): \(kind) '\(name)' has no vtable") }
        let declared = Int(raw.load(as: UInt32.self))
        guard declared >= minimumSize else {
            throw VAExprsError(
                .unusablePlugin,
                """
                \(file): \(kind) '\(name)' has a \(declared)-byte vtable, ABI \(VAEXPRS_PLUGIN_ABI_VERSION) needs \
                \(minimumSize); rebuild against this vaexprs_plugin.h
                """
            )
        }
        let copy = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        defer { copy.deallocate() }
        copy.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        copy.copyMemory(from: raw, byteCount: min(declared, MemoryLayout<T>.size))
        return VTable(table: copy.load(as: T.self))
    }

    private static func factory(_ c: vaexprs_component, name: String, file: String) throws -> ComponentFactory {
        switch Int32(c.kind) {
        case Int32(VAEXPRS_KIND_LAYER):
            let t = try vtable(c.vtable, vaexprs_layer_vtable.self, kind: "layer", name: name, file: file)
            try require(
                [
                    t.table.create != nil, t.table.build != nil, t.table.parameter_count != nil,
                    t.table.parameter_shape != nil,
                    t.table.initialize != nil, t.table.forward != nil, t.table.backward != nil
                ], "layer", name, file)
            return .layer { spec in try PluginLayer(spec: spec, vtable: t) }
        case Int32(VAEXPRS_KIND_ACTIVATION):
            let t = try vtable(c.vtable, vaexprs_activation_vtable.self, kind: "activation", name: name, file: file)
            try require([t.table.forward != nil, t.table.backward != nil], "activation", name, file)
            return .activation { _ in PluginActivation(name: name, vtable: t) }
        case Int32(VAEXPRS_KIND_LIKELIHOOD):
            // ABI 1 likelihood vtables end before the `data` field.
            let t = try vtable(
                c.vtable, vaexprs_likelihood_vtable.self, kind: "likelihood", name: name, file: file,
                minimumSize: MemoryLayout<vaexprs_likelihood_vtable>.offset(of: \.data)!)
            guard t.table.data <= UInt32(VAEXPRS_LIKELIHOOD_COUNTS) else {
                throw VAExprsError(
                    .unusablePlugin,
                    """
                    \(file): likelihood '\(name)' declares data kind \(t.table.data); ABI \
                    \(VAEXPRS_PLUGIN_ABI_VERSION) knows 0 (scaled) and 1 (counts)
                    """
                )
            }
            try require(
                [t.table.create != nil, t.table.evaluate != nil, t.table.mean != nil, t.table.sample != nil],
                "likelihood", name, file)
            return .likelihood { spec in try PluginLikelihood(spec: spec, vtable: t) }
        case Int32(VAEXPRS_KIND_PRIOR):
            let t = try vtable(c.vtable, vaexprs_prior_vtable.self, kind: "prior", name: name, file: file)
            try require([t.table.create != nil, t.table.kl != nil, t.table.sample != nil], "prior", name, file)
            return .prior { spec in
                PluginPrior(
                    spec: spec, vtable: t,
                    state: try PluginState.make(
                        spec, what: "prior '\(name)'", create: t.table.create, destroy: t.table.destroy))
            }
        case Int32(VAEXPRS_KIND_LATENT_SAMPLER):
            let t = try vtable(
                c.vtable, vaexprs_latent_sampler_vtable.self, kind: "latent sampler", name: name, file: file)
            try require(
                [t.table.create != nil, t.table.fit != nil, t.table.sample != nil], "latent sampler", name, file)
            return .latentSampler { spec in
                PluginLatentSampler(
                    spec: spec, vtable: t,
                    state: try PluginState.make(
                        spec, what: "latent sampler '\(name)'", create: t.table.create, destroy: t.table.destroy))
            }
        case Int32(VAEXPRS_KIND_REDUCER):
            let t = try vtable(c.vtable, vaexprs_reducer_vtable.self, kind: "reducer", name: name, file: file)
            try require([t.table.create != nil, t.table.reduce != nil], "reducer", name, file)
            return .reducer { spec in
                PluginReducer(
                    spec: spec, vtable: t,
                    state: try PluginState.make(
                        spec, what: "reducer '\(name)'", create: t.table.create, destroy: t.table.destroy))
            }
        case Int32(VAEXPRS_KIND_RENDERER):
            let t = try vtable(c.vtable, vaexprs_renderer_vtable.self, kind: "renderer", name: name, file: file)
            try require([t.table.render != nil], "renderer", name, file)
            return .renderer { spec in PluginRenderer(spec: spec, vtable: t) }
        default:
            throw VAExprsError(
                .unusablePlugin,
                "\(file): component '\(name)' has unknown kind \(c.kind) (this VAExprs knows kinds 1–7)")
        }
    }

    /// What the component's vtable declares of it, registered beside its factory: a
    /// likelihood's data kind (one decoder output per gene is all ABI 2 carries), a renderer's
    /// file extensions. The vtable was checked by `factory` first.
    private static func facts(_ c: vaexprs_component, name: String, file: String) throws -> ComponentFacts {
        switch Int32(c.kind) {
        case Int32(VAEXPRS_KIND_LIKELIHOOD):
            let t = try vtable(
                c.vtable, vaexprs_likelihood_vtable.self, kind: "likelihood", name: name, file: file,
                minimumSize: MemoryLayout<vaexprs_likelihood_vtable>.offset(of: \.data)!)
            return .likelihood(t.table.data == UInt32(VAEXPRS_LIKELIHOOD_COUNTS) ? .counts : .scaled)
        case Int32(VAEXPRS_KIND_RENDERER):
            let t = try vtable(c.vtable, vaexprs_renderer_vtable.self, kind: "renderer", name: name, file: file)
            return .renderer(PluginRenderer.extensions(t))
        default:
            return ComponentFacts()
        }
    }

    private static func require(_ present: [Bool], _ kind: String, _ name: String, _ file: String) throws {
        guard present.allSatisfy({ $0 }) else {
            throw VAExprsError(
                .unusablePlugin, "\(file): \(kind) '\(name)' leaves a required function of its vtable NULL")
        }
    }
}

/// Which files to load: `--plugin` files, the plugin files in `--plugin-dir` folders, and
/// the entries of `VAEXPRS_PLUGIN_PATH` (colon-separated files or folders). Never the working
/// directory implicitly.
package enum PluginSearch {
    /// The files to try, in order, without duplicates. Folders contribute their `.so` files and
    /// the manifests with no library of the same stem beside them; a name that is not a regular
    /// file is listed anyway, so that loading reports it instead of opening (and blocking on) it.
    package static func files(
        plugins: [String], directories: [String], environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        var out: [String] = []
        func add(_ path: String) { if !out.contains(path) { out.append(path) } }
        func scan(_ dir: String) {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            for name in names where name.hasSuffix(".so") { add((dir as NSString).appendingPathComponent(name)) }
            for name in names where name.hasSuffix(".json") && !names.contains(String(name.dropLast(5)) + ".so") {
                let path = (dir as NSString).appendingPathComponent(name)
                var info = stat()
                guard stat(path, &info) == 0 else { continue }
                if info.st_mode & S_IFMT != S_IFREG || FFIPlugin.isManifest(path) { add(path) }
            }
        }
        for p in plugins { add(p) }
        for d in directories { scan(d) }
        for entry in (environment["VAEXPRS_PLUGIN_PATH"] ?? "").split(separator: ":").map(String.init)
        where !entry.isEmpty {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: entry, isDirectory: &isDirectory), isDirectory.boolValue {
                scan(entry)
            } else {
                add(entry)
            }
        }
        return out
    }
}

extension PluginLoader {
    /// The plugin ABI versions this host loads (oldest...newest).
    package static var abiVersions: ClosedRange<UInt32> { VAEXPRS_PLUGIN_ABI_OLDEST...VAEXPRS_PLUGIN_ABI_VERSION }
}
