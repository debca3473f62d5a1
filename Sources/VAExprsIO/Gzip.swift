import CZlib
import Foundation
import VAExprsCore

/// Whole-file reading with transparent gzip (zlib's gz* API reads plain files too); writing goes through `ByteSink`.
package enum Gzip {
    /// The bytes of `path`, decompressed when it is gzip; throws `.missingInput` naming the file.
    package static func readAll(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw VAExprsError(.missingInput, "\(path): no such file; check the path")
        }
        guard !isDirectory.boolValue else {
            throw VAExprsError(.missingInput, "\(path): is a directory; give a CSV/TSV file")
        }
        guard let file = gzopen(path, "rb") else {
            throw VAExprsError(.missingInput, "\(path): cannot be opened for reading; check its permissions")
        }
        defer { gzclose(file) }
        gzbuffer(file, 1 << 17)
        var out: [UInt8] = []
        // Not zeroed: only the pages gzread fills are touched (small files stay cheap).
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { chunk.deallocate() }
        while true {
            let n = gzread(file, chunk.baseAddress, UInt32(chunk.count))
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown error"
                throw VAExprsError(
                    .badData,
                    """
                    \(path): damaged gzip data (\(message): a failed CRC-32 or length check, or corrupt \
                    compressed data); restore or re-download the file
                    """
                )
            }
            if n == 0 {
                // zlib checks each member's CRC-32 and length trailer itself; at the end of the
                // input, Z_BUF_ERROR means the file stopped inside a compressed stream.
                var code: Int32 = 0
                _ = gzerror(file, &code)
                if code == Z_BUF_ERROR {
                    throw VAExprsError(
                        .badData,
                        """
                        \(path): the gzip data end early (the file is truncated after \(out.count) decompressed \
                        bytes); restore or re-download the file
                        """
                    )
                }
                break
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<Int(n)]))
        }
        return out
    }
}
