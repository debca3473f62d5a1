#include "vaexprs_kernels.h"
#include <math.h>

__attribute__((target_clones("avx512f", "avx2", "default")))
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

void vaexprs_row_sums_in_order(const float *restrict x, float *restrict sums, int64_t rows, int64_t cols) {
    enum { ROWS = 8 };
    int64_t r = 0;
    for (; r + ROWS <= rows; r += ROWS) {
        // Eight independent chains of additions, each in its own row's column order: a float
        // addition waits for the previous one, so one row alone runs at the adder's latency.
        float acc[ROWS] = {0};
        const float *restrict base = x + r * cols;
        for (int64_t c = 0; c < cols; c++)
            for (int i = 0; i < ROWS; i++) acc[i] += base[i * cols + c];
        for (int i = 0; i < ROWS; i++) sums[r + i] = acc[i];
    }
    for (; r < rows; r++) {
        float sum = 0;
        for (int64_t c = 0; c < cols; c++) sum += x[r * cols + c];
        sums[r] = sum;
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void vaexprs_bernoulli_logits(const float *restrict logits, const float *restrict x,
                              float *restrict loss, float *restrict grad, int64_t n, float scale) {
    if (!grad) {
        for (int64_t i = 0; i < n; i++) {
            const float v = logits[i];
            const float e = expf(-fabsf(v));
            loss[i] = fmaxf(v, 0.0f) - x[i] * v + logf(1.0f + e);
        }
        return;
    }
    // One exponential per value serves both the loss and the gradient.
    for (int64_t i = 0; i < n; i++) {
        const float v = logits[i];
        const float e = expf(-fabsf(v));
        loss[i] = fmaxf(v, 0.0f) - x[i] * v + logf(1.0f + e);
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

enum { SPARSE_BLOCK = 128 };

__attribute__((target_clones("avx512f", "avx2", "default")))
void vaexprs_sparse_times_dense(const int64_t *restrict row_starts, const int32_t *restrict genes,
                                const float *restrict values, int64_t r0, int64_t r1, const float *restrict w,
                                int64_t units, float *restrict out) {
    for (int64_t i = r0; i < r1; i++) {
        float *restrict o = out + i * units;
        const int64_t begin = row_starts[i], end = row_starts[i + 1];
        int64_t c = 0;
        // Full blocks: a fixed trip count, so the accumulators stay in vector registers.
        for (; c + SPARSE_BLOCK <= units; c += SPARSE_BLOCK) {
            float acc[SPARSE_BLOCK];
            for (int b = 0; b < SPARSE_BLOCK; b++) acc[b] = o[c + b];
            for (int64_t k = begin; k < end; k++) {
                const float v = values[k];
                const float *restrict wr = w + (int64_t)genes[k] * units + c;
                for (int b = 0; b < SPARSE_BLOCK; b++) acc[b] += v * wr[b];
            }
            for (int b = 0; b < SPARSE_BLOCK; b++) o[c + b] = acc[b];
        }
        if (c < units) {
            const int64_t rest = units - c;
            for (int64_t k = begin; k < end; k++) {
                const float v = values[k];
                const float *restrict wr = w + (int64_t)genes[k] * units + c;
                for (int64_t b = 0; b < rest; b++) o[c + b] += v * wr[b];
            }
        }
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void vaexprs_sparse_weight_gradient(const int64_t *restrict gene_starts, const int32_t *restrict cells,
                                    const float *restrict values, int64_t j0, int64_t j1, const float *restrict delta,
                                    int64_t units, float *restrict dw) {
    for (int64_t j = j0; j < j1; j++) {
        float *restrict d = dw + j * units;
        const int64_t begin = gene_starts[j], end = gene_starts[j + 1];
        int64_t c = 0;
        for (; c + SPARSE_BLOCK <= units; c += SPARSE_BLOCK) {
            float acc[SPARSE_BLOCK] = {0};
            for (int64_t k = begin; k < end; k++) {
                const float v = values[k];
                const float *restrict g = delta + (int64_t)cells[k] * units + c;
                for (int b = 0; b < SPARSE_BLOCK; b++) acc[b] += v * g[b];
            }
            for (int b = 0; b < SPARSE_BLOCK; b++) d[c + b] = acc[b];
        }
        if (c < units) {
            for (int64_t b = c; b < units; b++) d[b] = 0.0f;
            for (int64_t k = begin; k < end; k++) {
                const float v = values[k];
                const float *restrict g = delta + (int64_t)cells[k] * units;
                for (int64_t b = c; b < units; b++) d[b] += v * g[b];
            }
        }
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
int64_t vaexprs_compress_rows(const float *restrict values, int64_t rows, int64_t cols, int64_t *restrict lengths,
                              int32_t *restrict indices, float *restrict data) {
    int64_t k = 0;
    for (int64_t i = 0; i < rows; i++) {
        const float *restrict row = values + i * cols;
        const int64_t start = k;
        if (indices == 0) {
            int64_t n = 0;
            for (int64_t j = 0; j < cols; j++) n += row[j] != 0;
            k += n;
        } else {
            // Every value written, the position moved past non-zeros only (no branch per value).
            for (int64_t j = 0; j < cols; j++) {
                indices[k] = (int32_t)j;
                data[k] = row[j];
                k += row[j] != 0;
            }
        }
        if (lengths != 0) lengths[i] = k - start;
    }
    return k;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void vaexprs_relu(float *restrict values, int64_t n) {
    for (int64_t i = 0; i < n; i++) values[i] = 0.0f >= values[i] ? 0.0f : values[i];
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void vaexprs_relu_backward(float *restrict gradient, const float *restrict output, int64_t n) {
    for (int64_t i = 0; i < n; i++) gradient[i] = output[i] > 0.0f ? gradient[i] : 0.0f;
}
