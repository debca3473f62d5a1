// Matrix products with bfloat16 inputs and float32 accumulation (AVX512_BF16's VDPBF16PS),
// for training's `--precision bf16`. The operands are rounded to bfloat16 (round to nearest
// even) while they are packed; every product of two pairs is summed in float32, so the result
// is what a float32 product of the rounded operands gives, up to the order of the sums.
//
// GotoBLAS/BLIS layout: the inner dimension is cut into blocks of KC, the rows of op(A) into
// blocks of MC, the columns of op(B) into blocks of NC; each block of op(B) is packed into
// panels of NR columns and each block of op(A) row by row, both as pairs of consecutive
// inner-dimension values (VDPBF16PS multiplies pairs); a 6 × 64 register tile of C accumulates
// over a block, broadcasting one pair of each of its 6 rows per step. Both packings read their
// source row by row (whole rows of B or A, or 16 × 16 squares of Bᵀ and Aᵀ transposed in
// registers). The order of every sum depends only on k, so the result does not
// depend on how callers split rows or columns between threads.
#include "vaexprs_kernels.h"
#include <immintrin.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16")))

enum { MR = 6, NR = 64, KC = 256, MC = 96, NC = 1024 };

/// Two rows of 16 float32 values as 16 bfloat16 pairs: lane i = bf16(lo[i]) | bf16(hi[i]) << 16,
/// the pair (lo[i], hi[i]) that VDPBF16PS multiplies.
BF16_TARGET static inline __m512i pair_lanes(__m512 lo, __m512 hi) {
    const __m512i l = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(lo));
    const __m512i h = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(hi));
    return _mm512_or_si512(l, _mm512_slli_epi32(h, 16));
}

/// 32 consecutive float32 values (fewer: `count`, the rest zero) as 16 bfloat16 pairs.
BF16_TARGET static inline __m512i consecutive_pairs(const float *x, int64_t count) {
    const __mmask16 m0 = count >= 16 ? 0xFFFF : (__mmask16)((1u << (count > 0 ? count : 0)) - 1);
    const int64_t rest = count - 16;
    const __mmask16 m1 = rest >= 16 ? 0xFFFF : (__mmask16)((1u << (rest > 0 ? rest : 0)) - 1);
    const __m512 lo = _mm512_maskz_loadu_ps(m0, x), hi = _mm512_maskz_loadu_ps(m1, x + 16);
    return (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
}

static inline __mmask16 first_lanes(int64_t count) {
    return count >= 16 ? 0xFFFF : (__mmask16)((1u << (count > 0 ? count : 0)) - 1);
}

/// Transposes a 16 × 16 matrix of 32-bit lanes held in 16 registers.
BF16_TARGET static inline void transpose16(__m512i r[16]) {
    __m512i t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        r[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
        r[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
    }
    // Each 128-bit lane j of r[4g + c] now holds rows 4g..4g+3 of column 4j + c.
    for (int c = 0; c < 4; c++) {
        const __m512i g0 = r[c], g1 = r[4 + c], g2 = r[8 + c], g3 = r[12 + c];
        const __m512i a = _mm512_shuffle_i32x4(g0, g1, 0x44), b = _mm512_shuffle_i32x4(g0, g1, 0xEE);
        const __m512i d = _mm512_shuffle_i32x4(g2, g3, 0x44), e = _mm512_shuffle_i32x4(g2, g3, 0xEE);
        t[c] = _mm512_shuffle_i32x4(a, d, 0x88);
        t[4 + c] = _mm512_shuffle_i32x4(a, d, 0xDD);
        t[8 + c] = _mm512_shuffle_i32x4(b, e, 0x88);
        t[12 + c] = _mm512_shuffle_i32x4(b, e, 0xDD);
    }
    for (int i = 0; i < 16; i++) r[i] = t[i];
}

/// Packs op(B)[k0 ..< k0+kc, j0 ..< j0+nc] into panels of NR columns: panel q holds, pair by
/// pair, NR lanes (op(B)[2p, j], op(B)[2p+1, j]); columns past nc and the odd pair's missing
/// second value are zero.
BF16_TARGET static void pack_b(int trans, const float *b, int64_t ldb, int64_t k0, int64_t kc, int64_t j0,
                               int64_t nc, int32_t *out) {
    const int64_t pairs = (kc + 1) / 2, panels = (nc + NR - 1) / NR;
    if (!trans) {
        // op(B) = B (k × n): rows 2p and 2p + 1 give the pairs of every column; each pair of
        // rows is read from start to end (sequential reads) and scattered over the panels.
        const int64_t chunks = panels * (NR / 16);
        for (int64_t p = 0; p < pairs; p++) {
            const float *r0 = b + (k0 + 2 * p) * ldb + j0;
            const int has_hi = 2 * p + 1 < kc;
            for (int64_t t = 0; t < chunks; t++) {
                const __mmask16 mask = first_lanes(nc - 16 * t);
                const __m512 lo = _mm512_maskz_loadu_ps(mask, r0 + 16 * t);
                const __m512 hi = has_hi ? _mm512_maskz_loadu_ps(mask, r0 + ldb + 16 * t) : _mm512_setzero_ps();
                _mm512_storeu_si512(out + (t / 4) * pairs * NR + p * NR + (t % 4) * 16, pair_lanes(lo, hi));
            }
        }
        return;
    }
    // op(B) = Bᵀ (B is n × k): column j's pairs lie along row j of B; 16 rows × 16 pairs at a
    // time are converted and transposed in registers.
    for (int64_t q = 0; q < panels; q++) {
        int32_t *panel = out + q * pairs * NR;
        for (int64_t s = 0; s < NR / 16; s++) {
            const int64_t j = j0 + q * NR + s * 16, cols = nc - (q * NR + s * 16);
            for (int64_t p0 = 0; p0 < pairs; p0 += 16) {
                __m512i r[16];
                for (int i = 0; i < 16; i++) {
                    r[i] = i < cols ? consecutive_pairs(b + (j + i) * ldb + k0 + 2 * p0, kc - 2 * p0)
                                    : _mm512_setzero_si512();
                }
                transpose16(r);
                const int64_t n_pairs = pairs - p0 < 16 ? pairs - p0 : 16;
                for (int64_t i = 0; i < n_pairs; i++) _mm512_storeu_si512(panel + (p0 + i) * NR + s * 16, r[i]);
            }
        }
    }
}

/// Packs op(A)[i0 ..< i0+mc, k0 ..< k0+kc] row by row: row i holds its `pairs` pairs
/// (op(A)[i, 2p], op(A)[i, 2p+1]) consecutively, rows `pairs` apart; rows up to the next
/// multiple of MR past mc and the odd pair's missing value are zero.
BF16_TARGET static void pack_a(int trans, const float *a, int64_t lda, int64_t i0, int64_t mc, int64_t k0,
                               int64_t kc, int32_t *out) {
    const int64_t pairs = (kc + 1) / 2, padded = (mc + MR - 1) / MR * MR;
    if (!trans) {
        // op(A) = A (m × k): row i's pairs are consecutive values of A's row i.
        for (int64_t i = 0; i < padded; i++)
            for (int64_t p0 = 0; p0 < pairs; p0 += 16) {
                const int64_t n_pairs = pairs - p0 < 16 ? pairs - p0 : 16;
                const __m512i v = i < mc ? consecutive_pairs(a + (i0 + i) * lda + k0 + 2 * p0, kc - 2 * p0)
                                         : _mm512_setzero_si512();
                _mm512_mask_storeu_epi32(out + i * pairs + p0, first_lanes(n_pairs), v);
            }
        return;
    }
    // op(A) = Aᵀ (A is k × m): rows 2p and 2p + 1 of A hold the pairs of 16 rows of op(A) at a
    // time; 16 such pairs are transposed in registers into 16 rows' runs of 16 pairs.
    for (int64_t c0 = 0; c0 < padded; c0 += 16) {
        const __mmask16 mask = first_lanes(mc - c0);
        const int64_t rows = padded - c0 < 16 ? padded - c0 : 16;
        for (int64_t p0 = 0; p0 < pairs; p0 += 16) {
            const int64_t n_pairs = pairs - p0 < 16 ? pairs - p0 : 16;
            __m512i r[16];
            for (int64_t p = 0; p < 16; p++) {
                if (p >= n_pairs) {
                    r[p] = _mm512_setzero_si512();
                    continue;
                }
                const float *r0 = a + (k0 + 2 * (p0 + p)) * lda + i0 + c0;
                const __m512 lo = _mm512_maskz_loadu_ps(mask, r0);
                const __m512 hi =
                    2 * (p0 + p) + 1 < kc ? _mm512_maskz_loadu_ps(mask, r0 + lda) : _mm512_setzero_ps();
                r[p] = pair_lanes(lo, hi);
            }
            transpose16(r);
            for (int64_t i = 0; i < rows; i++)
                _mm512_mask_storeu_epi32(out + (c0 + i) * pairs + p0, first_lanes(n_pairs), r[i]);
        }
    }
}

/// C[0 ..< rows, 0 ..< cols] = alpha · (A rows · B panel) + beta · C over `pairs` pairs; the MR
/// rows of packed A lie `pairs` apart.
BF16_TARGET static void micro_tile(int64_t pairs, const int32_t *restrict a, const int32_t *restrict b,
                                   float *c, int64_t ldc, int64_t rows, int64_t cols, float alpha, float beta) {
    __m512 acc[MR][4];
    for (int r = 0; r < MR; r++)
        for (int s = 0; s < 4; s++) acc[r][s] = _mm512_setzero_ps();
    const int32_t *a0 = a, *a1 = a + pairs, *a2 = a + 2 * pairs, *a3 = a + 3 * pairs, *a4 = a + 4 * pairs,
                  *a5 = a + 5 * pairs;
    for (int64_t p = 0; p < pairs; p++) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b + p * NR);
        const __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + p * NR + 16);
        const __m512bh b2 = (__m512bh)_mm512_loadu_si512(b + p * NR + 32);
        const __m512bh b3 = (__m512bh)_mm512_loadu_si512(b + p * NR + 48);
        const int32_t lanes[MR] = {a0[p], a1[p], a2[p], a3[p], a4[p], a5[p]};
#pragma clang loop unroll(full)
        for (int r = 0; r < MR; r++) {
            const __m512bh x = (__m512bh)_mm512_set1_epi32(lanes[r]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], x, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], x, b1);
            acc[r][2] = _mm512_dpbf16_ps(acc[r][2], x, b2);
            acc[r][3] = _mm512_dpbf16_ps(acc[r][3], x, b3);
        }
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int r = 0; r < MR; r++) {
        if (r >= rows) break;
        float *row = c + r * ldc;
        for (int s = 0; s < 4; s++) {
            const __mmask16 mask = first_lanes(cols - 16 * s);
            if (!mask) break;
            __m512 v = _mm512_mul_ps(va, acc[r][s]);
            if (beta != 0) v = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask, row + 16 * s), v);
            _mm512_mask_storeu_ps(row + 16 * s, mask, v);
        }
    }
}

/// Each thread's packing buffers, kept between calls (a training step makes a dozen products)
/// and freed when the thread ends.
typedef struct {
    int32_t *a, *b;
    size_t a_bytes, b_bytes;
} packing_buffers;

static pthread_key_t buffers_key;
static pthread_once_t buffers_once = PTHREAD_ONCE_INIT;

static void free_buffers(void *p) {
    packing_buffers *buffers = p;
    free(buffers->a);
    free(buffers->b);
    free(buffers);
}

static void make_buffers_key(void) { (void)pthread_key_create(&buffers_key, free_buffers); }

/// Makes `*buffer` hold at least `bytes` (a multiple of 64); 0 on success.
static int reserve(int32_t **buffer, size_t *capacity, size_t bytes) {
    if (*capacity >= bytes) return 0;
    free(*buffer);
    *buffer = aligned_alloc(64, bytes);
    *capacity = *buffer ? bytes : 0;
    return *buffer ? 0 : -1;
}

/// This thread's buffers, grown to the sizes asked; NULL when memory runs out.
static packing_buffers *thread_buffers(size_t a_bytes, size_t b_bytes) {
    (void)pthread_once(&buffers_once, make_buffers_key);
    packing_buffers *buffers = pthread_getspecific(buffers_key);
    if (!buffers) {
        buffers = calloc(1, sizeof *buffers);
        if (!buffers || pthread_setspecific(buffers_key, buffers) != 0) {
            free(buffers);
            return NULL;
        }
    }
    if (reserve(&buffers->a, &buffers->a_bytes, a_bytes) || reserve(&buffers->b, &buffers->b_bytes, b_bytes))
        return NULL;
    return buffers;
}

BF16_TARGET int32_t vaexprs_bf16_gemm(int32_t trans_a, int32_t trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                                      const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                                      int64_t ldc) {
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
        return 0;
    }
    const int64_t kc_max = k < KC ? k : KC, pairs_max = (kc_max + 1) / 2;
    const int64_t nc_max = n < NC ? n : NC, mc_max = m < MC ? m : MC;
    // aligned_alloc wants a multiple of the alignment: NR lanes are 256 bytes; MR lanes are rounded up.
    packing_buffers *buffers = thread_buffers(((size_t)(pairs_max * ((mc_max + MR - 1) / MR) * MR) * 4 + 63) / 64 * 64,
                                              (size_t)(pairs_max * ((nc_max + NR - 1) / NR) * NR) * 4);
    if (!buffers) return -1;
    int32_t *packed_a = buffers->a, *packed_b = buffers->b;
    for (int64_t j0 = 0; j0 < n; j0 += NC) {
        const int64_t nc = n - j0 < NC ? n - j0 : NC;
        for (int64_t k0 = 0; k0 < k; k0 += KC) {
            const int64_t kc = k - k0 < KC ? k - k0 : KC, pairs = (kc + 1) / 2;
            const float block_beta = k0 == 0 ? beta : 1.0f;  // later blocks add onto the first
            pack_b(trans_b, b, ldb, k0, kc, j0, nc, packed_b);
            for (int64_t i0 = 0; i0 < m; i0 += MC) {
                const int64_t mc = m - i0 < MC ? m - i0 : MC;
                pack_a(trans_a, a, lda, i0, mc, k0, kc, packed_a);
                for (int64_t jq = 0; jq < nc; jq += NR) {
                    const int32_t *bp = packed_b + (jq / NR) * pairs * NR;
                    for (int64_t iq = 0; iq < mc; iq += MR) {
                        micro_tile(pairs, packed_a + iq * pairs, bp, c + (i0 + iq) * ldc + j0 + jq, ldc,
                                   mc - iq, nc - jq, alpha, block_beta);
                    }
                }
            }
        }
    }
    return 0;
}
