/* {{NAME}}: a Gaussian likelihood with unit variance around the decoder's output. */
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
static void evaluate(void *s, const float *out, const float *target, int64_t rows, int64_t columns, float scale, double *total, float *gradient) {
    (void)s;
    double sum = 0;
    for (int64_t i = 0; i < rows * columns; i++) {
        double r = (double)out[i] - target[i];
        sum += 0.5 * r * r + 0.91893853320467274;  /* ½ log 2π */
        if (gradient) gradient[i] = scale * (float)r;
    }
    *total = sum;
}
static void mean(void *s, const float *out, int64_t rows, int64_t columns, float *m) {
    (void)s;
    for (int64_t i = 0; i < rows * columns; i++) m[i] = out[i];
}
static void sample(void *s, const float *out, int64_t rows, int64_t columns, float *draw, vaexprs_rng *rng) {
    (void)s;
    for (int64_t i = 0; i < rows * columns; i++) draw[i] = out[i] + (float)host->rng_normal(rng);
}

/* ABI 2: scaled targets, no per-cell context needed, so the three calls above are used. A
 * count likelihood sets .data = VAEXPRS_LIKELIHOOD_COUNTS and .evaluate_cells, .mean_cells and
 * .sample_cells, which receive each cell's library size and label group. */
static const vaexprs_likelihood_vtable table = {
    .struct_size = sizeof(vaexprs_likelihood_vtable), .create = create, .destroy = destroy,
    .evaluate = evaluate, .mean = mean, .sample = sample, .data = VAEXPRS_LIKELIHOOD_SCALED,
};
#define COMPONENT_KIND VAEXPRS_KIND_LIKELIHOOD
#define COMPONENT_DESCRIPTION "Gaussian, unit variance"
#define NEEDS_HOST
