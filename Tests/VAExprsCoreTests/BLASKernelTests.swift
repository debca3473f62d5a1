import Foundation
import Testing
import VAExprsCore

@testable import VAExprsPlatform

/// The kernel-selection decision as a pure function (CPUs described by hand, including the
/// Intel family 6 model 207 that Debian's OpenBLAS 0.3.21 does not know), and what this
/// machine's detection reports.
struct BLASKernelTests {
    func cpu(_ vendor: String, _ features: [String], family: Int = 6, model: Int = 207) -> CPUFeatures {
        CPUFeatures(
            vendor: vendor, brand: "test", family: family, model: model, stepping: 0, features: features,
            avx512DisabledByOS: false)
    }
    let avx2 = ["sse3", "ssse3", "sse4_1", "sse4_2", "avx", "fma", "f16c", "avx2"]
    var avx512: [String] { avx2 + ["avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"] }
    var emeraldRapids: [String] {
        avx512 + ["avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_int8", "amx_bf16"]
    }

    @Test func genericFallbackOnANewIntelIsReplaced() {
        let plan = BLASKernel.plan(
            cpu: cpu("GenuineIntel", emeraldRapids), chosenAtLoad: "Prescott", userCoreType: nil, canSelect: true)
        guard case .select(let core, _) = plan else {
            Issue.record("expected a selection, got \(plan)")
            return
        }
        #expect(core == "Cooperlake")
        let skylake = BLASKernel.plan(
            cpu: cpu("GenuineIntel", avx512, model: 85), chosenAtLoad: "Haswell", userCoreType: nil, canSelect: true)
        #expect(skylake == .select("SkylakeX", "OpenBLAS chose Haswell (AVX2+FMA) but the CPU supports AVX-512"))
    }

    @Test func vendorsGetTheirAVX2Kernels() {
        #expect(BLASKernel.preferredCore(for: cpu("AuthenticAMD", avx2, family: 23, model: 49)) == "Zen")
        #expect(BLASKernel.preferredCore(for: cpu("GenuineIntel", avx2, model: 60)) == "Haswell")
        #expect(BLASKernel.preferredCore(for: cpu("GenuineIntel", ["sse3", "avx"], model: 42)) == "Sandybridge")
        #expect(BLASKernel.preferredCore(for: cpu("GenuineIntel", ["sse3"], model: 23)) == nil)
    }

    @Test func goodOrUnknownChoicesAndTheUsersVariableAreKept() {
        let modern = cpu("AuthenticAMD", avx512 + ["avx512_bf16"], family: 25, model: 17)
        for (chosen, user, canSelect, origin) in [
            ("Cooperlake", nil, true, BLASKernelSelection.Origin.openBLAS),
            ("SkylakeX", nil, true, .openBLAS),
            ("SomeFutureCore", nil, true, .openBLAS),
            ("Prescott", "Prescott", true, .user),
            ("Prescott", nil, false, .fixed)
        ] as [(String, String?, Bool, BLASKernelSelection.Origin)] {
            let plan = BLASKernel.plan(cpu: modern, chosenAtLoad: chosen, userCoreType: user, canSelect: canSelect)
            guard case .keep(let got, _) = plan else {
                Issue.record("\(chosen), user \(user ?? "-"): expected keep, got \(plan)")
                continue
            }
            #expect(got == origin, "\(chosen), user \(user ?? "-")")
        }
        // A user's core below the CPU's tier is kept, and the explanation says what it costs.
        guard
            case .keep(_, let why) = BLASKernel.plan(
                cpu: modern, chosenAtLoad: "Haswell", userCoreType: "Haswell", canSelect: true)
        else {
            Issue.record("a user's OPENBLAS_CORETYPE must be kept")
            return
        }
        #expect(why.contains("respected") && why.contains("AVX-512") && why.contains("unset it"), "\(why)")
        // Not OpenBLAS at all.
        #expect(
            BLASKernel.plan(cpu: modern, chosenAtLoad: nil, userCoreType: nil, canSelect: false)
                == .keep(.fixed, "the BLAS is not OpenBLAS; its kernels are its own"))
        // An AVX2 kernel on an AVX2 machine is already the best tier.
        guard
            case .keep = BLASKernel.plan(
                cpu: cpu("AuthenticAMD", avx2), chosenAtLoad: "Zen", userCoreType: nil, canSelect: true)
        else {
            Issue.record("Zen on an AVX2 CPU should be kept")
            return
        }
    }

    @Test func coreNamesAreRankedByTier() {
        #expect(BLASKernel.tier(ofCore: "PRESCOTT") == .sse)
        #expect(BLASKernel.tier(ofCore: "Sandybridge") == .avx)
        #expect(BLASKernel.tier(ofCore: "zen") == .avx2)
        #expect(BLASKernel.tier(ofCore: "Cooperlake") == .avx512)
        #expect(BLASKernel.tier(ofCore: "riscv64_generic") == nil)
    }

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
            "OPENBLAS_CORETYPE is set, so the selection is the user's"))
    func thisMachineRunsItsBestTier() throws {
        let machine = CPUFeatures.detect()
        let selection = BLASKernel.current
        #expect(selection.origin != .user)
        if selection.origin != .fixed, let active = selection.active, let tier = BLASKernel.tier(ofCore: active) {
            #expect(
                tier >= machine.vectorTier || BLASKernel.preferredCore(for: machine) == nil,
                "OpenBLAS runs \(active) on a \(machine.vectorTier) CPU: \(selection.explanation)")
        }
        #if arch(x86_64)
            #expect(!machine.vendor.isEmpty && machine.has("sse3"))
            #expect(BLASKernel.productIsCorrect())
        #endif
    }

    @Test(.enabled(if: CPUFeatures.detect().vectorTier >= .avx2, "needs AVX2+FMA to measure the FMA peak"))
    func peakMeasurementIsPlausible() {
        let peak = ComputePeak.measure(threads: 1, seconds: 0.05)
        #expect(peak.clockHz > 2e8 && peak.clockHz < 1e10, "clock \(peak.clockHz)")
        // 16 (AVX2, one FMA unit) to 64 (two 512-bit FMA units) FLOP per cycle, with room for a busy machine.
        #expect(peak.flopsPerCycle > 2 && peak.flopsPerCycle < 200, "\(peak.flopsPerCycle) FLOP/cycle")
        #expect(peak.flopsAllThreads > 0 && peak.threads == 1)
    }
}
