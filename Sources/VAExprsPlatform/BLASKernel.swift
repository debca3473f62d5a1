import CBLAS
import CPlatform
import Foundation

/// Which OpenBLAS kernel set runs the matrix products, and why.
///
/// Debian's OpenBLAS is built for every x86-64 (DYNAMIC_ARCH) and picks its kernels once, at
/// load, from a table of CPU models; a CPU newer than that table gets the generic SSE3
/// "Prescott" kernels, several times slower. VAExprs reads the CPU's usable vector tier itself
/// (CPUID + XGETBV) and, when OpenBLAS chose a lower tier, makes OpenBLAS select again with the
/// best kernel set for that tier (SkylakeX/Cooperlake for AVX-512, Haswell/Zen for AVX2,
/// Sandybridge for AVX), checks a product against a reference, and reverts if it disagrees.
/// An explicit `OPENBLAS_CORETYPE` from the user is always respected.
package struct BLASKernelSelection: Sendable, Codable, Equatable {
    /// How the active kernel set came to be.
    package enum Origin: String, Sendable, Codable {
        /// OpenBLAS's own detection was already the best tier; kept.
        case openBLAS = "chosen by OpenBLAS"
        /// VAExprs made OpenBLAS select again because its choice was below the CPU's tier.
        case vaexprs = "selected by VAExprs"
        /// `OPENBLAS_CORETYPE` was set by the user; respected.
        case user = "set by the user (OPENBLAS_CORETYPE)"
        /// The BLAS cannot select kernels at run time (not a DYNAMIC_ARCH OpenBLAS).
        case fixed = "fixed at build time"
    }

    /// The BLAS library's description (OpenBLAS's `openblas_get_config()`).
    package var library: String
    /// The kernel set OpenBLAS chose at load (nil when not OpenBLAS).
    package var chosenAtLoad: String?
    /// The kernel set in use now.
    package var active: String?
    /// Why `active` is what it is.
    package var origin: Origin
    /// One sentence for people: what was found and done.
    package var explanation: String
    /// Set when a benchmark emulated a machine whose OpenBLAS does not know the CPU
    /// (`VAEXPRS_EMULATE_OPENBLAS_CORE`): the kernel set OpenBLAS was forced to first.
    package var emulatedLoadChoice: String?
}

/// Run-time selection of OpenBLAS's kernels (see `BLASKernelSelection`).
package enum BLASKernel {
    /// Environment variable that makes a benchmark behave as on a machine whose OpenBLAS picks
    /// the named kernel set at load (e.g. `Prescott`, OpenBLAS's fallback for CPUs it does not
    /// know), so the selection can be measured on any machine. Ignored when OPENBLAS_CORETYPE is set.
    package static let emulationVariable = "VAEXPRS_EMULATE_OPENBLAS_CORE"

    /// The selection, made once per process on first use (before any product runs).
    package static let current: BLASKernelSelection = selectOnce()

    /// When the user's `OPENBLAS_CORETYPE` pins kernels below what the CPU can run (a shell
    /// profile setting `Haswell` on an AVX-512 machine, say), the explanation to show; else nil.
    package static var userPinnedBelowCPU: String? {
        let selection = current
        guard selection.origin == .user, let active = selection.active, let pinned = tier(ofCore: active),
            pinned < CPUFeatures.detect().vectorTier
        else { return nil }
        return selection.explanation
    }

    /// Makes sure the selection has happened (cheap after the first call).
    package static func prepare() { _ = current }

    /// The tier of an OpenBLAS kernel-set name, or nil for a name not known here
    /// (then VAExprs leaves OpenBLAS's choice alone).
    package static func tier(ofCore name: String) -> VectorTier? {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return .avx512
        case "haswell", "zen": return .avx2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": return .avx
        case "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn", "dunnington",
            "nehalem", "athlon", "opteron", "opteron_sse3", "opteron(sse3)", "barcelona", "nano", "bobcat", "generic":
            return .sse
        default: return nil
        }
    }

    /// The OpenBLAS kernel set to use for a CPU (the best for its vector tier), or nil for SSE-only CPUs.
    package static func preferredCore(for cpu: CPUFeatures) -> String? {
        switch cpu.vectorTier {
        case .avx512: return cpu.has("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        case .avx2: return cpu.vendor == "AuthenticAMD" || cpu.vendor == "HygonGenuine" ? "Zen" : "Haswell"
        case .avx: return "Sandybridge"
        case .sse: return nil
        }
    }

    /// What to do, as a pure function of what was found (tested without touching OpenBLAS).
    package enum Plan: Equatable, Sendable {
        /// Leave the kernels as they are, for the reason given.
        case keep(BLASKernelSelection.Origin, String)
        /// Make OpenBLAS select `core`, for the reason given.
        case select(String, String)
    }

    /// Decides whether to select again: only when the user did not set OPENBLAS_CORETYPE, the
    /// BLAS can select, OpenBLAS's choice is a known name below the CPU's tier.
    package static func plan(cpu: CPUFeatures, chosenAtLoad: String?, userCoreType: String?, canSelect: Bool) -> Plan {
        if let user = userCoreType, !user.isEmpty {
            if let userTier = tier(ofCore: user), userTier < cpu.vectorTier {
                return .keep(
                    .user,
                    """
                    OPENBLAS_CORETYPE=\(user) is set; respected, though it pins \(userTier) kernels on a CPU that \
                    supports \(cpu.vectorTier) (unset it to let VAExprs choose)
                    """
                )
            }
            return .keep(.user, "OPENBLAS_CORETYPE=\(user) is set; respected")
        }
        guard let chosen = chosenAtLoad else {
            return .keep(.fixed, "the BLAS is not OpenBLAS; its kernels are its own")
        }
        guard canSelect else {
            return .keep(.fixed, "this OpenBLAS is built for one CPU and cannot select kernels at run time")
        }
        guard let chosenTier = tier(ofCore: chosen) else {
            return .keep(.openBLAS, "OpenBLAS chose \(chosen), a kernel set VAExprs does not rank; kept")
        }
        let cpuTier = cpu.vectorTier
        guard chosenTier < cpuTier, let better = preferredCore(for: cpu) else {
            return .keep(.openBLAS, "OpenBLAS chose \(chosen) (\(chosenTier)); the CPU's best tier is \(cpuTier); kept")
        }
        return .select(better, "OpenBLAS chose \(chosen) (\(chosenTier)) but the CPU supports \(cpuTier)")
    }

    private static func selectOnce() -> BLASKernelSelection {
        let environment = ProcessInfo.processInfo.environment
        let cpu = CPUFeatures.detect()
        let library = vaexprs_openblas_config().map { String(cString: $0) } ?? "unknown BLAS"
        var chosen = corename()
        let user = environment["OPENBLAS_CORETYPE"]
        let canSelect = vaexprs_openblas_can_select() != 0
        var emulated: String?
        if let emulate = environment[emulationVariable], !emulate.isEmpty, user == nil || user!.isEmpty, canSelect {
            vaexprs_openblas_select(emulate)
            emulated = corename()
            chosen = emulated
        }
        switch plan(cpu: cpu, chosenAtLoad: chosen, userCoreType: user, canSelect: canSelect) {
        case .keep(let origin, let why):
            return BLASKernelSelection(
                library: library, chosenAtLoad: chosen, active: corename(), origin: origin,
                explanation: why, emulatedLoadChoice: emulated)
        case .select(let core, let why):
            vaexprs_openblas_select(core)
            let now = corename()
            if now?.lowercased() == core.lowercased(), productIsCorrect() {
                return BLASKernelSelection(
                    library: library, chosenAtLoad: chosen, active: now, origin: .vaexprs,
                    explanation: "\(why): selected \(core)", emulatedLoadChoice: emulated)
            }
            // OpenBLAS did not take the name, or the product disagreed: go back to its own choice.
            if let chosen { vaexprs_openblas_select(chosen) }
            return BLASKernelSelection(
                library: library, chosenAtLoad: chosen, active: corename(), origin: .openBLAS,
                explanation:
                    """
                    \(why); selecting \(core) failed (OpenBLAS reported \(now ?? "nothing")), so its own choice \
                    was restored
                    """,
                emulatedLoadChoice: emulated)
        }
    }

    private static func corename() -> String? { vaexprs_openblas_corename().map { String(cString: $0) } }

    /// A 37 × 29 × 41 product (odd sizes exercise the edge kernels) against a double-precision
    /// loop: a safety net for a kernel set that the CPU cannot run correctly.
    static func productIsCorrect() -> Bool {
        let m = 37, n = 29, k = 41
        let a = (0..<(m * k)).map { Float(($0 * 7919) % 23) / 11 - 1 }
        let b = (0..<(k * n)).map { Float(($0 * 104_729) % 19) / 9 - 1 }
        var c = [Float](repeating: 0, count: m * n)
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c,
            Int32(n))
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
                if abs(Double(c[i * n + j]) - s) > 1e-4 * max(1, abs(s)) { return false }
            }
        }
        return true
    }
}
