// What this machine's processor can do and which OpenBLAS kernel runs: CPUID and XGETBV
// (x86-64), OpenBLAS's run-time core selection, and short micro-benchmarks of the clock and
// the floating-point peak. Called from VAExprsCore (CPUFeatures, BLASKernel, ComputePeak).
#ifndef VAEXPRS_PLATFORM_H
#define VAEXPRS_PLATFORM_H
#include <stddef.h>
#include <stdint.h>

/// Processor identity and the features VAExprs cares about. A feature is 1 only when the CPU
/// has it and the operating system saves its registers (XCR0), i.e. when it can be used.
typedef struct {
    char vendor[13];        ///< "GenuineIntel", "AuthenticAMD", ... ("" off x86-64)
    char brand[49];         ///< the brand string, e.g. "AMD EPYC 9R14 96-Core Processor"
    int32_t family;         ///< display family (base + extended)
    int32_t model;          ///< display model (with the extended model where it applies)
    int32_t stepping;
    int32_t sse3, ssse3, sse41, sse42, avx, fma, f16c, avx2;
    int32_t avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512ifma, avx512vbmi, avx512vnni;
    int32_t avx512bf16, avx512fp16, avxvnni;
    int32_t amx_tile, amx_int8, amx_bf16;  ///< present and enabled in XCR0 (Linux still asks a process to request AMX state)
    int32_t avx512_hardware;  ///< the CPU reports AVX-512F even if the OS does not enable it
} vaexprs_cpu_info;

/// Fills `info` from CPUID/XGETBV (all zero on other architectures).
void vaexprs_cpu_detect(vaexprs_cpu_info *info);

/// OpenBLAS's name for the kernel set in use ("Cooperlake", "Prescott", ...), or NULL when the
/// linked BLAS is not OpenBLAS.
const char *vaexprs_openblas_corename(void);

/// OpenBLAS's build description ("OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY ..."), or NULL.
const char *vaexprs_openblas_config(void);

/// OpenBLAS's own thread count (its internal pool), or -1.
int vaexprs_openblas_threads(void);

/// 1 when the loaded OpenBLAS selects its kernels at run time (DYNAMIC_ARCH) and exports the
/// entry points needed to select again; 0 otherwise.
int vaexprs_openblas_can_select(void);

/// Makes OpenBLAS select its kernel set again as if OPENBLAS_CORETYPE were `core` at load
/// (the variable is set only for the call and then restored). Not thread-safe: call before
/// any other thread uses BLAS. Returns 0 on success, -1 when selection is not possible.
/// Check vaexprs_openblas_corename() afterwards: OpenBLAS falls back to Prescott on a name it
/// does not know.
int vaexprs_openblas_select(const char *core);

/// Time-stamp-independent clock estimate: runs a chain of dependent integer additions (one
/// per cycle on every x86-64 core) for about `seconds` and returns additions per second.
double vaexprs_measure_clock_hz(double seconds);

/// Single-precision FMA throughput of the calling thread for about `seconds`, in FLOP/s
/// (2 per lane per FMA), using 512-bit vectors when `width` is 512 (needs AVX-512F), 256-bit
/// when 256 (needs AVX2+FMA). Returns 0 when the width is not usable.
double vaexprs_measure_fma_flops(double seconds, int width);

/// bfloat16 dot-product throughput (AVX512_BF16's VDPBF16PS on 512-bit vectors, 64 FLOPs each)
/// of the calling thread for about `seconds`, in FLOP/s; 0 when the CPU has no AVX512_BF16.
double vaexprs_measure_bf16_dot_flops(double seconds);
/// Writes into `path` (of `size` bytes) the file name of the loaded object that defines
/// `address`, as the dynamic loader knows it; returns 1, or 0 when the address belongs to no
/// loaded object or the name does not fit.
int32_t vaexprs_defining_object(const void *address, char *path, size_t size);

#endif
