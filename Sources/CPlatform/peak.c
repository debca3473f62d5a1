// Micro-benchmarks of the clock and the single-precision FMA peak, to state how much of the
// machine's floating-point limit a workload reaches.
#include "vaexprs_platform.h"
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#if defined(__x86_64__)
#include <immintrin.h>

double vaexprs_measure_clock_hz(double seconds) {
    const long chunk = 1000000;
    long rounds = 0;
    uint64_t x = 0;
    double start = now(), elapsed;
    do {
        for (long i = 0; i < chunk; i++) {
            // Ten dependent additions: one per cycle, whatever the core's width.
            __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                             "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
        }
        rounds++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    return elapsed > 0 ? (double)rounds * (double)chunk * 10.0 / elapsed : 0;
}

// Runs `update` (one step of each of the twelve accumulators acc[0..11], indexed by k) in
// chunks of 100 000 until `seconds` have passed, keeping the accumulators in registers
// (`constraint`: "+v" for 512-bit, "+x" for 256-bit vectors); sets `steps` (accumulator updates
// done) and `elapsed`.
#define TIMED_STEPS(seconds, acc, constraint, update, steps, elapsed)                                                  \
    do {                                                                                                           \
        const long chunk_ = 100000;                                                                                \
        long rounds_ = 0;                                                                                          \
        const double start_ = now();                                                                               \
        do {                                                                                                       \
            for (long i_ = 0; i_ < chunk_; i_++) {                                                                 \
                for (int k = 0; k < 12; k++) update;                                                               \
                __asm__ volatile("" : constraint(acc[0]), constraint(acc[1]), constraint(acc[2]), constraint(acc[3]), \
                                 constraint(acc[4]), constraint(acc[5]), constraint(acc[6]), constraint(acc[7]),     \
                                 constraint(acc[8]), constraint(acc[9]), constraint(acc[10]), constraint(acc[11])); \
            }                                                                                                      \
            rounds_++;                                                                                             \
            elapsed = now() - start_;                                                                              \
        } while (elapsed < (seconds));                                                                             \
        steps = (double)rounds_ * chunk_ * 12;                                                                     \
    } while (0)

// Consumes the accumulators so that the compiler cannot drop the loop that made them.
__attribute__((target("avx512f")))
static void keep512(const __m512 acc[12]) {
    volatile float sink = 0;
    for (int k = 0; k < 12; k++) sink += _mm512_reduce_add_ps(acc[k]);
    (void)sink;
}

// Twelve independent accumulators cover FMA latency (4 cycles) × two FMA pipes with room.
__attribute__((target("avx512f")))
static double fma512(double seconds) {
    __m512 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i * 1e-3f);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    double steps, elapsed;
    TIMED_STEPS(seconds, acc, "+v", acc[k] = _mm512_fmadd_ps(acc[k], a, b), steps, elapsed);
    keep512(acc);
    return steps * 16 * 2 / elapsed;
}

__attribute__((target("avx2,fma")))
static double fma256(double seconds) {
    __m256 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i * 1e-3f);
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    double steps, elapsed;
    TIMED_STEPS(seconds, acc, "+x", acc[k] = _mm256_fmadd_ps(acc[k], a, b), steps, elapsed);
    volatile float sink = 0;
    float lanes[8];
    for (int k = 0; k < 12; k++) { _mm256_storeu_ps(lanes, acc[k]); for (int j = 0; j < 8; j++) sink += lanes[j]; }
    (void)sink;
    return steps * 8 * 2 / elapsed;
}

// The same with bfloat16 dot products (VDPBF16PS: 16 lanes × 2 multiply-adds = 64 FLOPs), the
// instruction of training's `--precision bf16` products.
__attribute__((target("avx512f,avx512bf16")))
static double bf16dot512(double seconds) {
    __m512 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i * 1e-3f);
    const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-3f), _mm512_set1_ps(1e-3f));
    const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-4f), _mm512_set1_ps(1e-4f));
    double steps, elapsed;
    TIMED_STEPS(seconds, acc, "+v", acc[k] = _mm512_dpbf16_ps(acc[k], a, b), steps, elapsed);
    keep512(acc);
    return steps * 16 * 4 / elapsed;
}

double vaexprs_measure_bf16_dot_flops(double seconds) {
    vaexprs_cpu_info info;
    vaexprs_cpu_detect(&info);
    return info.avx512f && info.avx512bf16 ? bf16dot512(seconds) : 0;
}

double vaexprs_measure_fma_flops(double seconds, int width) {
    vaexprs_cpu_info info;
    vaexprs_cpu_detect(&info);
    if (width == 512 && info.avx512f) return fma512(seconds);
    if (width == 256 && info.avx2 && info.fma) return fma256(seconds);
    return 0;
}
#else
double vaexprs_measure_clock_hz(double seconds) { (void)seconds; return 0; }
double vaexprs_measure_fma_flops(double seconds, int width) { (void)seconds; (void)width; return 0; }
double vaexprs_measure_bf16_dot_flops(double seconds) { (void)seconds; return 0; }
#endif
