// Small dense double-precision linear algebra for the mixture search (d ≤ a few dozen), where
// LAPACK's and OpenBLAS's per-call overhead exceeds the arithmetic.
#include "vaexprs_kernels.h"
#include <math.h>

__attribute__((target_clones("avx512f", "avx2", "default")))
double vaexprs_small_inverse(int64_t d, const double *restrict x, double *restrict inverse, double *restrict tableau) {
    const int64_t w = 2 * d;
    for (int64_t i = 0; i < d; i++)
        for (int64_t j = 0; j < d; j++) {
            tableau[i * w + j] = x[i * d + j];
            tableau[i * w + d + j] = i == j ? 1.0 : 0.0;
        }
    double largest = 0, smallest = INFINITY;
    for (int64_t c = 0; c < d; c++) {
        int64_t pivot = c;
        double best = fabs(tableau[c * w + c]);
        for (int64_t r = c + 1; r < d; r++)
            if (fabs(tableau[r * w + c]) > best) { best = fabs(tableau[r * w + c]); pivot = r; }
        if (!(best > 0) || !isfinite(best)) return -1;
        largest = best > largest ? best : largest;
        smallest = best < smallest ? best : smallest;
        if (pivot != c)
            for (int64_t j = 0; j < w; j++) {
                const double t = tableau[c * w + j];
                tableau[c * w + j] = tableau[pivot * w + j];
                tableau[pivot * w + j] = t;
            }
        double *restrict row = tableau + c * w;
        const double scale = 1 / row[c];
        for (int64_t j = 0; j < w; j++) row[j] *= scale;
        for (int64_t r = 0; r < d; r++) {
            if (r == c) continue;
            double *restrict other = tableau + r * w;
            const double f = other[c];
            if (f == 0) continue;
            for (int64_t j = 0; j < w; j++) other[j] -= f * row[j];
        }
    }
    for (int64_t i = 0; i < d; i++)
        for (int64_t j = 0; j < d; j++) inverse[i * d + j] = tableau[i * w + d + j];
    return largest / smallest;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void vaexprs_whitened_squared_norms(int64_t n, int64_t d, const double *restrict x, const double *restrict mean,
                                    const double *restrict l, double *restrict work, double *restrict norms) {
    // Dimension-major (d × n), so that every step below runs over all points at once.
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++) work[j * n + i] = x[i * d + j] - mean[j];
    for (int64_t i = 0; i < n; i++) norms[i] = 0;
    for (int64_t j = 0; j < d; j++) {
        double *restrict yj = work + j * n;
        for (int64_t k = 0; k < j; k++) {
            const double *restrict yk = work + k * n;
            const double ljk = l[j * d + k];
            for (int64_t i = 0; i < n; i++) yj[i] -= ljk * yk[i];
        }
        const double inverse = 1 / l[j * d + j];
        for (int64_t i = 0; i < n; i++) {
            yj[i] *= inverse;
            norms[i] += yj[i] * yj[i];
        }
    }
}
