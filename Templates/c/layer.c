/* {{NAME}}: a layer y = x ⊙ scale + bias (per feature), scale starting at 1 — an identity at
 * initialisation, with its exact backward pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vaexprs_plugin.h"

typedef struct { int64_t width; float *input; int64_t batch; } layer;

static void *create(const char *options_json, char *error, size_t error_size) {
    if (options_json && strcmp(options_json, "{}") != 0) { snprintf(error, error_size, "{{NAME}} takes no settings"); return NULL; }
    return calloc(1, sizeof(layer));
}
static void destroy(void *s) { layer *l = s; free(l->input); free(l); }
static int32_t build(void *s, int64_t input_width, int64_t *output_width, char *error, size_t error_size) {
    (void)error; (void)error_size;
    ((layer *)s)->width = input_width;
    *output_width = input_width;
    return 0;
}
static int32_t parameter_count(void *s) { (void)s; return 2; }
static void parameter_shape(void *s, int32_t index, const char **name, int64_t *rows, int64_t *columns) {
    *name = index == 0 ? "scale" : "bias";
    *rows = 1;
    *columns = ((layer *)s)->width;
}
static void initialize(void *s, float *const *p, vaexprs_rng *rng) {
    (void)rng;
    for (int64_t j = 0; j < ((layer *)s)->width; j++) { p[0][j] = 1; p[1][j] = 0; }
}
static void forward(void *s, const float *const *p, const float *x, int64_t batch, float *y, int32_t training, vaexprs_rng *rng) {
    (void)training; (void)rng;
    layer *l = s;
    free(l->input);
    l->input = malloc((size_t)(batch * l->width) * sizeof(float));
    memcpy(l->input, x, (size_t)(batch * l->width) * sizeof(float));
    l->batch = batch;
    for (int64_t i = 0; i < batch; i++)
        for (int64_t j = 0; j < l->width; j++) y[i * l->width + j] = x[i * l->width + j] * p[0][j] + p[1][j];
}
static void backward(void *s, const float *const *p, const float *dy, int64_t batch, float *dx, float *const *g) {
    layer *l = s;
    for (int64_t j = 0; j < l->width; j++) { g[0][j] = 0; g[1][j] = 0; }
    for (int64_t i = 0; i < batch; i++)
        for (int64_t j = 0; j < l->width; j++) {
            float d = dy[i * l->width + j];
            g[0][j] += d * l->input[i * l->width + j];
            g[1][j] += d;
            if (dx) dx[i * l->width + j] = d * p[0][j];
        }
}

static const vaexprs_layer_vtable table = {
    .struct_size = sizeof(vaexprs_layer_vtable), .create = create, .destroy = destroy, .build = build,
    .parameter_count = parameter_count, .parameter_shape = parameter_shape, .initialize = initialize,
    .forward = forward, .backward = backward,
};
#define COMPONENT_KIND VAEXPRS_KIND_LAYER
#define COMPONENT_DESCRIPTION "per-feature scale and bias (identity at initialisation)"
