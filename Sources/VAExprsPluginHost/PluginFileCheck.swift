import CPlatform
import Foundation
import VAExprsCore

/// How strict plugin loading is about where a file lives.
public struct PluginPolicy: Sendable {
    /// Load plugins from world-writable files or folders (`--allow-insecure-plugins`).
    package var allowInsecure: Bool

    /// Creates a policy; `allowInsecure` defaults to false.
    package init(allowInsecure: Bool = false) {
        self.allowInsecure = allowInsecure
    }

    /// World-writable files and folders refused.
    public static let strict = PluginPolicy()
}

/// The checks a plugin file (a shared object or a manifest) passes before anything opens it.
///
/// The path is resolved once, to a canonical absolute path, and that exact path is what is
/// checked, opened and handed to `dlopen` (a bare `NAME.so` would otherwise make the dynamic
/// loader search the library path and load a different file from the one checked). Only
/// regular files: a FIFO would block the read, a device never holds a plugin. And, unless the
/// policy allows it, nothing anyone else could have replaced: the file must not be
/// world-writable, nor its folder (even with the sticky bit, anyone may add files there), nor any
/// folder above it without the sticky bit (anyone could rename the path away).
enum PluginFileCheck {
    /// The canonical path of `path` once every check passed.
    static func verified(_ path: String, policy: PluginPolicy) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw VAExprsError(
                .missingInput,
                """
                \(path): no such file (\(String(cString: strerror(errno)))); give the plugin's path (a bare name \
                means the working folder)
                """
            )
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw VAExprsError(
                .unusablePlugin,
                "\(path): not a regular file (\(kindName(info.st_mode))); a plugin is a .so or a manifest .json file")
        }
        guard let resolved = realpath(path, nil) else {
            throw VAExprsError(.missingInput, "\(path): cannot be resolved (\(String(cString: strerror(errno))))")
        }
        let canonical = String(cString: resolved)
        free(resolved)
        guard access(canonical, R_OK) == 0 else {
            throw VAExprsError(.missingInput, "\(path): cannot be read (permission denied); check its permissions")
        }
        if !policy.allowInsecure {
            if info.st_mode & S_IWOTH != 0 {
                throw insecure(
                    path,
                    "the file is world-writable: anyone on this machine could replace its code; run `chmod o-w \(path)`"
                )
            }
            var folders = [(canonical as NSString).deletingLastPathComponent]
            // The folder the user named too, when a symbolic link led elsewhere.
            let given =
                ((path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path) as NSString)
                .deletingLastPathComponent
            if !folders.contains(given) { folders.append(given) }
            for (index, folder) in folders.enumerated() {
                try checkFolder(folder, direct: true, path: path)
                if index == 0 {
                    var above = (folder as NSString).deletingLastPathComponent
                    while above != "/" && !above.isEmpty {
                        try checkFolder(above, direct: false, path: path)
                        above = (above as NSString).deletingLastPathComponent
                    }
                }
            }
        }
        return canonical
    }

    private static func checkFolder(_ folder: String, direct: Bool, path: String) throws {
        var info = stat()
        guard stat(folder, &info) == 0, info.st_mode & S_IWOTH != 0 else { return }
        let sticky = info.st_mode & S_ISVTX != 0
        if direct {
            throw insecure(
                path,
                """
                its folder \(folder) is world-writable\(sticky ? " (sticky)" : ""): anyone on this machine could \
                plant a plugin there; move the plugin to a folder only you can write
                """
            )
        } else if !sticky {
            throw insecure(
                path,
                """
                the folder \(folder) above it is world-writable: anyone on this machine could swap the path; move \
                the plugin or run `chmod o-w \(folder)`
                """
            )
        }
    }

    private static func insecure(_ path: String, _ why: String) -> VAExprsError {
        VAExprsError(
            .unusablePlugin,
            "\(path): refused, \(why) (or pass \(parameter: "allowInsecure") if you trust everyone who can write there)"
        )
    }

    private static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a folder"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// The canonical path of the object that defines `symbol` (found with `dladdr`), to check that
    /// a symbol looked up in a library comes from that library and not one of its dependencies.
    static func definingObject(of symbol: UnsafeRawPointer) -> String? {
        var name = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard vaexprs_defining_object(symbol, &name, name.count) == 1 else { return nil }
        guard let resolved = realpath(name, nil) else { return String(cString: name) }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
