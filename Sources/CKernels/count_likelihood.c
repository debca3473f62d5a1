// Count likelihoods (Poisson, NB, ZINB) of one cell, vectorised over genes. The arithmetic is
// that of VAExprsNN's CountLikelihood (which documents the model); only the loops are here.
#include "vaexprs_kernels.h"
#include <float.h>
#include <math.h>

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
