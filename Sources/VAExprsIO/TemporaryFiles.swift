import Foundation
import Synchronization
import VAExprsCore

/// The temporary files and folders outputs are written to before they are renamed into place,
/// so that an interrupted command can remove them: a command-line program calls
/// `removeOnTermination()` once, and SIGINT, SIGTERM or SIGHUP then unlink every temporary
/// still in flight before the process ends as the signal asks. (Library code never installs
/// signal handlers itself.)
package enum TemporaryFiles {
    /// At most this many temporaries are tracked at once (a command has a handful).
    static let capacity = 256
    /// C strings of the tracked paths; read by the signal handler without locking (a slot
    /// is written before it is published, and cleared before it is freed).
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    private static let lock = Mutex(())

    /// Tracks `path` (a file, or a folder whose files are tracked after it).
    package static func track(_ path: String) {
        lock.withLock { _ in
            for i in 0..<capacity where slots[i] == nil {
                slots[i] = strdup(path)
                return
            }
        }
    }

    /// Stops tracking `path` and everything tracked inside it (after a rename into place or removal).
    package static func untrack(_ path: String) {
        lock.withLock { _ in
            for i in 0..<capacity {
                guard let p = slots[i] else { continue }
                let tracked = String(cString: p)
                if tracked == path || tracked.hasPrefix(path + "/") {
                    slots[i] = nil
                    free(p)
                }
            }
        }
    }

    /// Creates the temporary folder `path` (only if nothing is there) and tracks it; files
    /// created in it later are tracked after it, so an interruption removes them first.
    /// - Throws: `VAExprsError.cannotWrite` naming `destination`, for which it was made.
    package static func createFolder(_ path: String, for destination: String) throws {
        guard mkdir(path, 0o755) == 0 else {
            throw VAExprsError(
                .cannotWrite, "\(destination): cannot create a folder beside it (\(String(cString: strerror(errno))))")
        }
        track(path)
    }

    /// Removes the temporary file `path` this process created and stops tracking it.
    package static func remove(_ path: String) {
        _ = unlink(path)
        untrack(path)
    }

    /// Paths tracked now (for tests).
    package static var tracked: [String] {
        lock.withLock { _ in (0..<capacity).compactMap { slots[$0].map { String(cString: $0) } } }
    }

    /// Installs the SIGINT/SIGTERM/SIGHUP handler that removes tracked temporaries, then
    /// ends the process with the signal's default action. The signals are also unblocked on
    /// the calling thread (and so on threads it starts later): a parent may have started us
    /// with them blocked, and then nothing could stop the command cleanly.
    package static func removeOnTermination() {
        var handled = sigset_t()
        sigemptyset(&handled)
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = removeAndReraise
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
            sigaddset(&handled, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    }
}

/// The signal handler: only async-signal-safe calls (unlink, rmdir, signal, raise). Newest
/// slots first, so that files inside a temporary folder go before the folder.
private func removeAndReraise(_ signal: Int32) {
    var i = TemporaryFiles.capacity - 1
    while i >= 0 {
        if let p = TemporaryFiles.slots[i] {
            if unlink(p) != 0 { rmdir(p) }
        }
        i -= 1
    }
    Glibc.signal(signal, SIG_DFL)
    raise(signal)
}

/// Creates the temporary file `path` for writing only if nothing (not even a symbolic link) is
/// there, tracks it for removal on interruption, and returns its descriptor: temporaries are
/// never opened through a link someone planted, and a path this process did not create is
/// never tracked (nor, therefore, removed).
func createExclusively(_ path: String) throws -> Int32 {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
    if fd >= 0 { TemporaryFiles.track(path) }
    guard fd >= 0 else {
        let code = errno, reason = String(cString: strerror(code))
        let advice =
            code == ENAMETOOLONG
            ? "choose a shorter file name"
            : code == ENOSPC || code == EDQUOT
                ? "free some space on that disk"
                : code == EACCES || code == EROFS || code == EPERM
                    ? "check that its folder is writable" : "check the path"
        throw VAExprsError(.cannotWrite, "\(path): cannot be created (\(reason)); \(advice)")
    }
    return fd
}
