import CPlatform

/// The processor VAExprs runs on, as CPUID and the operating system report it: identity and
/// the vector instruction sets that can actually be used (present and enabled by the OS).
package struct CPUFeatures: Sendable, Codable, Equatable {
    /// "GenuineIntel", "AuthenticAMD", ... (empty off x86-64).
    package var vendor: String
    /// The brand string ("AMD EPYC ...", "Intel(R) Xeon(R) ...").
    package var brand: String
    /// Display family and model (extended fields folded in), and stepping.
    package var family: Int, model: Int, stepping: Int
    /// Usable instruction-set extensions by their usual lower-case names
    /// (e.g. "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile").
    package var features: [String]
    /// The CPU reports AVX-512F but the operating system does not enable its registers.
    package var avx512DisabledByOS: Bool

    /// Whether `name` (as in `features`) can be used.
    package func has(_ name: String) -> Bool { features.contains(name) }

    /// The widest vector tier usable for single-precision matrix kernels.
    package var vectorTier: VectorTier {
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(has) { return .avx512 }
        if has("avx2") && has("fma") { return .avx2 }
        if has("avx") { return .avx }
        return .sse
    }

    /// Reads this machine's processor (once per call; cheap).
    package static func detect() -> CPUFeatures {
        var info = vaexprs_cpu_info()
        vaexprs_cpu_detect(&info)
        let flags: [(String, Int32)] = [
            ("sse3", info.sse3), ("ssse3", info.ssse3), ("sse4_1", info.sse41), ("sse4_2", info.sse42),
            ("avx", info.avx), ("fma", info.fma), ("f16c", info.f16c), ("avx2", info.avx2), ("avx_vnni", info.avxvnni),
            ("avx512f", info.avx512f), ("avx512dq", info.avx512dq), ("avx512cd", info.avx512cd),
            ("avx512bw", info.avx512bw), ("avx512vl", info.avx512vl), ("avx512ifma", info.avx512ifma),
            ("avx512vbmi", info.avx512vbmi), ("avx512_vnni", info.avx512vnni), ("avx512_bf16", info.avx512bf16),
            ("avx512_fp16", info.avx512fp16), ("amx_tile", info.amx_tile), ("amx_int8", info.amx_int8),
            ("amx_bf16", info.amx_bf16)
        ]
        return CPUFeatures(
            vendor: cString(info.vendor), brand: cString(info.brand), family: Int(info.family),
            model: Int(info.model), stepping: Int(info.stepping),
            features: flags.filter { $0.1 != 0 }.map(\.0),
            avx512DisabledByOS: info.avx512_hardware != 0 && info.avx512f == 0)
    }

    private static func cString<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// Vector instruction tiers, in increasing order of what single-precision kernels can use.
package enum VectorTier: Int, Sendable, Codable, Comparable, CustomStringConvertible {
    /// SSE2/SSE3 only (128-bit, no FMA).
    case sse = 0
    /// AVX (256-bit, no FMA).
    case avx = 1
    /// AVX2 with FMA (256-bit).
    case avx2 = 2
    /// AVX-512 F/BW/DQ/VL (512-bit).
    case avx512 = 3

    /// Lower tiers first.
    package static func < (a: VectorTier, b: VectorTier) -> Bool { a.rawValue < b.rawValue }

    package var description: String { ["SSE", "AVX", "AVX2+FMA", "AVX-512"][rawValue] }
}
