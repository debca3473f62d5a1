// Count likelihoods (Poisson, NB, ZINB) of one cell, vectorised over genes. The arithmetic is
// that of VAExprsNN's CountLikelihood (which documents the model); only the loops are here.
#include "vaexprs_kernels.h"
#include <float.h>
#include <immintrin.h>
#include <math.h>
#include <stdatomic.h>

double vaexprs_digamma(double x) {
    double result = 0;
    while (x < 10) {
        result -= 1 / x;
        x += 1;
    }
    const double inverse = 1 / x, inverse2 = inverse * inverse;
    const double series = inverse2 * (1.0 / 12 - inverse2 * (1.0 / 120 - inverse2 * (1.0 / 252 - inverse2 * (1.0 / 240 - inverse2 / 132))));
    return result + log(x) - 0.5 * inverse - series;
}

void vaexprs_gamma_ratios(double x, double theta, double *log_gamma, double *digamma_ratio) {
    if (x <= 8) {
        // One logarithm of the product Π (θ + k) (at most (e¹⁵ + 7)⁸ ≈ 10⁵², no overflow).
        double product = 1, dg = 0;
        for (double k = 0; k < x; k += 1) {
            product *= theta + k;
            dg += 1 / (theta + k);
        }
        *log_gamma = log(product);
        *digamma_ratio = dg;
        return;
    }
    *log_gamma = lgamma(x + theta) - lgamma(theta);
    *digamma_ratio = vaexprs_digamma(x + theta) - vaexprs_digamma(theta);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
double vaexprs_count_nll_row(int family, int64_t g, const float *restrict logits, const float *restrict x,
                             double library, const double *restrict theta, const double *restrict log_theta,
                             double scale, float *restrict grad, float *restrict d_log_theta, double *restrict scratch) {
    // p: softmax; t: μ · dNLL/dμ; u: dLL/d log θ; ll: per-gene log-likelihood.
    double *restrict p = scratch, *restrict t = scratch + g, *restrict u = scratch + 2 * g, *restrict ll = scratch + 3 * g;
    double top = -INFINITY;
    for (int64_t j = 0; j < g; j++) top = (double)logits[j] > top ? (double)logits[j] : top;
    for (int64_t j = 0; j < g; j++) p[j] = exp((double)logits[j] - top);
    double partition = 0;
    {
#pragma clang fp reassociate(on)
        for (int64_t j = 0; j < g; j++) partition += p[j];
    }
    const double inverse_partition = 1 / partition;
    const double log_base = log(library > DBL_MIN ? library : DBL_MIN) - top - log(partition);
    if (family == VAEXPRS_COUNT_POISSON) {
        for (int64_t j = 0; j < g; j++) {
            const double pj = p[j] * inverse_partition, count = x[j];
            const double mu = library * pj, log_mu = log_base + (double)logits[j];
            p[j] = pj;
            ll[j] = count * log_mu - mu;
            t[j] = mu - count;
        }
    } else {
        for (int64_t j = 0; j < g; j++) {
            const double pj = p[j] * inverse_partition, count = x[j];
            const double mu = library * pj, log_mu = log_base + (double)logits[j];
            const double th = theta[j], lth = log_theta[j], th_mu = th + mu, log_th_mu = log(th_mu), inverse = 1 / th_mu;
            p[j] = pj;
            // log NB(count) without log Γ(count + θ) − log Γ(θ) − log count! (added below / constant).
            ll[j] = th * (lth - log_th_mu) + count * (log_mu - log_th_mu);
            t[j] = -th * (count - mu) * inverse;
            u[j] = th * (lth + 1 - log_th_mu - (th + count) * inverse);
        }
        // The Gamma-function terms, over the non-zero counts only.
        for (int64_t j = 0; j < g; j++) {
            if (x[j] > 0) {
                double lg, dg;
                vaexprs_gamma_ratios((double)x[j], theta[j], &lg, &dg);
                ll[j] += lg;
                u[j] += theta[j] * dg;
            }
        }
        if (family == VAEXPRS_COUNT_ZINB) {
            // Both cases computed and selected, so the loop vectorises; log(1 + e) for e ≤ 1
            // stands in for log1p (absolute error below 1e-16, which glibc cannot vectorise).
            const float *restrict h = logits + g;
            for (int64_t j = 0; j < g; j++) {
                const double hj = h[j], magnitude = hj > 0 ? hj : -hj;
                const double softplus = (hj > 0 ? hj : 0) + log(1 + exp(-magnitude));
                const double log_not_pi = -softplus, log_pi = hj - softplus, pi = exp(log_pi);
                // Zero count: log(π + (1 − π) NB(0)) with one exponential; the NB part's posterior weight.
                const double a = log_pi, b = log_not_pi + ll[j];
                const double high = a > b ? a : b, spread = exp((a < b ? a : b) - high);
                const double not_dropout = b >= a ? 1 / (1 + spread) : spread / (1 + spread);
                const int zero = x[j] == 0;
                const double d_h = zero ? (1 - not_dropout) - pi : -pi;
                t[j] *= zero ? not_dropout : 1;
                u[j] *= zero ? not_dropout : 1;
                ll[j] = zero ? high + log(1 + spread) : ll[j] + log_not_pi;
                if (grad) grad[g + j] = (float)(-scale * d_h);
            }
        }
        if (d_log_theta)
            for (int64_t j = 0; j < g; j++) d_log_theta[j] = (float)(-scale * u[j]);
    }
    double nll = 0, t_sum = 0;
    {
#pragma clang fp reassociate(on)
        for (int64_t j = 0; j < g; j++) {
            nll -= ll[j];
            t_sum += t[j];
        }
    }
    // Through the softmax: d/dl_k = t_k − p_k Σ_g t_g.
    if (grad)
        for (int64_t j = 0; j < g; j++) grad[j] = (float)(scale * (t[j] - p[j] * t_sum));
    return nll;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
double vaexprs_count_gene_loglik(int64_t n, double log_theta, const float *restrict mu, const float *restrict x,
                                 const float *restrict dropout, double *restrict scratch) {
    const double theta = exp(log_theta);
    double *restrict ll = scratch;
    for (int64_t i = 0; i < n; i++) {
        const double m = mu[i], log_th_mu = log(theta + m);
        ll[i] = theta * (log_theta - log_th_mu) + (double)x[i] * (log(m > DBL_MIN ? m : DBL_MIN) - log_th_mu);
    }
    for (int64_t i = 0; i < n; i++) {
        if (x[i] > 0) {
            double lg, dg;
            vaexprs_gamma_ratios((double)x[i], theta, &lg, &dg);
            ll[i] += lg;
        }
    }
    if (dropout)
        for (int64_t i = 0; i < n; i++) {
            // Both cases computed and selected, so the loop vectorises.
            const double pi = dropout[i], expressed = ll[i] + log(1 - pi), zero = log(pi + (1 - pi) * exp(ll[i]));
            ll[i] = x[i] > 0 ? expressed : zero;
        }
    double total = 0;
    {
#pragma clang fp reassociate(on)
        for (int64_t i = 0; i < n; i++) total += ll[i];
    }
    return total;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void vaexprs_count_sampling_row(int64_t g, const float *restrict logits, double library,
                                const double *restrict theta, const float *restrict dropout_logits,
                                double *restrict mu, double *restrict count_zero, double *restrict dropout,
                                double *restrict zero) {
    float top = -INFINITY;
    for (int64_t j = 0; j < g; j++) top = logits[j] > top ? logits[j] : top;
    // The exponentials and their sum (in order) in double precision.
    for (int64_t j = 0; j < g; j++) mu[j] = exp((double)(logits[j] - top));
    double partition = 0;
    for (int64_t j = 0; j < g; j++) partition += mu[j];
    const double scale = library / partition;
    for (int64_t j = 0; j < g; j++) mu[j] *= scale;
    if (theta == 0) {
        for (int64_t j = 0; j < g; j++) count_zero[j] = exp(-mu[j]);
    } else {
        for (int64_t j = 0; j < g; j++) count_zero[j] = exp(theta[j] * log(theta[j] / (theta[j] + mu[j])));
    }
    if (dropout_logits != 0) {
        for (int64_t j = 0; j < g; j++) {
            const double pi = 1 / (1 + exp(-(double)dropout_logits[j]));
            dropout[j] = pi;
            count_zero[j] *= 1 - pi;
            zero[j] = pi + count_zero[j];
        }
    }
}

/// The count at uniform u by inversion: from probability P(0) (count_zero) and the whole
/// probability of zero `below`, P(k + 1) = P(k) · (k + θ) / (k + 1) · μ / (θ + μ) (negative
/// binomial, nb ≠ 0) or P(k) · μ / (k + 1) (Poisson), until the cumulative sum passes u or the
/// terms no longer change it (SeededGenerator.negativeBinomialCount and poissonCount: the same
/// operations in the same order, so the same counts).
static inline double inverted_count(double u, double mu, double count_zero, double below, int nb, double theta) {
    double k = 0;
    if (u < below) return k;
    double probability = count_zero, cumulative = below;
    if (nb) {
        const double p = mu / (theta + mu);
        while (u >= cumulative && probability > 1e-17 * cumulative) {
            probability *= (k + theta) / (k + 1) * p;
            k += 1;
            cumulative += probability;
        }
    } else {
        while (u >= cumulative && probability > 1e-17 * cumulative) {
            probability *= mu / (k + 1);
            k += 1;
            cumulative += probability;
        }
    }
    return k;
}

/// One lane group's search state in `inverted_counts16`.
typedef struct {
    __m512d u, mu, theta, p, probability, cumulative, k;
    __mmask8 active;
} lane_search;

/// Starts the search of up to 8 genes (`lanes`) as the scalar loop starts it.
__attribute__((target("avx512f,avx512dq,avx512vl"))) static inline lane_search start_lanes(
    __mmask8 lanes, const double *u, const double *mu, const double *count_zero, const double *below,
    const double *theta) {
    lane_search l;
    l.u = _mm512_maskz_loadu_pd(lanes, u);
    l.mu = _mm512_maskz_loadu_pd(lanes, mu);
    l.probability = _mm512_maskz_loadu_pd(lanes, count_zero);
    l.cumulative = _mm512_maskz_loadu_pd(lanes, below);
    l.k = _mm512_setzero_pd();
    l.theta = theta ? _mm512_maskz_loadu_pd(lanes, theta) : _mm512_setzero_pd();
    l.p = theta ? _mm512_div_pd(l.mu, _mm512_add_pd(l.theta, l.mu)) : _mm512_setzero_pd();
    l.active = lanes & _mm512_cmp_pd_mask(l.u, l.cumulative, _CMP_GE_OQ) &
               _mm512_cmp_pd_mask(l.probability, _mm512_mul_pd(_mm512_set1_pd(1e-17), l.cumulative), _CMP_GT_OQ);
    return l;
}

/// One step of the scalar loop in every active lane.
__attribute__((target("avx512f,avx512dq,avx512vl"))) static inline void step_lanes(lane_search *l, int nb) {
    const __m512d k1 = _mm512_add_pd(l->k, _mm512_set1_pd(1));
    const __m512d factor =
        nb ? _mm512_mul_pd(_mm512_div_pd(_mm512_add_pd(l->k, l->theta), k1), l->p) : _mm512_div_pd(l->mu, k1);
    l->probability = _mm512_mask_mul_pd(l->probability, l->active, l->probability, factor);
    l->k = _mm512_mask_mov_pd(l->k, l->active, k1);
    l->cumulative = _mm512_mask_add_pd(l->cumulative, l->active, l->cumulative, l->probability);
    l->active &= _mm512_cmp_pd_mask(l->u, l->cumulative, _CMP_GE_OQ) &
                 _mm512_cmp_pd_mask(l->probability, _mm512_mul_pd(_mm512_set1_pd(1e-17), l->cumulative),
                                    _CMP_GT_OQ);
}

/// `inverted_count` for n ≤ 16 genes at once, in two groups of 8 AVX-512 double lanes whose
/// steps interleave (each step waits on a division): every lane takes the scalar loop's
/// operations and stops where it would (IEEE +, ×, ÷ give the same bits in a vector lane),
/// without the branch mispredictions of one search per count.
__attribute__((target("avx512f,avx512dq,avx512vl"))) static void inverted_counts16(
    int n, const double *u, const double *mu, const double *count_zero, const double *below, const double *theta,
    float *out) {
    const int n0 = n < 8 ? n : 8, n1 = n - n0;
    const __mmask8 lanes0 = (__mmask8)((1u << n0) - 1), lanes1 = (__mmask8)((1u << n1) - 1);
    lane_search a = start_lanes(lanes0, u, mu, count_zero, below, theta);
    lane_search b = start_lanes(lanes1, u + 8, mu + 8, count_zero + 8, below + 8, theta ? theta + 8 : NULL);
    const int nb = theta != NULL;
    while (a.active | b.active) {
        step_lanes(&a, nb);
        step_lanes(&b, nb);
    }
    _mm256_mask_storeu_ps(out, lanes0, _mm512_cvtpd_ps(a.k));
    _mm256_mask_storeu_ps(out + 8, lanes1, _mm512_cvtpd_ps(b.k));
}

/// xoshiro256**'s next 64 bits (SeededGenerator.next).
static inline uint64_t next_bits(uint64_t s[4]) {
    const uint64_t x = s[1] * 5, result = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/// Whether the searches run in AVX-512 lanes: -1 until decided (by the CPU, or by
/// `vaexprs_count_draws_use_vectors`).
static _Atomic int vector_lanes = -1;

static int cpu_has_vector_lanes(void) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
}

void vaexprs_count_draws_use_vectors(int enabled) { atomic_store(&vector_lanes, enabled && cpu_has_vector_lanes()); }

/// Counts for genes j ..< j + n (n ≤ 16) with their uniforms u: in AVX-512 lanes where the CPU
/// has them, else one search at a time (the same counts either way).
static void inverted_counts(int64_t j, int n, const double *u, const double *mean, const double *count_zero,
                            const double *zero, const double *theta, float *out) {
    int vector = atomic_load_explicit(&vector_lanes, memory_order_relaxed);
    if (vector < 0) {
        vector = cpu_has_vector_lanes();
        atomic_store(&vector_lanes, vector);
    }
    const double *below = zero ? zero + j : count_zero + j;
    if (vector) {
        inverted_counts16(n, u, mean + j, count_zero + j, below, theta ? theta + j : NULL, out + j);
        return;
    }
    for (int i = 0; i < n; i++)
        out[j + i] = (float)inverted_count(u[i], mean[j + i], count_zero[j + i], below[i], theta != NULL,
                                           theta ? theta[j + i] : 0);
}

int64_t vaexprs_count_draws(int64_t start, int64_t g, const double *restrict mean,
                            const double *restrict count_zero, const double *restrict zero,
                            const double *restrict theta, double limit, uint64_t state[4],
                            float *restrict out, double *uniform) {
    uint64_t s[4] = {state[0], state[1], state[2], state[3]};
    int64_t j = start;
    while (j < g) {
        // Up to 16 genes' uniforms, drawn in gene order; a mean above the limit ends the run (its
        // uniform goes to the caller, whose draws for it come before the next gene's).
        double u[16];
        int n = 0, stop = 0;
        while (n < 16 && j + n < g) {
            const double next = (double)(next_bits(s) >> 11) * 0x1.0p-53;
            if (!(mean[j + n] <= limit)) {
                *uniform = next;
                stop = 1;
                break;
            }
            u[n++] = next;
        }
        if (n > 0) inverted_counts(j, n, u, mean, count_zero, zero, theta, out);
        j += n;
        if (stop) break;
    }
    state[0] = s[0];
    state[1] = s[1];
    state[2] = s[2];
    state[3] = s[3];
    return j;
}
