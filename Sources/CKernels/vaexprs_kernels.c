#include "vaexprs_kernels.h"
#include <math.h>

__attribute__((target_clones("avx2", "default")))
void vaexprs_adam_update(float *restrict w, float *restrict m, float *restrict v,
                         const float *restrict g, int64_t n,
                         float alpha, float b1, float b2, float eps) {
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    for (int64_t i = 0; i < n; i++) {
        const float gi = g[i];
        const float mi = m[i] + (gi - m[i]) * c1;
        const float vi = v[i] + (gi * gi - v[i]) * c2;
        m[i] = mi;
        v[i] = vi;
        w[i] -= alpha * mi / (sqrtf(vi) + eps);
    }
}

void vaexprs_column_sums(const float *restrict x, float *restrict sums, int64_t rows, int64_t cols) {
    for (int64_t c = 0; c < cols; c++) sums[c] = 0.0f;
    for (int64_t r = 0; r < rows; r++) {
        const float *restrict row = x + r * cols;
        for (int64_t c = 0; c < cols; c++) sums[c] += row[c];
    }
}

__attribute__((target_clones("avx2", "default")))
void vaexprs_bernoulli_logits(const float *restrict logits, const float *restrict x,
                              float *restrict loss, float *restrict grad, int64_t n, float scale) {
    for (int64_t i = 0; i < n; i++) {
        const float v = logits[i];
        const float e = expf(-fabsf(v));
        loss[i] = fmaxf(v, 0.0f) - x[i] * v + logf(1.0f + e);
    }
    if (!grad) return;
    for (int64_t i = 0; i < n; i++) {
        const float v = logits[i];
        const float e = expf(-fabsf(v));
        const float inv = 1.0f / (1.0f + e);
        grad[i] = scale * ((v >= 0.0f ? inv : e * inv) - x[i]);
    }
}

void vaexprs_broadcast_rows(float *restrict dst, const float *restrict bias, int64_t rows, int64_t cols) {
    for (int64_t r = 0; r < rows; r++) {
        float *restrict row = dst + r * cols;
        for (int64_t c = 0; c < cols; c++) row[c] = bias[c];
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void vaexprs_sparse_times_dense(const int64_t *restrict gene_starts, const int32_t *restrict cells,
                                const float *restrict values, int64_t genes, const float *restrict w,
                                int64_t units, int64_t c0, int64_t c1, float *restrict out) {
    for (int64_t j = 0; j < genes; j++) {
        const float *restrict wr = w + j * units;
        for (int64_t k = gene_starts[j]; k < gene_starts[j + 1]; k++) {
            const float v = values[k];
            float *restrict o = out + (int64_t)cells[k] * units;
            for (int64_t c = c0; c < c1; c++) o[c] += v * wr[c];
        }
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void vaexprs_sparse_weight_gradient(const int64_t *restrict gene_starts, const int32_t *restrict cells,
                                    const float *restrict values, int64_t genes, const float *restrict delta,
                                    int64_t units, int64_t c0, int64_t c1, float *restrict dw) {
    for (int64_t j = 0; j < genes; j++) {
        float *restrict d = dw + j * units;
        for (int64_t c = c0; c < c1; c++) d[c] = 0.0f;
        for (int64_t k = gene_starts[j]; k < gene_starts[j + 1]; k++) {
            const float v = values[k];
            const float *restrict g = delta + (int64_t)cells[k] * units;
            for (int64_t c = c0; c < c1; c++) d[c] += v * g[c];
        }
    }
}
