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

// Twelve independent accumulators cover FMA latency (4 cycles) × two FMA pipes with room.
__attribute__((target("avx512f")))
static double fma512(double seconds) {
    __m512 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i * 1e-3f);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    const long chunk = 100000;
    long rounds = 0;
    double start = now(), elapsed;
    do {
        for (long i = 0; i < chunk; i++) {
            for (int k = 0; k < 12; k++) acc[k] = _mm512_fmadd_ps(acc[k], a, b);
            __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]), "+v"(acc[5]),
                             "+v"(acc[6]), "+v"(acc[7]), "+v"(acc[8]), "+v"(acc[9]), "+v"(acc[10]), "+v"(acc[11]));
        }
        rounds++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    volatile float sink = 0;
    for (int k = 0; k < 12; k++) sink += _mm512_reduce_add_ps(acc[k]);
    (void)sink;
    return (double)rounds * chunk * 12 * 16 * 2 / elapsed;
}

__attribute__((target("avx2,fma")))
static double fma256(double seconds) {
    __m256 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i * 1e-3f);
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    const long chunk = 100000;
    long rounds = 0;
    double start = now(), elapsed;
    do {
        for (long i = 0; i < chunk; i++) {
            for (int k = 0; k < 12; k++) acc[k] = _mm256_fmadd_ps(acc[k], a, b);
            __asm__ volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]), "+x"(acc[4]), "+x"(acc[5]),
                             "+x"(acc[6]), "+x"(acc[7]), "+x"(acc[8]), "+x"(acc[9]), "+x"(acc[10]), "+x"(acc[11]));
        }
        rounds++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    volatile float sink = 0;
    float lanes[8];
    for (int k = 0; k < 12; k++) { _mm256_storeu_ps(lanes, acc[k]); for (int j = 0; j < 8; j++) sink += lanes[j]; }
    (void)sink;
    return (double)rounds * chunk * 12 * 8 * 2 / elapsed;
}

// The same with bfloat16 dot products (VDPBF16PS: 16 lanes × 2 multiply-adds = 64 FLOPs), the
// instruction of training's `--precision bf16` products.
__attribute__((target("avx512f,avx512bf16")))
static double bf16dot512(double seconds) {
    __m512 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i * 1e-3f);
    const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-3f), _mm512_set1_ps(1e-3f));
    const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-4f), _mm512_set1_ps(1e-4f));
    const long chunk = 100000;
    long rounds = 0;
    double start = now(), elapsed;
    do {
        for (long i = 0; i < chunk; i++) {
            for (int k = 0; k < 12; k++) acc[k] = _mm512_dpbf16_ps(acc[k], a, b);
            __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]), "+v"(acc[5]),
                             "+v"(acc[6]), "+v"(acc[7]), "+v"(acc[8]), "+v"(acc[9]), "+v"(acc[10]), "+v"(acc[11]));
        }
        rounds++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    volatile float sink = 0;
    for (int k = 0; k < 12; k++) sink += _mm512_reduce_add_ps(acc[k]);
    (void)sink;
    return (double)rounds * chunk * 12 * 16 * 4 / elapsed;
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
