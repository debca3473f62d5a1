/* {{NAME}}: fits a diagonal Gaussian to the latent means (per label for a CVAE) and draws from it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vaexprs_plugin.h"

static const vaexprs_host *host;

typedef struct { int64_t d; double *mean; double *sd; char summary[128]; } fitted;

static void *create(const char *options_json, char *error, size_t error_size) {
    if (options_json && strcmp(options_json, "{}") != 0) { snprintf(error, error_size, "{{NAME}} takes no settings"); return NULL; }
    return malloc(1);
}
static void destroy(void *s) { free(s); }
static void *fit(void *s, const double *x, int64_t n, int64_t d, const char *label, vaexprs_rng *rng, char *error, size_t error_size) {
    (void)s; (void)rng;
    if (n < 2) { snprintf(error, error_size, "needs at least 2 points%s%s", label ? " for label " : "", label ? label : ""); return NULL; }
    fitted *f = calloc(1, sizeof(fitted));
    f->d = d;
    f->mean = calloc((size_t)d, sizeof(double));
    f->sd = calloc((size_t)d, sizeof(double));
    for (int64_t j = 0; j < d; j++) {
        for (int64_t i = 0; i < n; i++) f->mean[j] += x[i * d + j] / (double)n;
        for (int64_t i = 0; i < n; i++) f->sd[j] += pow(x[i * d + j] - f->mean[j], 2) / (double)(n - 1);
        f->sd[j] = sqrt(f->sd[j]);
    }
    snprintf(f->summary, sizeof f->summary, "{{NAME}}: diagonal Gaussian of %lld points", (long long)n);
    return f;
}
static void sample(void *p, int64_t count, int64_t d, double *out, vaexprs_rng *rng) {
    fitted *f = p;
    for (int64_t i = 0; i < count; i++)
        for (int64_t j = 0; j < d; j++) out[i * d + j] = f->mean[j] + f->sd[j] * host->rng_normal(rng);
}
static const char *summary(void *p) { return ((fitted *)p)->summary; }
static void destroy_fitted(void *p) { fitted *f = p; free(f->mean); free(f->sd); free(f); }

static const vaexprs_latent_sampler_vtable table = {
    .struct_size = sizeof(vaexprs_latent_sampler_vtable), .create = create, .destroy = destroy, .fit = fit,
    .sample = sample, .summary = summary, .destroy_fitted = destroy_fitted,
};
#define COMPONENT_KIND VAEXPRS_KIND_LATENT_SAMPLER
#define COMPONENT_DESCRIPTION "diagonal Gaussian latent sampler"
#define NEEDS_HOST
