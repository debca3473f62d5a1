import CVAExprsPluginABI
import Foundation
import VAExprsCore
import VAExprsPlatform

/// The services table every plugin's `init` receives, and the bridge between the host's
/// `SeededGenerator` and the ABI's opaque `vaexprs_rng`.
enum HostServices {
    /// One table for the process (plugins may keep the pointer).
    nonisolated(unsafe) static let table: UnsafeMutablePointer<vaexprs_host> = {
        let table = UnsafeMutablePointer<vaexprs_host>.allocate(capacity: 1)
        table.initialize(
            to: vaexprs_host(
                struct_size: UInt32(MemoryLayout<vaexprs_host>.size),
                abi_version: VAEXPRS_PLUGIN_ABI_VERSION,
                log: { plugin, message in
                    let name = plugin.map { String(cString: $0) } ?? "plugin"
                    StandardStreams.writeError("[\(name)] \(message.map { String(cString: $0) } ?? "")\n")
                },
                progress: { plugin, fraction in
                    let name = plugin.map { String(cString: $0) } ?? "plugin"
                    StandardStreams.writeError(
                        "[\(name)] \(Int(max(0, min(100, fraction.isFinite ? fraction * 100 : 0)).rounded())) %\n")
                },
                rng_next: { rng in generator(rng).pointee.next() },
                rng_uniform: { rng in generator(rng).pointee.nextUniform() },
                rng_normal: { rng in generator(rng).pointee.nextNormal() },
                sgemm: { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
                    // The host's product: split over its worker threads like the built-in layers'.
                    BLAS.gemm(
                        transposeA: ta != 0, transposeB: tb != 0, m: Int(m), n: Int(n), k: Int(k), alpha: alpha,
                        a: a!, lda: Int(lda), b: b!, ldb: Int(ldb), beta: beta, c: c!, ldc: Int(ldc))
                },
                alloc: { bytes in malloc(max(bytes, 1)) },
                free: { pointer in Foundation.free(pointer) }))
        return table
    }()

    static func generator(_ rng: OpaquePointer?) -> UnsafeMutablePointer<SeededGenerator> {
        UnsafeMutablePointer<SeededGenerator>(rng!)
    }

    /// Runs `body` with `rng` passed as the ABI's opaque generator.
    static func withRNG<T>(_ rng: inout SeededGenerator, _ body: (OpaquePointer) throws -> T) rethrows -> T {
        try withUnsafeMutablePointer(to: &rng) { try body(OpaquePointer($0)) }
    }

    /// Calls `body` with an error buffer; throws the plugin's message when it reports failure.
    static func checked(_ what: String, _ body: (UnsafeMutablePointer<CChar>, Int) -> Bool) throws {
        var buffer = [CChar](repeating: 0, count: Int(VAEXPRS_ERROR_SIZE))
        let ok = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        if !ok {
            let end = buffer.firstIndex(of: 0) ?? buffer.count
            let message = String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw VAExprsError(.unusablePlugin, "\(what): \(message.isEmpty ? "failed without a message" : message)")
        }
    }

    /// A spec's settings as the JSON object of strings `create` receives.
    static func optionsJSON(_ spec: ComponentSpec) -> String {
        var object: [String: String] = spec.options
        for (i, value) in spec.positional.enumerated() { object["\(i)"] = value }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
