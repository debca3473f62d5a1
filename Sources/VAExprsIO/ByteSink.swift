import CZlib
import Foundation
import VAExprsCore

/// A file written sequentially in buffered pieces, plain or gzip-compressed (level 6), for
/// outputs streamed block by block. Errors name the file.
package final class ByteSink {
    /// The file being written.
    package let path: String
    private var plain: UnsafeMutablePointer<FILE>?
    private var compressed: gzFile?
    private var buffer: [UInt8] = []

    /// Creates `path` for writing — only when nothing, not even a symbolic link, is there
    /// (it is always a fresh temporary); `gzip` compresses.
    package init(_ path: String, gzip: Bool) throws {
        self.path = path
        let fd = try createExclusively(path)
        if gzip {
            compressed = gzdopen(fd, "wb6")
            guard compressed != nil else {
                Glibc.close(fd)
                throw VAExprsError(.cannotWrite, "\(path): cannot be opened for compression")
            }
        } else {
            plain = fdopen(fd, "wb")
            guard plain != nil else {
                Glibc.close(fd)
                throw VAExprsError(.cannotWrite, "\(path): cannot be opened for writing")
            }
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if let plain { fclose(plain) }
        if let compressed { gzclose(compressed) }
    }

    /// Appends bytes.
    package func write<S: Sequence>(_ bytes: S) throws where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends UTF-8 text.
    package func write(_ text: String) throws { try write(text.utf8) }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        let ok: Bool = buffer.withUnsafeBytes { raw in
            if let plain { return fwrite(raw.baseAddress, 1, raw.count, plain) == raw.count }
            return gzwrite(compressed, raw.baseAddress, UInt32(raw.count)) == Int32(raw.count)
        }
        guard ok else { throw VAExprsError(.cannotWrite, "\(path): write failed (disk full?)") }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and closes the file; a failure (full disk) surfaces here.
    package func close() throws {
        try flush()
        if let plain {
            self.plain = nil
            guard fclose(plain) == 0 else {
                throw VAExprsError(.cannotWrite, "\(path): write failed when closing (disk full?)")
            }
        }
        if let compressed {
            self.compressed = nil
            guard gzclose(compressed) == Z_OK else {
                throw VAExprsError(.cannotWrite, "\(path): write failed when closing (disk full?)")
            }
        }
    }
}
