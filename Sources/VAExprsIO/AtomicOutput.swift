import Foundation
import VAExprsCore

/// A set of output files written atomically: each is written to a temporary file in its
/// destination folder, and all are renamed into place by `commit()`. Until then, or when
/// anything fails, nothing is left at the destinations; `discard()` removes the temporaries.
public final class AtomicOutput {
    private var pending: [(temporary: String, destination: String)] = []

    /// An empty set of outputs.
    public init() {}

    /// Checks that `path` can be written (its folder exists and is writable), so that a
    /// command can fail before doing long work.
    public static func checkDestination(_ path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw VAExprsError(.cannotWrite, "\(path): folder \(folder) does not exist; create it first")
        }
        guard access(folder, W_OK) == 0 else {
            throw VAExprsError(.cannotWrite, "\(path): folder \(folder) is not writable; choose another output path")
        }
    }

    /// Stages `bytes` for `path`; gzip-compressed when `path` ends in `.gz`.
    public func stage(_ bytes: [UInt8], at path: String) throws {
        do { try Self.checkDestination(path) } catch {
            discard()
            throw error
        }
        let temporary = temporaryPath(beside: path)
        do {
            let sink = try ByteSink(temporary, gzip: path.hasSuffix(".gz"))
            try sink.write(bytes)
            try sink.close()
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            TemporaryFiles.untrack(temporary)
            discard()
            throw error
        }
        pending.append((temporary, path))
    }

    /// Stages UTF-8 text for `path`.
    public func stage(text: String, at path: String) throws {
        try stage(Array(text.utf8), at: path)
    }

    /// Renames every staged file into place.
    public func commit() throws {
        defer { pending.removeAll() }
        for (temporary, destination) in pending {
            if rename(temporary, destination) == 0 { TemporaryFiles.untrack(temporary); continue }
            let reason = String(cString: strerror(errno))
            discard()
            throw VAExprsError(.cannotWrite, "\(destination): cannot be written (\(reason))")
        }
    }

    /// Removes every staged temporary file.
    public func discard() {
        for (temporary, _) in pending {
            try? FileManager.default.removeItem(atPath: temporary)
            TemporaryFiles.untrack(temporary)
        }
        pending.removeAll()
    }

    deinit { discard() }
}
