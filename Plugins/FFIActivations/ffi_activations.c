/*
 * An example libffi manifest plugin: plain C functions with natural signatures, no ABI
 * header. libFFIActivationsPlugin.json (copied beside the built library) declares them:
 *   softsign(x) = x / (1 + |x|),        softsign'(x) = 1 / (1 + |x|)²
 *   swish(x)    = x·σ(x),               swish'(x)    = σ(x) + x·σ(x)·(1 − σ(x))
 */
#include <math.h>
#include <stdint.h>

void softsign(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] / (1.0f + fabsf(x[i]));
}

void softsign_derivative(const float *x, float *dydx, int64_t n) {
    for (int64_t i = 0; i < n; i++) { float a = 1.0f + fabsf(x[i]); dydx[i] = 1.0f / (a * a); }
}

void swish(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] / (1.0f + expf(-x[i]));
}

void swish_derivative(const float *x, float *dydx, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        float s = 1.0f / (1.0f + expf(-x[i]));
        dydx[i] = s + x[i] * s * (1.0f - s);
    }
}

/* A reducer with the manifest signature: the first k columns, centred. */
int head_columns(const double *x, int64_t n, int64_t d, int32_t k, double *out) {
    if (k < 1 || k > d) return 1;
    for (int32_t c = 0; c < k; c++) {
        double mean = 0;
        for (int64_t i = 0; i < n; i++) mean += x[i * d + c] / (double)n;
        for (int64_t i = 0; i < n; i++) out[i * k + c] = x[i * d + c] - mean;
    }
    return 0;
}
