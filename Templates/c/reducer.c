/* {{NAME}}: a reducer; the scaffold returns the first k features, centred (a valid embedding). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vaexprs_plugin.h"

static void *create(const char *options_json, char *error, size_t error_size) {
    if (options_json && strcmp(options_json, "{}") != 0) { snprintf(error, error_size, "{{NAME}} takes no settings"); return NULL; }
    return malloc(1);
}
static void destroy(void *s) { free(s); }
static int32_t reduce(void *s, const double *x, int64_t n, int64_t d, int32_t k, double *out, vaexprs_rng *rng, char *error, size_t error_size) {
    (void)s; (void)rng;
    if (k < 1 || k > d) { snprintf(error, error_size, "{{NAME}} gives 1 to %lld components, asked for %d", (long long)d, k); return 1; }
    for (int32_t c = 0; c < k; c++) {
        double mean = 0;
        for (int64_t i = 0; i < n; i++) mean += x[i * d + c] / (double)n;
        for (int64_t i = 0; i < n; i++) out[i * k + c] = x[i * d + c] - mean;
    }
    return 0;
}

static const vaexprs_reducer_vtable table = { .struct_size = sizeof(vaexprs_reducer_vtable), .create = create, .destroy = destroy, .reduce = reduce };
#define COMPONENT_KIND VAEXPRS_KIND_REDUCER
#define COMPONENT_DESCRIPTION "first k features, centred"
