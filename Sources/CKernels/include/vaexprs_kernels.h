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

/// sums[r] = x[r, 0] + x[r, 1] + … + x[r, cols − 1], each row added in column order in float32
/// (the same bits as a plain loop), eight rows at a time so that their additions overlap.
void vaexprs_row_sums_in_order(const float *restrict x, float *restrict sums, int64_t rows, int64_t cols);

/// Binary cross-entropy from logits, element-wise over n values:
/// loss[i] = max(l, 0) − x·l + log(1 + e^−|l|); grad[i] = scale · (sigmoid(l) − x) when grad
/// is not NULL. On AVX2 machines exp and log run through glibc's vector math library.
void vaexprs_bernoulli_logits(const float *restrict logits, const float *restrict x,
                              float *restrict loss, float *restrict grad, int64_t n, float scale);

/// values[i] = 0 >= values[i] ? 0 : values[i]: Swift's max(values[i], 0), NaN kept, −0 made +0.
void vaexprs_relu(float *restrict values, int64_t n);

/// gradient[i] = 0 where output[i] ≤ 0 (ReLU's derivative from its output).
void vaexprs_relu_backward(float *restrict gradient, const float *restrict output, int64_t n);

/// dst[r, c] = bias[c] for a rows × cols row-major matrix (the start of a fused x·W + b).
void vaexprs_broadcast_rows(float *restrict dst, const float *restrict bias, int64_t rows, int64_t cols);

/// Sparse × dense for a first layer, cell by cell on the batch's CSR rows r0 ..< r1 (row i
/// holds genes[k] with values[k], k in row_starts[i] ..< row_starts[i+1]): each output row is
/// accumulated in registers, 128 columns at a time, over the weight rows of the cell's
/// non-zero genes, and stored once. out[i, c] += Σ_j x[i, j] · w[j, c]; out and w are
/// row-major with `units` columns.
void vaexprs_sparse_times_dense(const int64_t *restrict row_starts, const int32_t *restrict genes,
                                const float *restrict values, int64_t r0, int64_t r1, const float *restrict w,
                                int64_t units, float *restrict out);

/// The weight gradient of that product, gene by gene on the transposed batch (gene j holds
/// the cells cells[k] with values[k], k in gene_starts[j] ..< gene_starts[j+1]), for the genes
/// j0 ..< j1 so that threads can split them: dw[j, c] = Σ_i x[i, j] · delta[i, c], each row
/// accumulated in registers 128 columns at a time; dw and delta are row-major with `units` columns.
void vaexprs_sparse_weight_gradient(const int64_t *restrict gene_starts, const int32_t *restrict cells,
                                    const float *restrict values, int64_t j0, int64_t j1, const float *restrict delta,
                                    int64_t units, float *restrict dw);


/// c = alpha · op(a) · op(b) + beta · c (row-major; op transposes when trans_* is non-zero) with
/// the operands rounded to bfloat16 and every sum in float32: AVX512_BF16's VDPBF16PS, so only
/// for CPUs with avx512_bf16 (the caller checks). The order of the sums depends only on k, not
/// on how a caller splits rows or columns. Each thread keeps its packing buffers (under 0.6 MB)
/// between calls and frees them when it ends. Returns 0, or -1 when those buffers cannot be
/// allocated (c untouched).
int32_t vaexprs_bf16_gemm(int32_t trans_a, int32_t trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                          const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                          int64_t ldc);

/// The non-zero entries of a rows × cols row-major matrix as CSR pieces: with indices NULL
/// only counts them (lengths[i] per row when lengths is not NULL); otherwise writes their
/// columns and values, which need room for one entry more than the non-zeros (every value is
/// written and the position moves past non-zeros only). Returns the number of non-zeros.
int64_t vaexprs_compress_rows(const float *restrict values, int64_t rows, int64_t cols, int64_t *restrict lengths,
                              int32_t *restrict indices, float *restrict data);

/// Count likelihood families of vaexprs_count_nll_row.
enum { VAEXPRS_COUNT_POISSON = 0, VAEXPRS_COUNT_NB = 1, VAEXPRS_COUNT_ZINB = 2 };

/// ψ(x), the digamma function, for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10,
/// then the asymptotic series to x⁻¹⁰ (error below 3e-14 there).
double vaexprs_digamma(double x);

/// log Γ(x + θ) − log Γ(θ) and ψ(x + θ) − ψ(θ) for a count x ≥ 0 and θ > 0: exact sums
/// log Πₖ (θ + k), Σₖ 1/(θ + k) for x ≤ 8 (faster and without cancellation), lgamma and the
/// digamma function (recurrence to x ≥ 10, then the asymptotic series) otherwise.
void vaexprs_gamma_ratios(double x, double theta, double *log_gamma, double *digamma);

/// One cell's count negative log-likelihood without its parameter-free terms, in double
/// precision: mean μ_j = library · softmax(logits)_j; Poisson, negative binomial with
/// dispersion θ_j (log θ_j given too), or zero-inflated NB with dropout logits at logits + g.
/// When grad is not NULL writes scale · d/d(logits) (for ZINB also the dropout logits, at
/// grad + g); when d_log_theta is not NULL (NB, ZINB) writes scale · d/d(log θ_j).
/// scratch holds 4 · g doubles. Loops over genes are vectorised (glibc's vector exp/log);
/// the count-dependent Gamma terms run over the non-zero counts only.
double vaexprs_count_nll_row(int family, int64_t g, const float *restrict logits, const float *restrict x,
                             double library, const double *restrict theta, const double *restrict log_theta,
                             double scale, float *restrict grad, float *restrict d_log_theta, double *restrict scratch);

/// What drawing one cell's counts needs, vectorised over its g genes (glibc's vector exp and
/// log): the means μ_j = library · softmax(logits)_j (in double precision) and each count's
/// probability of zero from the count distribution, count_zero_j: (θ_j / (θ_j + μ_j))^θ_j for
/// the negative binomial (theta not NULL), e^−μ_j for Poisson. For ZINB (dropout_logits not
/// NULL) also the dropout probabilities π_j = 1 / (1 + e^−dropout_logits_j), count_zero_j
/// times 1 − π_j, and the whole probability of zero, zero_j = π_j + count_zero_j.
void vaexprs_count_sampling_row(int64_t g, const float *restrict logits, double library,
                                const double *restrict theta, const float *restrict dropout_logits,
                                double *restrict mu, double *restrict count_zero, double *restrict dropout,
                                double *restrict zero);

/// One cell's counts from one uniform each, drawn as `CountLikelihood.sample` draws them, for
/// genes start, start + 1, … while their means are at most `limit`: the uniform from the
/// xoshiro256** stream `state` (SeededGenerator's words, advanced in place), 0 below the whole
/// probability of zero (zero_j for ZINB, zero NULL; else count_zero_j), otherwise inversion
/// from count_zero_j (negative binomial with theta_j; Poisson where theta is NULL), written to
/// out_j as float. Stops at the first gene whose mean is above `limit`, returning its index with
/// its uniform in *uniform (the caller draws that count and goes on from the next gene);
/// returns g when the row is done.
int64_t vaexprs_count_draws(int64_t start, int64_t g, const double *restrict mean,
                            const double *restrict count_zero, const double *restrict zero,
                            const double *restrict theta, double limit, uint64_t state[4],
                            float *restrict out, double *uniform);

/// Makes `vaexprs_count_draws` search in AVX-512 lanes (enabled, where the CPU has them) or one
/// count at a time (0): for tests, which check that both draw the same counts.
void vaexprs_count_draws_use_vectors(int enabled);

/// Σᵢ log NB(xᵢ; μᵢ, θ) over the n cells of one gene with θ = exp(log_theta), without the
/// log xᵢ! terms; zero-inflated with dropout probabilities πᵢ when dropout is not NULL. In
/// double precision, vectorised over cells; scratch holds n doubles. (The objective of the
/// dispersion re-estimate, evaluated many times per gene.)
double vaexprs_count_gene_loglik(int64_t n, double log_theta, const float *restrict mu, const float *restrict x,
                                 const float *restrict dropout, double *restrict scratch);

/// inv(x) of a d × d row-major matrix by Gauss–Jordan elimination with partial pivoting
/// (tableau: 2·d² doubles of scratch). Returns the ratio of the largest to the smallest pivot
/// magnitude (a cheap condition estimate), or −1 for a zero or non-finite pivot.
double vaexprs_small_inverse(int64_t d, const double *restrict x, double *restrict inverse, double *restrict tableau);

/// norms[i] = ‖L⁻¹ (x_i − mean)‖² for the n rows of a row-major n × d matrix x and a
/// lower-triangular d × d row-major L (the Mahalanobis distances of Gaussian log-densities
/// with Σ = L Lᵀ), by forward substitution over all points at once; work holds n · d doubles.
void vaexprs_whitened_squared_norms(int64_t n, int64_t d, const double *restrict x, const double *restrict mean,
                                    const double *restrict l, double *restrict work, double *restrict norms);
#endif
