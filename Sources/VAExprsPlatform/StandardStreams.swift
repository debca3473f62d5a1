#if canImport(Glibc)
    import Glibc
#endif

/// The process's standard streams as a command-line program needs them: descriptors 0–2
/// always open, and diagnostics that can never stop the program.
package enum StandardStreams {
    /// Reopens each of descriptors 0, 1 and 2 that is closed on `/dev/null`. A program started
    /// with `2>&-` (or `>&-`, `<&-`) would otherwise hand the lowest free descriptor, 2, to the
    /// first file it opens, so a diagnostic would be written into an output file. Call it once,
    /// first thing, before any file is opened.
    package static func reopenClosed() {
        for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
            // open returns the lowest free descriptor, which is this one; any other is moved.
            if opened >= 0 && opened != descriptor {
                _ = dup2(opened, descriptor)
                close(opened)
            }
        }
    }

    /// Writes `text` to standard error, ignoring every failure (a closed descriptor, a full
    /// disk, a reader that went away): a diagnostic never stops the work it reports on.
    package static func writeError(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }
}
