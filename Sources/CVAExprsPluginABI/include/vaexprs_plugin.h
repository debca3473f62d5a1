/*
 * vaexprs_plugin.h — the C ABI between VAExprs and run-time plugins (ABI version 2).
 *
 * A plugin is a shared object exporting one symbol, `vaexprs_plugin_entry`, which returns a
 * pointer to a static `vaexprs_plugin` descriptor. The descriptor's first three fields
 * (magic, abi_version, struct_size) are frozen forever: the host reads them before anything
 * else and refuses a file whose magic or ABI version it does not know, or whose structs are
 * smaller than it needs. Later ABI versions only append fields; `struct_size` tells the host
 * which are present.
 *
 * Only C types cross the boundary. Matrices are row-major float32 (double for reducers and
 * latent samplers). Fallible calls return 0 on success, or non-zero after writing a message
 * (NUL-terminated, at most `error_size` bytes) into `error`. Options reach `create` as a JSON
 * object of strings: positional settings under "0", "1", ..., named ones under their names
 * (e.g. `gated_dense:64:relu` gives {"0": "64", "1": "relu"}).
 */
#ifndef VAEXPRS_PLUGIN_H
#define VAEXPRS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VAEXPRS_PLUGIN_MAGIC 0x31474c5058454156ULL /* "VAEXPLG1" read as a little-endian uint64 */
#define VAEXPRS_PLUGIN_ABI_VERSION 2u
/* The oldest ABI this host still loads. */
#define VAEXPRS_PLUGIN_ABI_OLDEST 1u
#define VAEXPRS_PLUGIN_ENTRY_SYMBOL "vaexprs_plugin_entry"
#define VAEXPRS_ERROR_SIZE 512

/* Component kinds. */
enum {
    VAEXPRS_KIND_LAYER = 1,
    VAEXPRS_KIND_ACTIVATION = 2,
    VAEXPRS_KIND_LIKELIHOOD = 3,
    VAEXPRS_KIND_PRIOR = 4,
    VAEXPRS_KIND_LATENT_SAMPLER = 5,
    VAEXPRS_KIND_REDUCER = 6,
    VAEXPRS_KIND_RENDERER = 7
};

/* The host's seeded random number generator (opaque; use the host services to draw). */
typedef struct vaexprs_rng vaexprs_rng;

/* Services the host passes to `init`; valid for the life of the process. */
typedef struct vaexprs_host {
    uint32_t struct_size;
    uint32_t abi_version;
    /* A line for the user (stderr), prefixed with the plugin's name. */
    void (*log)(const char *plugin, const char *message);
    /* Progress of a long call, 0…1. */
    void (*progress)(const char *plugin, double fraction);
    /* Draws from the host's seeded generator (runs stay repeatable). */
    uint64_t (*rng_next)(vaexprs_rng *rng);
    double (*rng_uniform)(vaexprs_rng *rng);
    double (*rng_normal)(vaexprs_rng *rng);
    /* C = alpha·op(A)·op(B) + beta·C, row-major, op = transpose when trans_* != 0 (OpenBLAS). */
    void (*sgemm)(int32_t trans_a, int32_t trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                  const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
    /* Memory the host frees (renderer output) or that must outlive a call. */
    void *(*alloc)(size_t bytes);
    void (*free)(void *pointer);
} vaexprs_host;

/* A layer with trainable parameters and an explicit backward pass. */
typedef struct vaexprs_layer_vtable {
    uint32_t struct_size;
    void *(*create)(const char *options_json, char *error, size_t error_size);
    void (*destroy)(void *layer);
    /* Declares the output width and the parameters for `input_width` inputs. */
    int32_t (*build)(void *layer, int64_t input_width, int64_t *output_width, char *error, size_t error_size);
    int32_t (*parameter_count)(void *layer);
    /* Name (e.g. "weight"), rows and columns of parameter `index`. */
    void (*parameter_shape)(void *layer, int32_t index, const char **name, int64_t *rows, int64_t *columns);
    /* Fills every parameter's initial values. */
    void (*initialize)(void *layer, float *const *parameters, vaexprs_rng *rng);
    /* output (batch × output_width) from input (batch × input_width); keeps what backward needs. */
    void (*forward)(void *layer, const float *const *parameters, const float *input, int64_t batch,
                    float *output, int32_t training, vaexprs_rng *rng);
    /* Gradients for the last forward: input_gradient (may be NULL: not needed) and every
     * parameter's gradient (overwritten, not accumulated). */
    void (*backward)(void *layer, const float *const *parameters, const float *output_gradient, int64_t batch,
                     float *input_gradient, float *const *parameter_gradients);
} vaexprs_layer_vtable;

/* An element-wise activation, also usable as `dense:UNITS:NAME`. */
typedef struct vaexprs_activation_vtable {
    uint32_t struct_size;
    void (*forward)(const float *x, float *y, int64_t n);
    /* dx = dy · f'(x), given x and y = f(x). */
    void (*backward)(const float *x, const float *y, const float *dy, float *dx, int64_t n);
} vaexprs_activation_vtable;

/* What a likelihood's targets are (ABI 2). */
enum {
    /* Scaled continuous values: the encoder input itself (normalised, min-max scaled). */
    VAEXPRS_LIKELIHOOD_SCALED = 0,
    /* Raw whole counts; each cell's library size arrives in the context, draws are counts. */
    VAEXPRS_LIKELIHOOD_COUNTS = 1
};

/* Per-cell inputs of a likelihood, row-aligned with the batch (ABI 2). Any pointer may be NULL. */
typedef struct vaexprs_cell_context {
    uint32_t struct_size;
    /* Each cell's library size (total counts over the model's genes); counts likelihoods only. */
    const float *library_size;
    /* Each cell's label group, 0 ≤ group < group_count (conditional models); NULL otherwise. */
    const int32_t *group;
    int32_t group_count;
} vaexprs_cell_context;

/* A reconstruction likelihood over the decoder's output (cells × genes; no trainable
 * parameters through the ABI). The ABI 1 functions are called when the ABI 2 ones are NULL
 * or absent (a vtable whose struct_size ends before them). */
typedef struct vaexprs_likelihood_vtable {
    uint32_t struct_size;
    void *(*create)(const char *options_json, char *error, size_t error_size);
    void (*destroy)(void *likelihood);
    /* Negative log-likelihood summed over the batch into *total; gradient (may be NULL) of
     * scale × that sum with respect to `output`. */
    void (*evaluate)(void *likelihood, const float *output, const float *target, int64_t rows, int64_t columns,
                     float scale, double *total, float *gradient);
    /* Mean of the distribution (what `--decode mean` returns), in the data's scaled units. */
    void (*mean)(void *likelihood, const float *output, int64_t rows, int64_t columns, float *mean);
    /* One draw per entry. */
    void (*sample)(void *likelihood, const float *output, int64_t rows, int64_t columns, float *out, vaexprs_rng *rng);
    /* ---- ABI 2 ---- */
    /* VAEXPRS_LIKELIHOOD_SCALED or VAEXPRS_LIKELIHOOD_COUNTS. */
    uint32_t data;
    /* The same three calls with the cells' context; `columns` is the number of genes (the
     * decoder emits exactly that many outputs per cell). */
    void (*evaluate_cells)(void *likelihood, const float *output, const float *target, int64_t rows, int64_t columns,
                           const vaexprs_cell_context *context, float scale, double *total, float *gradient);
    void (*mean_cells)(void *likelihood, const float *output, int64_t rows, int64_t columns,
                       const vaexprs_cell_context *context, float *mean);
    void (*sample_cells)(void *likelihood, const float *output, int64_t rows, int64_t columns,
                         const vaexprs_cell_context *context, float *out, vaexprs_rng *rng);
} vaexprs_likelihood_vtable;

/* A latent prior: KL(q(z|x) ‖ p(z)) for diagonal Gaussian posteriors, and draws from p. */
typedef struct vaexprs_prior_vtable {
    uint32_t struct_size;
    void *(*create)(const char *options_json, char *error, size_t error_size);
    void (*destroy)(void *prior);
    /* *total = Σ KL over rows; gradients (may be NULL) of scale × total. */
    void (*kl)(void *prior, const float *mean, const float *log_variance, int64_t rows, int64_t dimension, float scale,
               double *total, float *mean_gradient, float *log_variance_gradient);
    void (*sample)(void *prior, int64_t count, int64_t dimension, float *out, vaexprs_rng *rng);
} vaexprs_prior_vtable;

/* A latent sampler: fits a distribution to the training cells' latent means (per label for a
 * CVAE) and draws new latent points from it. */
typedef struct vaexprs_latent_sampler_vtable {
    uint32_t struct_size;
    void *(*create)(const char *options_json, char *error, size_t error_size);
    void (*destroy)(void *sampler);
    /* label is NULL for a plain VAE. Returns a fitted distribution or NULL with an error. */
    void *(*fit)(void *sampler, const double *points, int64_t n, int64_t d, const char *label, vaexprs_rng *rng,
                 char *error, size_t error_size);
    void (*sample)(void *fitted, int64_t count, int64_t d, double *out, vaexprs_rng *rng);
    /* One line describing the fit (the returned string stays valid until destroy_fitted). */
    const char *(*summary)(void *fitted);
    void (*destroy_fitted)(void *fitted);
} vaexprs_latent_sampler_vtable;

/* A dimension reducer: n × d (rows = cells) to n × k. */
typedef struct vaexprs_reducer_vtable {
    uint32_t struct_size;
    void *(*create)(const char *options_json, char *error, size_t error_size);
    void (*destroy)(void *reducer);
    int32_t (*reduce)(void *reducer, const double *x, int64_t n, int64_t d, int32_t k, double *out, vaexprs_rng *rng,
                      char *error, size_t error_size);
} vaexprs_reducer_vtable;

/* A plot renderer: receives the figure description as JSON, returns the file's bytes
 * (allocated with host->alloc; the host frees them). */
typedef struct vaexprs_renderer_vtable {
    uint32_t struct_size;
    /* Comma-separated file extensions without dots, e.g. "vl.json,json". */
    const char *file_extensions;
    int32_t (*render)(const char *options_json, const char *figure_json, uint8_t **bytes, size_t *length,
                      char *error, size_t error_size);
} vaexprs_renderer_vtable;

/* One registered component; `vtable` points to the vtable of its kind. */
typedef struct vaexprs_component {
    uint32_t kind;
    const char *name;
    const char *description;
    const void *vtable;
} vaexprs_component;

/* The descriptor `vaexprs_plugin_entry` returns. */
typedef struct vaexprs_plugin {
    /* ---- frozen forever ---- */
    uint64_t magic;        /* VAEXPRS_PLUGIN_MAGIC */
    uint32_t abi_version;  /* VAEXPRS_PLUGIN_ABI_VERSION */
    uint32_t struct_size;  /* sizeof(vaexprs_plugin) as the plugin was compiled */
    /* ---- ABI 1 ---- */
    const char *name;
    const char *version;
    const char *description;
    /* Called once before any component is used (may be NULL). Non-zero = refuse to load. */
    int32_t (*init)(const vaexprs_host *host, char *error, size_t error_size);
    uint32_t component_size;  /* sizeof(vaexprs_component) */
    uint32_t component_count;
    const vaexprs_component *components;
} vaexprs_plugin;

typedef const vaexprs_plugin *(*vaexprs_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif
#endif
