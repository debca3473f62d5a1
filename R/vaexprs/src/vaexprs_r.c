/* The R package's bridge to libvaexprs (vaexprs.h): .Call entry points that pass R's vectors to
 * the C library by pointer (a dense double matrix and a dgCMatrix's x and i without copying; a
 * dgCMatrix's column pointers widened to 64 bits), turn library errors into R errors naming R's
 * arguments, and let Ctrl-C stop a fit. */
#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>
#include <R_ext/Utils.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "vaexprs.h"

/* Raises the library's error as an R error (after freeing it), its parameters named as R calls them. */
static void fail(vaexprs_error *error, SEXP names_json) {
    char message[8192];
    const char *names = names_json == R_NilValue ? NULL : CHAR(STRING_ELT(names_json, 0));
    const char *text = error ? vaexprs_error_message(error, names) : "unknown error";
    strncpy(message, text ? text : "unknown error", sizeof message - 1);
    message[sizeof message - 1] = 0;
    vaexprs_error_free(error);
    Rf_error("%s", message);
}

static const char **strings(SEXP values) {
    if (values == R_NilValue) return NULL;
    R_xlen_t n = XLENGTH(values);
    const char **out = (const char **)R_alloc(n > 0 ? n : 1, sizeof(char *));
    for (R_xlen_t k = 0; k < n; k++) out[k] = Rf_translateCharUTF8(STRING_ELT(values, k));
    return out;
}

/* A matrix described by R's list(layout, cells, genes, values, indices, pointers, cell_ids, gene_names). */
static int read_matrix(SEXP spec, vaexprs_matrix *m) {
    if (spec == R_NilValue) return 0;
    memset(m, 0, sizeof *m);
    m->layout = Rf_asInteger(VECTOR_ELT(spec, 0));
    m->cells = (int64_t)Rf_asReal(VECTOR_ELT(spec, 1));
    m->genes = (int64_t)Rf_asReal(VECTOR_ELT(spec, 2));
    m->values = REAL(VECTOR_ELT(spec, 3));
    SEXP indices = VECTOR_ELT(spec, 4), pointers = VECTOR_ELT(spec, 5);
    if (indices != R_NilValue) {
        m->indices = INTEGER(indices);
        R_xlen_t n = XLENGTH(pointers);
        int64_t *wide = (int64_t *)R_alloc(n, sizeof(int64_t));
        for (R_xlen_t k = 0; k < n; k++) wide[k] = (int64_t)INTEGER(pointers)[k];
        m->pointers = wide;
        m->stored = XLENGTH(VECTOR_ELT(spec, 3));
    }
    m->cell_ids = strings(VECTOR_ELT(spec, 6));
    m->gene_names = strings(VECTOR_ELT(spec, 7));
    return 1;
}

/* Labels as R's list(names, values): values a character matrix cells x columns (column-major). */
static int read_labels(SEXP spec, vaexprs_labels *l) {
    if (spec == R_NilValue) return 0;
    l->names = strings(VECTOR_ELT(spec, 0));
    l->columns = (int32_t)XLENGTH(VECTOR_ELT(spec, 0));
    l->values = strings(VECTOR_ELT(spec, 1));
    return 1;
}

static void free_model(SEXP pointer) {
    vaexprs_model_free((vaexprs_model *)R_ExternalPtrAddr(pointer));
    R_ClearExternalPtr(pointer);
}

static vaexprs_model *model_of(SEXP pointer) {
    vaexprs_model *model = TYPEOF(pointer) == EXTPTRSXP ? (vaexprs_model *)R_ExternalPtrAddr(pointer) : NULL;
    if (!model) Rf_error("the model is not a live vaexprs model (was it saved and restored by R? use load_vae)");
    return model;
}

static SEXP wrap_model(vaexprs_model *model) {
    SEXP pointer = PROTECT(R_MakeExternalPtr(model, Rf_install("vaexprs_model"), R_NilValue));
    R_RegisterCFinalizerEx(pointer, free_model, TRUE);
    UNPROTECT(1);
    return pointer;
}

static void check_interrupt(void *unused) {
    (void)unused;
    R_CheckUserInterrupt();
}

/* What a fit's progress callback keeps: whether to print each epoch, the epoch last seen. */
typedef struct {
    int verbose;
    int32_t epoch;
} fit_progress;

/* Progress: with `verbose`, one line per finished epoch (as keras prints); and a stop when R has
 * an interrupt pending (Ctrl-C). R is asked at most every 100 ms: asking runs R's event loop,
 * which costs more than a small batch. */
static int32_t on_progress(void *context, int32_t epoch, int32_t epochs, int32_t batch, int32_t batches, double loss,
                           double validation_loss) {
    (void)batch; (void)batches;
    fit_progress *progress = (fit_progress *)context;
    if (progress->verbose && epoch != progress->epoch && epoch > 1) {
        /* The losses are those of the epoch just finished. */
        if (ISNAN(validation_loss)) Rprintf("Epoch %d/%d - loss: %.4f\n", epoch - 1, epochs, loss);
        else Rprintf("Epoch %d/%d - loss: %.4f - val_loss: %.4f\n", epoch - 1, epochs, loss, validation_loss);
    }
    progress->epoch = epoch;
    static struct timespec last;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - last.tv_sec) * 1000000000L + (now.tv_nsec - last.tv_nsec) < 100000000L) return 0;
    last = now;
    return R_ToplevelExec(check_interrupt, NULL) ? 0 : 1;
}

SEXP vx_version(void) {
    SEXP out = PROTECT(Rf_allocVector(STRSXP, 3));
    char abi[16], format[16];
    snprintf(abi, sizeof abi, "%d", vaexprs_abi_version());
    snprintf(format, sizeof format, "%d", vaexprs_model_format_version());
    SET_STRING_ELT(out, 0, Rf_mkChar(vaexprs_version()));
    SET_STRING_ELT(out, 1, Rf_mkChar(abi));
    SET_STRING_ELT(out, 2, Rf_mkChar(format));
    UNPROTECT(1);
    return out;
}

SEXP vx_fit(SEXP cells, SEXP labels, SEXP validation, SEXP validation_labels, SEXP options, SEXP names,
            SEXP verbose) {
    fit_progress progress = {Rf_asLogical(verbose) == TRUE, 0};
    vaexprs_matrix m, v;
    vaexprs_labels l, vl;
    int has_labels = read_labels(labels, &l), has_v = read_matrix(validation, &v);
    int has_vl = read_labels(validation_labels, &vl);
    read_matrix(cells, &m);
    vaexprs_model *model = NULL;
    vaexprs_error *error = NULL;
    vaexprs_status status = vaexprs_fit(&m, has_labels ? &l : NULL, has_v ? &v : NULL, has_vl ? &vl : NULL,
                                        CHAR(STRING_ELT(options, 0)), on_progress, &progress, &model, &error);
    if (status == VAEXPRS_CANCELLED) {
        vaexprs_error_free(error);
        Rf_error("the fit was interrupted");
    }
    if (status != VAEXPRS_OK) fail(error, names);
    return wrap_model(model);
}

SEXP vx_load(SEXP path) {
    vaexprs_model *model = NULL;
    vaexprs_error *error = NULL;
    if (vaexprs_model_load(Rf_translateCharUTF8(STRING_ELT(path, 0)), &model, &error) != VAEXPRS_OK) fail(error, R_NilValue);
    return wrap_model(model);
}

SEXP vx_save(SEXP model, SEXP path) {
    vaexprs_error *error = NULL;
    if (vaexprs_model_save(model_of(model), Rf_translateCharUTF8(STRING_ELT(path, 0)), &error) != VAEXPRS_OK)
        fail(error, R_NilValue);
    return R_NilValue;
}

/* A string the library allocated, as an R string (the library's copy freed). */
static SEXP string_of(char *text) {
    SEXP out = PROTECT(Rf_mkString(text));
    vaexprs_free(text);
    UNPROTECT(1);
    return out;
}

SEXP vx_model_json(SEXP model) {
    char *json = NULL;
    vaexprs_error *error = NULL;
    if (vaexprs_model_json(model_of(model), &json, &error) != VAEXPRS_OK) fail(error, R_NilValue);
    return string_of(json);
}

/* A model's names read one at a time (genes, training cell ids) as a character vector. */
static SEXP model_strings(SEXP model, int64_t (*count)(const vaexprs_model *),
                          const char *(*name)(const vaexprs_model *, int64_t)) {
    vaexprs_model *m = model_of(model);
    int64_t n = count(m);
    SEXP out = PROTECT(Rf_allocVector(STRSXP, n));
    for (int64_t k = 0; k < n; k++) SET_STRING_ELT(out, k, Rf_mkCharCE(name(m, k), CE_UTF8));
    UNPROTECT(1);
    return out;
}

SEXP vx_model_genes(SEXP model) { return model_strings(model, vaexprs_model_genes, vaexprs_model_gene); }

/* The ids of the training cells (those not held out for validation). */
SEXP vx_training_cells(SEXP model) {
    return model_strings(model, vaexprs_model_training_cells, vaexprs_model_training_cell);
}

/* The training cells' latent means, cells x latent (R's column-major). */
SEXP vx_latent_means(SEXP model) {
    vaexprs_model *m = model_of(model);
    int64_t n = vaexprs_model_training_cells(m);
    int32_t d = vaexprs_model_latent_dimension(m);
    double *rows = (double *)R_alloc(n * d > 0 ? n * d : 1, sizeof(double));
    vaexprs_error *error = NULL;
    if (vaexprs_model_latent_means(m, rows, n * d, &error) != VAEXPRS_OK) fail(error, R_NilValue);
    SEXP out = PROTECT(Rf_allocMatrix(REALSXP, (int)n, d));
    for (int64_t i = 0; i < n; i++)
        for (int32_t j = 0; j < d; j++) REAL(out)[j * n + i] = rows[i * d + j];
    UNPROTECT(1);
    return out;
}

/* Generated cells: list(values = genes x cells dense matrix, or list(i, p, x) of a genes x cells
 * dgCMatrix when sparse = TRUE; labels = character matrix cells x columns; latent = cells x latent). */
SEXP vx_generate(SEXP model, SEXP options, SEXP sparse, SEXP names) {
    vaexprs_cells *cells = NULL;
    vaexprs_error *error = NULL;
    if (vaexprs_generate(model_of(model), CHAR(STRING_ELT(options, 0)), &cells, &error) != VAEXPRS_OK) fail(error, names);
    int64_t n = vaexprs_cells_count(cells), g = vaexprs_cells_genes(cells);
    int32_t columns = vaexprs_cells_label_columns(cells), d = vaexprs_cells_latent_dimension(cells);
    SEXP out = PROTECT(Rf_allocVector(VECSXP, 3));
    if (Rf_asLogical(sparse)) {
        int64_t stored = vaexprs_cells_stored(cells);
        int64_t *pointers = (int64_t *)R_alloc(n + 1, sizeof(int64_t));
        SEXP i = PROTECT(Rf_allocVector(INTSXP, stored)), p = PROTECT(Rf_allocVector(INTSXP, n + 1));
        SEXP x = PROTECT(Rf_allocVector(REALSXP, stored));
        if (vaexprs_cells_csr(cells, pointers, INTEGER(i), REAL(x), stored, &error) != VAEXPRS_OK) {
            vaexprs_cells_free(cells);
            fail(error, names);
        }
        for (int64_t k = 0; k <= n; k++) INTEGER(p)[k] = (int)pointers[k];
        SEXP parts = PROTECT(Rf_allocVector(VECSXP, 3));
        SET_VECTOR_ELT(parts, 0, i);
        SET_VECTOR_ELT(parts, 1, p);
        SET_VECTOR_ELT(parts, 2, x);
        SET_VECTOR_ELT(out, 0, parts);
        UNPROTECT(4);
    } else {
        SEXP values = PROTECT(Rf_allocMatrix(REALSXP, (int)g, (int)n));
        /* Row-major cells x genes is R's column-major genes x cells. */
        if (vaexprs_cells_values(cells, VAEXPRS_DENSE_ROW_MAJOR, REAL(values), n * g, &error) != VAEXPRS_OK) {
            vaexprs_cells_free(cells);
            fail(error, names);
        }
        SET_VECTOR_ELT(out, 0, values);
        UNPROTECT(1);
    }
    if (columns > 0) {
        SEXP labels = PROTECT(Rf_allocMatrix(STRSXP, (int)n, columns));
        for (int32_t c = 0; c < columns; c++)
            for (int64_t k = 0; k < n; k++)
                SET_STRING_ELT(labels, c * n + k, Rf_mkCharCE(vaexprs_cells_label(cells, k, c), CE_UTF8));
        SET_VECTOR_ELT(out, 1, labels);
        UNPROTECT(1);
    }
    double *rows = (double *)R_alloc(n * d > 0 ? n * d : 1, sizeof(double));
    vaexprs_cells_latent(cells, rows, n * d, NULL);
    SEXP latent = PROTECT(Rf_allocMatrix(REALSXP, (int)n, d));
    for (int64_t k = 0; k < n; k++)
        for (int32_t j = 0; j < d; j++) REAL(latent)[j * n + k] = rows[k * d + j];
    SET_VECTOR_ELT(out, 2, latent);
    vaexprs_cells_free(cells);
    UNPROTECT(2);
    return out;
}

/* A call on real and generated cells that answers with JSON (evaluate, embed_aug). */
typedef vaexprs_status (*pair_call)(const vaexprs_matrix *, const vaexprs_labels *, const vaexprs_matrix *,
                                    const vaexprs_labels *, const char *, char **, vaexprs_error **);

static SEXP pair_json(pair_call call, SEXP real, SEXP real_labels, SEXP generated, SEXP generated_labels,
                      SEXP options, SEXP names) {
    vaexprs_matrix r, g;
    vaexprs_labels rl, gl;
    read_matrix(real, &r);
    read_matrix(generated, &g);
    int has_rl = read_labels(real_labels, &rl), has_gl = read_labels(generated_labels, &gl);
    char *json = NULL;
    vaexprs_error *error = NULL;
    if (call(&r, has_rl ? &rl : NULL, &g, has_gl ? &gl : NULL, CHAR(STRING_ELT(options, 0)), &json, &error) !=
        VAEXPRS_OK)
        fail(error, names);
    return string_of(json);
}

SEXP vx_evaluate(SEXP real, SEXP real_labels, SEXP generated, SEXP generated_labels, SEXP options, SEXP names) {
    return pair_json(vaexprs_evaluate, real, real_labels, generated, generated_labels, options, names);
}

SEXP vx_utility(SEXP cells, SEXP labels, SEXP options, SEXP names) {
    fit_progress progress = {0, 0};
    vaexprs_matrix m;
    vaexprs_labels l;
    read_matrix(cells, &m);
    int has_labels = read_labels(labels, &l);
    char *json = NULL;
    vaexprs_error *error = NULL;
    vaexprs_status status = vaexprs_utility(&m, has_labels ? &l : NULL, CHAR(STRING_ELT(options, 0)), on_progress,
                                            &progress, &json, &error);
    if (status == VAEXPRS_CANCELLED) {
        vaexprs_error_free(error);
        Rf_error("the utility test was interrupted");
    }
    if (status != VAEXPRS_OK) fail(error, names);
    return string_of(json);
}

SEXP vx_embed_aug(SEXP real, SEXP real_labels, SEXP generated, SEXP generated_labels, SEXP options, SEXP names) {
    return pair_json(vaexprs_embed_aug, real, real_labels, generated, generated_labels, options, names);
}

static SEXP raw_of(uint8_t *bytes, int64_t length) {
    SEXP out = PROTECT(Rf_allocVector(RAWSXP, length));
    if (length > 0) memcpy(RAW(out), bytes, length);
    vaexprs_free(bytes);
    UNPROTECT(1);
    return out;
}

SEXP vx_plot_model(SEXP model, SEXP options, SEXP names) {
    uint8_t *bytes = NULL;
    int64_t length = 0;
    vaexprs_error *error = NULL;
    if (vaexprs_plot_model(model_of(model), CHAR(STRING_ELT(options, 0)), &bytes, &length, &error) != VAEXPRS_OK)
        fail(error, names);
    return raw_of(bytes, length);
}

SEXP vx_plot_history(SEXP model, SEXP format) {
    uint8_t *bytes = NULL;
    int64_t length = 0;
    vaexprs_error *error = NULL;
    if (vaexprs_plot_history(model_of(model), CHAR(STRING_ELT(format, 0)), &bytes, &length, &error) != VAEXPRS_OK)
        fail(error, R_NilValue);
    return raw_of(bytes, length);
}

static const R_CallMethodDef methods[] = {
    {"vx_version", (DL_FUNC)&vx_version, 0},
    {"vx_fit", (DL_FUNC)&vx_fit, 7},
    {"vx_load", (DL_FUNC)&vx_load, 1},
    {"vx_save", (DL_FUNC)&vx_save, 2},
    {"vx_model_json", (DL_FUNC)&vx_model_json, 1},
    {"vx_model_genes", (DL_FUNC)&vx_model_genes, 1},
    {"vx_latent_means", (DL_FUNC)&vx_latent_means, 1},
    {"vx_training_cells", (DL_FUNC)&vx_training_cells, 1},
    {"vx_generate", (DL_FUNC)&vx_generate, 4},
    {"vx_evaluate", (DL_FUNC)&vx_evaluate, 6},
    {"vx_utility", (DL_FUNC)&vx_utility, 4},
    {"vx_embed_aug", (DL_FUNC)&vx_embed_aug, 6},
    {"vx_plot_model", (DL_FUNC)&vx_plot_model, 3},
    {"vx_plot_history", (DL_FUNC)&vx_plot_history, 2},
    {NULL, NULL, 0}};

void R_init_vaexprs(DllInfo *info) {
    R_registerRoutines(info, NULL, methods, NULL, NULL);
    R_useDynamicSymbols(info, FALSE);
}
