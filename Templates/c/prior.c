/* {{NAME}}: the standard normal prior, KL(N(μ, σ²) ‖ N(0, 1)) = −½ Σ (1 + log σ² − μ² − σ²). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vaexprs_plugin.h"

static const vaexprs_host *host;

static void *create(const char *options_json, char *error, size_t error_size) {
    if (options_json && strcmp(options_json, "{}") != 0) { snprintf(error, error_size, "{{NAME}} takes no settings"); return NULL; }
    return malloc(1);
}
static void destroy(void *s) { free(s); }
static void kl(void *s, const float *mean, const float *log_variance, int64_t rows, int64_t dimension, float scale,
               double *total, float *mean_gradient, float *log_variance_gradient) {
    (void)s;
    double sum = 0;
    for (int64_t i = 0; i < rows * dimension; i++) {
        double m = mean[i], v = log_variance[i];
        sum += -0.5 * (1 + v - m * m - exp(v));
        if (mean_gradient) mean_gradient[i] = scale * (float)m;
        if (log_variance_gradient) log_variance_gradient[i] = scale * (float)(0.5 * (exp(v) - 1));
    }
    *total = sum;
}
static void sample(void *s, int64_t count, int64_t dimension, float *out, vaexprs_rng *rng) {
    (void)s;
    for (int64_t i = 0; i < count * dimension; i++) out[i] = (float)host->rng_normal(rng);
}

static const vaexprs_prior_vtable table = { .struct_size = sizeof(vaexprs_prior_vtable), .create = create, .destroy = destroy, .kl = kl, .sample = sample };
#define COMPONENT_KIND VAEXPRS_KIND_PRIOR
#define COMPONENT_DESCRIPTION "standard normal prior"
#define NEEDS_HOST
