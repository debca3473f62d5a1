/*
 * vaexprs.h: the C interface of VAExprs (libvaexprs), for host languages (the R and Python
 * packages) and C programs.
 *
 * Conventions
 * - Every call that can fail returns a vaexprs_status; on failure it sets *error (when error is
 *   not NULL) to an error object the caller frees with vaexprs_error_free. No call aborts, traps
 *   or exits the host process, whatever it is given: NULL pointers, sizes that do not add up,
 *   NaN, damaged model files are refused with a message that names the parameter.
 * - Objects (models, generated cells, errors) are opaque handles freed by their _free call;
 *   strings and byte buffers the library returns are freed with vaexprs_free.
 * - Matrices are cells x genes and are passed by pointer in the host's own layout (dense row- or
 *   column-major, CSR or CSC): an R genes x cells matrix is a row-major cells x genes one, and an
 *   R dgCMatrix of genes x cells is a CSR of cells x genes. The library reads them into its own
 *   single-precision storage (the engine computes in float32), so values are copied once.
 * - Options are one JSON object with the library's parameter names (docs/c-library.md).
 * - Calls are thread-safe in the sense that distinct handles may be used from distinct threads;
 *   one handle must not be used by two threads at once.
 */
#ifndef VAEXPRS_H
#define VAEXPRS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface: a host built against another version must not call it. */
#define VAEXPRS_ABI_VERSION 1

typedef enum vaexprs_status {
    VAEXPRS_OK = 0,
    VAEXPRS_USAGE = 1,            /* a bad argument or option */
    VAEXPRS_BAD_DATA = 2,         /* data that cannot be used */
    VAEXPRS_MISSING_INPUT = 3,    /* a missing or unreadable file */
    VAEXPRS_UNUSABLE_PLUGIN = 4,  /* a plugin that cannot be loaded */
    VAEXPRS_CANNOT_WRITE = 5,     /* an output that cannot be written */
    VAEXPRS_CANCELLED = 6,        /* the progress callback asked to stop */
    VAEXPRS_OTHER = 7
} vaexprs_status;

typedef struct vaexprs_error vaexprs_error;
typedef struct vaexprs_model vaexprs_model;
typedef struct vaexprs_cells vaexprs_cells;

typedef enum vaexprs_layout {
    VAEXPRS_DENSE_ROW_MAJOR = 0,    /* values[cell * genes + gene] */
    VAEXPRS_DENSE_COLUMN_MAJOR = 1, /* values[gene * cells + cell] */
    VAEXPRS_CSR = 2,                /* pointers: cells + 1 entries; indices: genes */
    VAEXPRS_CSC = 3                 /* pointers: genes + 1 entries; indices: cells */
} vaexprs_layout;

/* A cells x genes matrix with its names. */
typedef struct vaexprs_matrix {
    int32_t layout;                 /* a vaexprs_layout */
    int64_t cells;
    int64_t genes;
    const double *values;           /* dense: cells * genes values; sparse: `stored` values */
    const int32_t *indices;         /* sparse: `stored` gene (CSR) or cell (CSC) indices */
    const int64_t *pointers;        /* sparse: where each cell's (CSR) or gene's (CSC) entries start */
    int64_t stored;                 /* sparse: number of stored entries */
    const char *const *cell_ids;    /* `cells` ids, or NULL for cell1, cell2, ... */
    const char *const *gene_names;  /* `genes` names (required) */
} vaexprs_matrix;

/* Labels of cells: `columns` label columns, values[column * cells + cell]. */
typedef struct vaexprs_labels {
    int32_t columns;
    const char *const *names;       /* `columns` column names (e.g. "label", "batch") */
    const char *const *values;
} vaexprs_labels;

/* Called after every training batch; `loss` and `validation_loss` are those of the last
 * finished epoch (NaN before the first, and validation_loss NaN without validation cells).
 * Return nonzero to stop the fit: vaexprs_fit then returns VAEXPRS_CANCELLED. */
typedef int32_t (*vaexprs_progress)(void *context, int32_t epoch, int32_t epochs, int32_t batch, int32_t batches,
                                    double loss, double validation_loss);

/* Versions: the release (e.g. "0.8.0"), this interface (VAEXPRS_ABI_VERSION), the model file format. */
const char *vaexprs_version(void);
int32_t vaexprs_abi_version(void);
int32_t vaexprs_model_format_version(void);

/* Errors. The message names parameters as the host calls them: `names_json` maps library names
 * to the host's ({"topGenes": "top_genes"}), NULL keeps the library's; the string lives as long
 * as the error. */
vaexprs_status vaexprs_error_status(const vaexprs_error *error);
const char *vaexprs_error_message(vaexprs_error *error, const char *names_json);
void vaexprs_error_free(vaexprs_error *error);

/* Frees a string or byte buffer the library returned. */
void vaexprs_free(void *pointer);

/* Loads a run-time plugin (.so or libffi manifest) into the library's registry, as the CLI does. */
vaexprs_status vaexprs_load_plugin(const char *path, vaexprs_error **error);

/* fit: a (conditional) VAE on `cells` (with `labels` for a CVAE), validated on a split
 * (options "validationSplit") or on `validation` cells. `options_json` holds the fit options
 * ("epochs" is required). `progress` may be NULL. */
vaexprs_status vaexprs_fit(const vaexprs_matrix *cells, const vaexprs_labels *labels,
                           const vaexprs_matrix *validation, const vaexprs_labels *validation_labels,
                           const char *options_json, vaexprs_progress progress, void *context,
                           vaexprs_model **model, vaexprs_error **error);

/* Models: load and save the CLI's model files; describe (the JSON `vaexprs inspect` prints,
 * with the history); genes; the training cells' latent means (row-major cells x latent). */
vaexprs_status vaexprs_model_load(const char *path, vaexprs_model **model, vaexprs_error **error);
vaexprs_status vaexprs_model_save(const vaexprs_model *model, const char *path, vaexprs_error **error);
vaexprs_status vaexprs_model_json(const vaexprs_model *model, char **json, vaexprs_error **error);
int64_t vaexprs_model_genes(const vaexprs_model *model);
const char *vaexprs_model_gene(const vaexprs_model *model, int64_t index);
int64_t vaexprs_model_training_cells(const vaexprs_model *model);
/* The id of a training cell (those not held out for validation), or NULL out of range. */
const char *vaexprs_model_training_cell(const vaexprs_model *model, int64_t index);
int32_t vaexprs_model_latent_dimension(const vaexprs_model *model);
vaexprs_status vaexprs_model_latent_means(const vaexprs_model *model, double *out, int64_t capacity,
                                          vaexprs_error **error);
void vaexprs_model_free(vaexprs_model *model);

/* generate: cells drawn from a model; options "count" or "perLabel" ({"B cell": 50, ...}),
 * "seed", "sampler", "decode", "library", "threads", "asCounts" (a model fitted on log-normalised
 * counts gives their scale back unless true). */
vaexprs_status vaexprs_generate(const vaexprs_model *model, const char *options_json, vaexprs_cells **cells,
                                vaexprs_error **error);
int64_t vaexprs_cells_count(const vaexprs_cells *cells);
int64_t vaexprs_cells_genes(const vaexprs_cells *cells);
/* Values as a dense matrix in `layout` (row- or column-major) into a buffer of `capacity` doubles. */
vaexprs_status vaexprs_cells_values(const vaexprs_cells *cells, int32_t layout, double *out, int64_t capacity,
                                    vaexprs_error **error);
/* Values as CSR: vaexprs_cells_stored entries; pointers has count + 1 entries. */
int64_t vaexprs_cells_stored(const vaexprs_cells *cells);
vaexprs_status vaexprs_cells_csr(const vaexprs_cells *cells, int64_t *pointers, int32_t *indices, double *values,
                                 int64_t stored, vaexprs_error **error);
/* Labels of a conditional model's cells (0 columns otherwise), and the latent points drawn. */
int32_t vaexprs_cells_label_columns(const vaexprs_cells *cells);
const char *vaexprs_cells_label(const vaexprs_cells *cells, int64_t cell, int32_t column);
int32_t vaexprs_cells_latent_dimension(const vaexprs_cells *cells);
vaexprs_status vaexprs_cells_latent(const vaexprs_cells *cells, double *out, int64_t capacity, vaexprs_error **error);
void vaexprs_cells_free(vaexprs_cells *cells);

/* evaluate: the realism report of generated cells against real ones, as JSON. Options
 * "normalization", "seed", "repeats", "topGenes", "threads". Labels may be NULL. */
vaexprs_status vaexprs_evaluate(const vaexprs_matrix *real, const vaexprs_labels *real_labels,
                                const vaexprs_matrix *generated, const vaexprs_labels *generated_labels,
                                const char *options_json, char **report_json, vaexprs_error **error);

/* utility: does augmentation help? (`vaexprs utility`) The labelled cells (labels required; the
 * first column is scored) are split into training and held-out parts; one model is fitted per
 * reduced training set and a fixed classifier scored on the held-out cells. The report, as JSON.
 * Options: every fit option (without "epochs": 300, with "validationSplit" 0.1 and "patience"
 * 20 unless given), "kept", "added", "designs" (["per-label", "capped"]), "heldOutFraction",
 * "repeats"; "seed" seeds the splits too. progress (may be NULL) follows each fit's batches;
 * a nonzero return stops the test (VAEXPRS_CANCELLED). */
vaexprs_status vaexprs_utility(const vaexprs_matrix *cells, const vaexprs_labels *labels, const char *options_json,
                               vaexprs_progress progress, void *context, char **report_json,
                               vaexprs_error **error);

/* Figures, rendered to bytes by any registered renderer ("format": svg, png, pdf, html, ...).
 * plot_aug options: "method" (pca, mds, tsne, umap, nmf, diffmap), "format", "width", "height",
 * "normalization", "topGenes", "colourBy" (origin or label), "seed", "threads".
 * plot_model options: "format" (dot, svg, png, pdf) and "colours" ({"encoder": "tomato", ...}:
 * encoder, mean, stddev, latent, decoder, condition); plot_history: `format` names any renderer. */
vaexprs_status vaexprs_plot_aug(const vaexprs_matrix *real, const vaexprs_labels *real_labels,
                                const vaexprs_matrix *generated, const vaexprs_labels *generated_labels,
                                const char *options_json, uint8_t **bytes, int64_t *length, vaexprs_error **error);
vaexprs_status vaexprs_plot_model(const vaexprs_model *model, const char *options_json, uint8_t **bytes,
                                  int64_t *length, vaexprs_error **error);
vaexprs_status vaexprs_plot_history(const vaexprs_model *model, const char *format, uint8_t **bytes,
                                    int64_t *length, vaexprs_error **error);

/* The embedding plot_aug draws, for a host's own figure: a JSON object {"x": [...], "y": [...],
 * "generated": [false, ...], "label": [...], "cell": [...], "axis_titles": [...]}, one entry per
 * cell drawn (real cells first). Options as plot_aug's, without "format", "width", "height". */
vaexprs_status vaexprs_embed_aug(const vaexprs_matrix *real, const vaexprs_labels *real_labels,
                                 const vaexprs_matrix *generated, const vaexprs_labels *generated_labels,
                                 const char *options_json, char **json, vaexprs_error **error);

#ifdef __cplusplus
}
#endif

#endif
