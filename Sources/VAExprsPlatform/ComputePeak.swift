import CPlatform
import Foundation
import Synchronization

/// This machine's single-precision floating-point limit, measured rather than looked up: the
/// clock (dependent integer additions, one per cycle) and the FMA throughput with the widest
/// usable vectors, on one thread and on `threads` threads at once (two hardware threads of one
/// core share its FMA units, which the all-threads figure shows).
package struct ComputePeak: Sendable, Codable, Equatable {
    /// Measured clock of one busy thread, in Hz.
    package var clockHz: Double
    /// Vector width used, in bits (512, 256, or 0 when neither AVX-512 nor AVX2+FMA is usable).
    package var vectorBits: Int
    /// FMA FLOP/s of one thread.
    package var flopsPerThread: Double
    /// FMA FLOP/s of `threads` threads running together: the limit a workload on them can reach.
    package var flopsAllThreads: Double
    /// Threads measured together.
    package var threads: Int
    /// bfloat16 dot-product (VDPBF16PS) FLOP/s of `threads` threads together: the limit of
    /// training's `--precision bf16` products; 0 without AVX512_BF16.
    package var bf16FlopsAllThreads: Double = 0

    /// FLOPs per cycle of one thread at the measured clock (64 = two 512-bit FMA units).
    package var flopsPerCycle: Double { clockHz > 0 ? flopsPerThread / clockHz : 0 }

    /// Measures for about `seconds` per phase on `threads` threads.
    package static func measure(threads: Int, seconds: Double = 0.3) -> ComputePeak {
        let cpu = CPUFeatures.detect()
        let width: Int32 = cpu.has("avx512f") ? 512 : (cpu.has("avx2") && cpu.has("fma") ? 256 : 0)
        let clock = vaexprs_measure_clock_hz(seconds)
        let single = width > 0 ? vaexprs_measure_fma_flops(seconds, width) : 0
        let n = max(1, threads)
        let all = width > 0 ? onAllThreads(n) { vaexprs_measure_fma_flops(seconds, width) } : 0
        let bf16 = cpu.has("avx512_bf16") ? onAllThreads(n) { vaexprs_measure_bf16_dot_flops(seconds) } : 0
        return ComputePeak(
            clockHz: clock, vectorBits: Int(width), flopsPerThread: single, flopsAllThreads: all, threads: n,
            bf16FlopsAllThreads: bf16)
    }

    /// The sum of `rate` measured on `threads` threads at once.
    private static func onAllThreads(_ threads: Int, _ rate: @escaping @Sendable () -> Double) -> Double {
        let results = Mutex<[Double]>([])
        let group = DispatchGroup()
        for _ in 0..<threads {
            let thread = Thread {
                let value = rate()
                results.withLock { $0.append(value) }
                group.leave()
            }
            group.enter()
            thread.start()
        }
        group.wait()
        return results.withLock { $0.reduce(0, +) }
    }
}
