import Foundation
import VAExprsCore

/// A finished temporary file (or folder) and the destination it is renamed to on commit.
package struct StagedFile: Sendable {
    /// The temporary beside the destination.
    package var temporary: String
    /// Where it goes.
    package var destination: String

    /// A staged file.
    package init(temporary: String, destination: String) {
        self.temporary = temporary
        self.destination = destination
    }
}

/// A command's output files, committed all or nothing: each is written to a temporary file in
/// its destination folder (by `stage`, or by a streaming writer and then `adopt`ed), and
/// `commit()` renames them all into place. Until then, or when anything fails, the destinations
/// are as they were; if one rename of several fails, the ones already made are undone and the
/// files they replaced put back.
package final class AtomicOutput {
    private var pending: [StagedFile] = []

    /// An empty set of outputs.
    package init() {}

    /// Checks that `path` can be written (its folder exists and is writable, and nothing that
    /// a rename would wrongly replace is there), so that a command can fail before doing long
    /// work. `folder` is true for outputs that are folders (a 10x Matrix Market folder), which
    /// `FolderOutput.check` judges: an existing folder is written into only when it holds
    /// nothing but the files its writer writes.
    package static func checkDestination(_ path: String, folder isFolderOutput: Bool = false) throws {
        if isFolderOutput {
            _ = try FolderOutput.check(path, writes: FolderOutput.tenXFiles)
            return
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw VAExprsError(.cannotWrite, "\(path): folder \(folder) does not exist; create it first")
        }
        guard access(folder, W_OK) == 0 else {
            throw VAExprsError(.cannotWrite, "\(path): folder \(folder) is not writable; choose another output path")
        }
        try checkNameLength(path)
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFLNK:
            return
        case S_IFDIR:
            throw VAExprsError(
                .cannotWrite,
                """
                \(path) is a folder; this output is a file, and writing it would replace the folder: choose a \
                file path
                """
            )
        default:
            let kind =
                info.st_mode & S_IFMT == S_IFIFO
                ? "a FIFO" : info.st_mode & S_IFMT == S_IFSOCK ? "a socket" : "a device"
            throw VAExprsError(
                .cannotWrite,
                """
                \(path) is \(kind); outputs are written to a temporary file and renamed into place, which would \
                replace it, so nothing was done: give a regular file path
                """
            )
        }
    }

    /// Refuses a file name longer than the file system takes (NAME_MAX bytes), naming it:
    /// otherwise the failure would surface later as a vague "cannot be created".
    static func checkNameLength(_ path: String) throws {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let limit = pathconf(folder, Int32(_PC_NAME_MAX))
        if limit > 0 && name.utf8.count > limit {
            throw VAExprsError(
                .cannotWrite,
                """
                \(path): its file name is \(name.utf8.count) bytes long, more than the \(limit) this file system \
                allows; choose a shorter name
                """
            )
        }
    }

    /// Opens the temporary of `path` for writing a piece at a time (gzip-compressed when `path`
    /// ends in `.gz`); it is part of the commit, so close the sink before `commit()`.
    package func open(_ path: String) throws -> ByteSink {
        do { try Self.checkDestination(path) } catch {
            discard()
            throw error
        }
        let temporary = temporaryPath(beside: path)
        let sink: ByteSink
        do { sink = try ByteSink(temporary, gzip: path.hasSuffix(".gz")) } catch {
            discard()  // the temporaries staged before; this one was never created
            throw error
        }
        pending.append(StagedFile(temporary: temporary, destination: path))
        return sink
    }

    /// Stages `bytes` for `path`; gzip-compressed when `path` ends in `.gz`.
    package func stage(_ bytes: [UInt8], at path: String) throws {
        let sink = try open(path)
        do {
            try sink.write(bytes)
            try sink.close()
        } catch {
            discard()
            throw error
        }
    }

    /// Stages UTF-8 text for `path`.
    package func stage(text: String, at path: String) throws {
        try stage(Array(text.utf8), at: path)
    }

    /// Takes over a temporary another writer created and completed (a streamed matrix, say);
    /// it is removed with the others if the outputs are discarded.
    package func adopt(_ staged: StagedFile) {
        pending.append(staged)
    }

    /// Takes over the temporaries a writer of several files completed (a 10x folder).
    package func adopt(_ staged: [StagedFile]) {
        pending += staged
    }

    /// Renames every staged file into place, all or none. What a staged file replaces is only
    /// ever a file of the same name (set aside, and unlinked once all are in place) or an empty
    /// folder: a folder that holds anything is never replaced or removed.
    package func commit() throws {
        defer { pending.removeAll() }
        // One file replacing a file: rename(2) alone is atomic.
        if pending.count == 1, !Self.isFolder(pending[0].destination), !Self.isFolder(pending[0].temporary) {
            let staged = pending[0]
            guard rename(staged.temporary, staged.destination) == 0 else {
                let reason = String(cString: strerror(errno))
                discard()
                throw VAExprsError(.cannotWrite, "\(staged.destination): cannot be written (\(reason))")
            }
            TemporaryFiles.untrack(staged.temporary)
            return
        }
        // Several: what each replaces is set aside (untracked, so an interruption never deletes
        // it) until all are in place, and put back if any rename fails.
        var done: [(staged: StagedFile, aside: String?, replacedEmptyFolder: Bool)] = []
        func undo() {
            for (staged, aside, replacedEmptyFolder) in done.reversed() {
                // What was renamed into place is this command's own temporary, moved back.
                _ = rename(staged.destination, staged.temporary)
                if let aside { _ = rename(aside, staged.destination) }
                if replacedEmptyFolder { _ = mkdir(staged.destination, 0o755) }
            }
        }
        for staged in pending {
            var aside: String? = nil, replacedEmptyFolder = false
            var info = stat()
            if lstat(staged.destination, &info) == 0 {
                if info.st_mode & S_IFMT == S_IFDIR {
                    // Only an empty folder is replaced by a folder (rename(2) refuses any other).
                    guard Self.isFolder(staged.temporary), Self.isEmptyFolder(staged.destination) else {
                        undo()
                        discard()
                        throw VAExprsError(
                            .cannotWrite,
                            """
                            \(staged.destination) is a folder that is not empty (or not replaceable by this \
                            output); nothing in it was changed and no output was written
                            """
                        )
                    }
                    replacedEmptyFolder = true
                } else {
                    // Set aside under a fresh name, untracked: an interruption never deletes it.
                    let path = temporaryPath(beside: staged.destination)
                    guard rename(staged.destination, path) == 0 else {
                        let reason = String(cString: strerror(errno))
                        undo()
                        discard()
                        throw VAExprsError(
                            .cannotWrite, "\(staged.destination): cannot be replaced (\(reason)); no output was written"
                        )
                    }
                    aside = path
                }
            }
            guard rename(staged.temporary, staged.destination) == 0 else {
                let reason = String(cString: strerror(errno))
                if let aside { _ = rename(aside, staged.destination) }
                undo()
                discard()
                throw VAExprsError(
                    .cannotWrite, "\(staged.destination): cannot be written (\(reason)); no output was written")
            }
            done.append((staged, aside, replacedEmptyFolder))
        }
        for (staged, aside, _) in done {
            TemporaryFiles.untrack(staged.temporary)
            // A set-aside file, never a folder: unlink(2) cannot remove one.
            if let aside { _ = unlink(aside) }
        }
    }

    private static func isEmptyFolder(_ path: String) -> Bool {
        (try? FileManager.default.contentsOfDirectory(atPath: path).isEmpty) ?? false
    }

    private static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Removes every staged temporary not yet committed: each is a file `open` created, or a
    /// file or new folder a writer created and handed over (`adopt` takes nothing else), so
    /// nothing removed here was ever the user's.
    package func discard() {
        for staged in pending {
            try? FileManager.default.removeItem(atPath: staged.temporary)
            TemporaryFiles.untrack(staged.temporary)
        }
        pending.removeAll()
    }

    deinit { discard() }
}
