import CVAExprsAPI
import Foundation
import VAExprs

/// The registry every call uses: the built-ins, plus the plugins loaded with
/// `vaexprs_load_plugin`, shared by the process (as the CLI's registry is for one command).
final class LibraryRegistry: @unchecked Sendable {
    static let shared = LibraryRegistry()
    private let lock = NSLock()
    private var registry: Registry?
    private var plugins: [String] = []

    /// The registry, made on first use.
    func current() throws -> Registry {
        lock.lock()
        defer { lock.unlock() }
        if let registry { return registry }
        let made = try Builtins.makeRegistry()
        registry = made
        return made
    }

    /// Adds the plugin at `path`: the registry is made again with every plugin loaded so far,
    /// so a plugin that fails leaves the registry as it was.
    func load(_ path: String) throws {
        lock.lock()
        defer { lock.unlock() }
        let (made, result) = try Builtins.makeRegistry(plugins: plugins + [path], directories: [])
        if let failure = result.failures.first {
            throw VAExprsError(.unusablePlugin, "\(failure.file): \(failure.message.description)")
        }
        plugins.append(path)
        registry = made
    }
}

/// The release as a C string (made once, never written or freed).
nonisolated(unsafe) private let versionString: UnsafeMutablePointer<CChar> = strdup(VAExprsVersion.release)!

@_cdecl("vaexprs_version")
public func vaexprs_version() -> UnsafePointer<CChar> { UnsafePointer(versionString) }

@_cdecl("vaexprs_abi_version")
public func vaexprs_abi_version() -> Int32 { 1 }

@_cdecl("vaexprs_model_format_version")
public func vaexprs_model_format_version() -> Int32 { Int32(ModelFile.formatVersion) }

@_cdecl("vaexprs_error_status")
public func vaexprs_error_status(_ error: OpaquePointer?) -> vaexprs_status {
    Handles.object(error, as: ErrorBox.self)?.status ?? VAEXPRS_OK
}

@_cdecl("vaexprs_error_message")
public func vaexprs_error_message(_ error: OpaquePointer?, _ namesJSON: UnsafePointer<CChar>?) -> UnsafePointer<CChar>?
{
    guard let box = Handles.object(error, as: ErrorBox.self) else { return nil }
    var names: [String: String] = [:]
    if let namesJSON, let text = String(validatingCString: namesJSON),
        let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    {
        for (key, value) in object { if let name = value as? String { names[key] = name } }
    }
    let rendered = CStringBox(box.error.message(naming: { names[$0] }))
    box.rendered = rendered
    return rendered.pointer
}

@_cdecl("vaexprs_error_free")
public func vaexprs_error_free(_ error: OpaquePointer?) { Handles.free(error, as: ErrorBox.self) }

@_cdecl("vaexprs_free")
public func vaexprs_free(_ pointer: UnsafeMutableRawPointer?) { free(pointer) }

@_cdecl("vaexprs_load_plugin")
public func vaexprs_load_plugin(_ path: UnsafePointer<CChar>?, _ error: UnsafeMutablePointer<OpaquePointer?>?)
    -> vaexprs_status
{
    guarded(error) { try LibraryRegistry.shared.load(try Inputs.string(path, parameter: "path")) }
}
