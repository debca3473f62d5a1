/*
 * An example run-time plugin in C: the `random_projection` reducer.
 * Centres the cells, then projects them on k Gaussian directions with entries N(0, 1/k)
 * (Johnson–Lindenstrauss), drawn from the host's seeded generator so runs repeat.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vaexprs_plugin.h"

static const vaexprs_host *host;

static int32_t init(const vaexprs_host *services, char *error, size_t error_size) {
    (void)error; (void)error_size;
    host = services;
    return 0;
}

/* No settings: the state is a dummy allocation. */
static void *create(const char *options_json, char *error, size_t error_size) {
    if (options_json && strcmp(options_json, "{}") != 0) {
        snprintf(error, error_size, "random_projection takes no options (got %s)", options_json);
        return NULL;
    }
    return malloc(1);
}

static void destroy(void *state) { free(state); }

static int32_t reduce(void *state, const double *x, int64_t n, int64_t d, int32_t k, double *out, vaexprs_rng *rng,
                      char *error, size_t error_size) {
    (void)state;
    if (k < 1 || k > d) {
        snprintf(error, error_size, "random_projection gives 1 to %lld components (the features), asked for %d", (long long)d, k);
        return 1;
    }
    double *mean = calloc((size_t)d, sizeof(double));
    double *directions = malloc((size_t)(d * k) * sizeof(double));
    if (!mean || !directions) { free(mean); free(directions); snprintf(error, error_size, "out of memory"); return 1; }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++) mean[j] += x[i * d + j] / (double)n;
    double scale = 1.0 / sqrt((double)k);
    for (int64_t j = 0; j < d * k; j++) directions[j] = host->rng_normal(rng) * scale;
    for (int64_t i = 0; i < n; i++)
        for (int32_t c = 0; c < k; c++) {
            double s = 0;
            for (int64_t j = 0; j < d; j++) s += (x[i * d + j] - mean[j]) * directions[j * k + c];
            out[i * k + c] = s;
        }
    free(mean);
    free(directions);
    return 0;
}

static const vaexprs_reducer_vtable reducer_table = {
    .struct_size = sizeof(vaexprs_reducer_vtable), .create = create, .destroy = destroy, .reduce = reduce,
};

static const vaexprs_component components[] = {
    {.kind = VAEXPRS_KIND_REDUCER, .name = "random_projection",
     .description = "Gaussian random projection of the centred cells", .vtable = &reducer_table},
};

static const vaexprs_plugin descriptor = {
    .magic = VAEXPRS_PLUGIN_MAGIC, .abi_version = VAEXPRS_PLUGIN_ABI_VERSION, .struct_size = sizeof(vaexprs_plugin),
    .name = "random-projection", .version = "1.0.0", .description = "A random-projection reducer written in C",
    .init = init, .component_size = sizeof(vaexprs_component), .component_count = 1, .components = components,
};

const vaexprs_plugin *vaexprs_plugin_entry(void) { return &descriptor; }
