// Element-wise hot loops of training, in C so that `restrict` lets the compiler vectorise
// them (Swift cannot promise that buffers do not alias). Called from VAExprsNN.
#ifndef VAEXPRS_KERNELS_H
#define VAEXPRS_KERNELS_H
#include <stdint.h>

/// One Adam step over n values (Keras' rule):
/// m += (g - m)(1 - b1); v += (g² - v)(1 - b2); w -= alpha · m / (√v + eps).
void vaexprs_adam_update(float *restrict w, float *restrict m, float *restrict v,
                         const float *restrict g, int64_t n,
                         float alpha, float b1, float b2, float eps);

/// sums[c] = Σ_r x[r, c] for a rows × cols row-major matrix.
void vaexprs_column_sums(const float *restrict x, float *restrict sums, int64_t rows, int64_t cols);

/// Binary cross-entropy from logits, element-wise over n values:
/// loss[i] = max(l, 0) − x·l + log(1 + e^−|l|); grad[i] = scale · (sigmoid(l) − x) when grad
/// is not NULL. On AVX2 machines exp and log run through glibc's vector math library.
void vaexprs_bernoulli_logits(const float *restrict logits, const float *restrict x,
                              float *restrict loss, float *restrict grad, int64_t n, float scale);

/// dst[r, c] = bias[c] for a rows × cols row-major matrix (the start of a fused x·W + b).
void vaexprs_broadcast_rows(float *restrict dst, const float *restrict bias, int64_t rows, int64_t cols);

/// Sparse × dense for a first layer, gene by gene so that each row of w is read once per
/// batch and the batch's output stays in cache. The batch comes transposed (genes × cells,
/// CSR: gene j holds the cells cells[k] with values[k], k in gene_starts[j] ..< gene_starts[j+1]).
/// On the output columns [c0, c1) only, so that threads can split the columns:
/// out[i, c] += Σ_j x[i, j] · w[j, c]; out and w are row-major with `units` columns.
void vaexprs_sparse_times_dense(const int64_t *restrict gene_starts, const int32_t *restrict cells,
                                const float *restrict values, int64_t genes, const float *restrict w,
                                int64_t units, int64_t c0, int64_t c1, float *restrict out);

/// The weight gradient of that product on columns [c0, c1), for the same transposed batch:
/// dw[j, c] = Σ_i x[i, j] · delta[i, c] (every row of dw written, zero for absent genes).
void vaexprs_sparse_weight_gradient(const int64_t *restrict gene_starts, const int32_t *restrict cells,
                                    const float *restrict values, int64_t genes, const float *restrict delta,
                                    int64_t units, int64_t c0, int64_t c1, float *restrict dw);

#endif
