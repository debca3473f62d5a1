import CVAExprsPluginABI
import Foundation
import VAExprsPlatform

/// The services of the program that loaded the plugin (set when the host calls the plugin's
/// `init`): messages on its standard error, its seeded random numbers and its matrix product.
public enum PluginHost {
    /// The host's table; nil until `init` (a component is never used before).
    nonisolated(unsafe) static var services: UnsafePointer<vaexprs_host>?
    /// The exporting plugin's name, prefixed to log lines.
    nonisolated(unsafe) static var pluginName: UnsafeMutablePointer<CChar> = strdup("plugin")

    /// Writes a line for the user on the host's standard error, prefixed with the plugin's name.
    public static func log(_ message: String) {
        guard let services else {
            StandardStreams.writeError("\(message)\n")
            return
        }
        message.withCString { services.pointee.log(pluginName, $0) }
    }

    /// C = alpha·op(A)·op(B) + beta·C (row-major) on the host's BLAS and worker threads, so a
    /// plugin's products use the threads the user chose (`--threads`). Falls back to the
    /// core's own product before `init`.
    public static func gemm(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        into c: inout Matrix, alpha: Float = 1, beta: Float = 0
    ) {
        guard let services else {
            BLAS.gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c, alpha: alpha, beta: beta)
            return
        }
        let k = transposeA ? a.rows : a.columns
        precondition(
            (transposeA ? a.columns : a.rows) == c.rows && (transposeB ? b.rows : b.columns) == c.columns
                && (transposeB ? b.columns : b.rows) == k, "PluginHost.gemm: shapes do not agree")
        let m = c.rows, n = c.columns
        if m == 0 || n == 0 { return }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    services.pointee.sgemm(
                        transposeA ? 1 : 0, transposeB ? 1 : 0, Int64(m), Int64(n), Int64(k), alpha,
                        pa.baseAddress, Int64(a.columns), pb.baseAddress, Int64(b.columns), beta,
                        pc.baseAddress, Int64(n))
                }
            }
        }
    }

    /// A generator seeded by one draw from the host's generator, so the plugin's draws follow
    /// the run's seed; seed 0 when the host passed none.
    static func generator(_ rng: OpaquePointer?) -> SeededGenerator {
        guard let rng, let services else { return SeededGenerator(seed: 0) }
        return SeededGenerator(seed: services.pointee.rng_next(rng))
    }

    /// Writes `error`'s message into the host's buffer (NUL-terminated, truncated to fit).
    static func report(_ error: any Error, into buffer: UnsafeMutablePointer<CChar>?, size: Int) {
        report((error as? VAExprsError)?.message ?? "\(error)", into: buffer, size: size)
    }

    /// Writes `message` into the host's buffer (NUL-terminated, truncated to fit).
    static func report(_ message: String, into buffer: UnsafeMutablePointer<CChar>?, size: Int) {
        guard let buffer, size > 0 else { return }
        // Whole characters only: never a UTF-8 sequence cut in half.
        var bytes: [UInt8] = []
        for scalar in message.unicodeScalars {
            let encoded = Array(String(scalar).utf8)
            if bytes.count + encoded.count > size - 1 { break }
            bytes += encoded
        }
        for (i, byte) in bytes.enumerated() { buffer[i] = CChar(bitPattern: byte) }
        buffer[bytes.count] = 0
    }

    /// The spec the host's options JSON describes: keys "0", "1", ... are the positional
    /// settings in order, every other key a named one.
    static func spec(name: String, optionsJSON: UnsafePointer<CChar>?) throws -> ComponentSpec {
        let text = optionsJSON.map { String(cString: $0) } ?? "{}"
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw VAExprsError.usage("\(name): the host sent settings that are not a JSON object: \(text.prefix(80))")
        }
        var spec = ComponentSpec(name: name, source: name)
        var positional: [(Int, String)] = []
        for (key, value) in object {
            let string = value as? String ?? "\(value)"
            if let index = Int(key), index >= 0, key.allSatisfy(\.isNumber) {
                positional.append((index, string))
            } else {
                spec.options[key] = string
            }
        }
        positional.sort { $0.0 < $1.0 }
        guard positional.enumerated().allSatisfy({ $0.offset == $0.element.0 }) else {
            throw VAExprsError.usage("\(name): positional settings must be numbered 0, 1, 2, ... without gaps")
        }
        spec.positional = positional.map(\.1)
        return spec
    }
}
