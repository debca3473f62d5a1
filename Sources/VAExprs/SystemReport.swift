import CBLAS
import Foundation
import VAExprsCore
import VAExprsPlatform

/// What `vaexprs info` prints and benchmarks record: the processor and its usable vector
/// instruction sets, the BLAS library and the kernel set it runs (and why), the threads
/// numeric work uses, and optionally the measured floating-point limit.
package struct SystemReport: Sendable, Codable {
    /// The processor as CPUID reports it.
    package var cpu: CPUFeatures
    /// The CPU's best vector tier for single-precision kernels.
    package var vectorTier: String
    /// The BLAS library and its kernel selection.
    package var blas: BLASKernelSelection
    /// Threads VAExprs splits numeric work over by default (`--threads` overrides).
    package var defaultThreads: Int
    /// Processors this process may run on.
    package var processors: Int
    /// Threads OpenBLAS runs inside each of VAExprs' parts (VAExprs sets 1 and splits itself).
    package var openBLASThreadsPerPart: Int
    /// Which variant of VAExprs' own C kernels (Adam, losses, count likelihoods, sparse first
    /// layer: compiled for AVX-512, AVX2 and baseline x86-64, chosen at load) runs.
    package var elementwiseKernels: String
    /// The measured floating-point limit, when asked for.
    package var peak: ComputePeak?

    /// Reads the machine; measures the FMA peak on `peakThreads` threads when given (about a second).
    package static func current(peakThreads: Int? = nil) -> SystemReport {
        let threadsBefore = BLAS.setThreads(ThreadCount.default)
        defer { BLAS.setThreads(threadsBefore) }
        let cpu = CPUFeatures.detect()
        let kernels: String
        switch cpu.vectorTier {
        case .avx512: kernels = "AVX-512"
        case .avx2: kernels = "AVX2"
        default: kernels = "baseline x86-64 (SSE2)"
        }
        return SystemReport(
            cpu: cpu, vectorTier: cpu.vectorTier.description, blas: BLASKernel.current,
            defaultThreads: ThreadCount.default, processors: ProcessInfo.processInfo.activeProcessorCount,
            openBLASThreadsPerPart: Int(openblas_get_num_threads()), elementwiseKernels: kernels,
            peak: peakThreads.map { ComputePeak.measure(threads: $0) })
    }

    /// The report as lines of text.
    package var text: String {
        var lines: [String] = []
        lines.append(
            """
            cpu:         \(cpu.brand.isEmpty ? "unknown" : cpu.brand) (\(cpu.vendor), family \(cpu.family) model \
            \(cpu.model) stepping \(cpu.stepping))
            """
        )
        lines.append("features:    \(cpu.features.joined(separator: " "))")
        if cpu.avx512DisabledByOS {
            lines.append("             (the CPU has AVX-512 but the operating system does not enable it)")
        }
        lines.append("vector tier: \(vectorTier)")
        lines.append("blas:        \(blas.library)")
        lines.append(
            "kernel:      \(blas.active ?? "n/a") — \(blas.origin.rawValue); at load: \(blas.chosenAtLoad ?? "n/a")")
        lines.append("             \(blas.explanation)")
        if let emulated = blas.emulatedLoadChoice {
            lines.append(
                """
                             (emulation: OpenBLAS's load-time choice was replaced by \(emulated) through \
                \(BLASKernel.emulationVariable))
                """
            )
        }
        lines.append(
            """
            threads:     \(defaultThreads) by default (of \(processors) processors; \(parameter: "threads") sets \
            it), OpenBLAS \(openBLASThreadsPerPart) per part
            """
        )
        lines.append("own kernels: \(elementwiseKernels)")
        if let peak {
            lines.append(
                String(
                    format:
                        """
                        peak:        clock %.2f GHz; FP32 FMA (%d-bit) %.1f GFLOP/s per thread (%.0f FLOP/cycle), \
                        %.1f GFLOP/s on %d threads together
                        """,
                    peak.clockHz / 1e9, peak.vectorBits, peak.flopsPerThread / 1e9, peak.flopsPerCycle,
                    peak.flopsAllThreads / 1e9, peak.threads))
            if peak.bf16FlopsAllThreads > 0 {
                lines.append(
                    String(
                        format: "             BF16 dot products (VDPBF16PS, --precision bf16) %.1f GFLOP/s together",
                        peak.bf16FlopsAllThreads / 1e9))
            }
        }
        return lines.joined(separator: "\n")
    }
}
