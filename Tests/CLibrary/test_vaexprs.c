/* The C library's test program: every function of vaexprs.h, and every refusal it promises.
 * Built and run by CLibraryTests (swift test): cc test_vaexprs.c -lVAExprsC; exits 0 when all
 * checks pass, and prints each failed check. Usage: test_vaexprs SCRATCH_FOLDER */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaexprs.h"

static int failures = 0;
#define CHECK(condition, ...)                                                \
    do {                                                                     \
        if (!(condition)) {                                                  \
            failures++;                                                      \
            fprintf(stderr, "FAILED line %d: %s: ", __LINE__, #condition);   \
            fprintf(stderr, __VA_ARGS__);                                    \
            fprintf(stderr, "\n");                                           \
        }                                                                    \
    } while (0)

enum { CELLS = 60, GENES = 20 };
static double dense[CELLS * GENES]; /* row-major: cell * GENES + gene */
static double column_major[CELLS * GENES];
static const char *gene_names[GENES];
static const char *cell_ids[CELLS];
static const char *label_values[CELLS];
static char names_storage[CELLS + GENES][16];

/* Counts of two groups of cells with different gene means (a seeded LCG; Poisson by inversion). */
static void make_data(void) {
    unsigned long long state = 12345;
    for (int g = 0; g < GENES; g++) {
        snprintf(names_storage[g], 16, "gene%d", g + 1);
        gene_names[g] = names_storage[g];
    }
    for (int c = 0; c < CELLS; c++) {
        snprintf(names_storage[GENES + c], 16, "c%d", c + 1);
        cell_ids[c] = names_storage[GENES + c];
        label_values[c] = c % 2 ? "B" : "A";
        for (int g = 0; g < GENES; g++) {
            double mean = (c % 2 ? (g < 10 ? 8.0 : 1.0) : (g < 10 ? 1.0 : 8.0));
            double u, p = exp(-mean), f = p;
            int k = 0;
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            u = (double)(state >> 11) / 9007199254740992.0;
            while (u > f && k < 200) { k++; p *= mean / k; f += p; }
            dense[c * GENES + g] = k;
            column_major[g * CELLS + c] = k;
        }
    }
}

static vaexprs_matrix matrix(int32_t layout, const double *values) {
    vaexprs_matrix m;
    memset(&m, 0, sizeof m);
    m.layout = layout;
    m.cells = CELLS;
    m.genes = GENES;
    m.values = values;
    m.cell_ids = cell_ids;
    m.gene_names = gene_names;
    return m;
}

/* The status of a call, its error's message checked to contain `word` (and freed). */
static int expect_error(vaexprs_status status, vaexprs_error *error, vaexprs_status expected, const char *word,
                        const char *names, int line) {
    const char *message = error ? vaexprs_error_message(error, names) : NULL;
    int ok = status == expected && error && vaexprs_error_status(error) == expected && message && strstr(message, word);
    if (!ok) {
        failures++;
        fprintf(stderr, "FAILED line %d: expected status %d mentioning '%s', got %d: %s\n", line, expected, word,
                status, message ? message : "(no error)");
    }
    vaexprs_error_free(error);
    return ok;
}
#define EXPECT_ERROR(call, expected, word, names)                               \
    do {                                                                        \
        vaexprs_error *e = NULL;                                                \
        vaexprs_status s = call;                                                \
        expect_error(s, e, expected, word, names, __LINE__);                    \
    } while (0)

static int progress_calls = 0;
static int32_t count_progress(void *context, int32_t epoch, int32_t epochs, int32_t batch, int32_t batches,
                              double loss, double validation_loss) {
    (void)context; (void)epochs; (void)batch; (void)batches; (void)validation_loss;
    progress_calls++;
    if (epoch > 1) CHECK(!isnan(loss), "loss of the last epoch: %g", loss);
    return 0;
}
static int32_t stop_at_once(void *context, int32_t epoch, int32_t epochs, int32_t batch, int32_t batches,
                            double loss, double validation_loss) {
    (void)context; (void)epoch; (void)epochs; (void)batch; (void)batches; (void)loss; (void)validation_loss;
    return 1;
}

static char *read_file(const char *path, long *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *bytes = malloc(*size + 1);
    if (fread(bytes, 1, *size, f) != (size_t)*size) { free(bytes); bytes = NULL; }
    fclose(f);
    return bytes;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: test_vaexprs SCRATCH_FOLDER\n"); return 2; }
    char path[4096], copy[4096], damaged[4096];
    snprintf(path, sizeof path, "%s/c.vaexprs", argv[1]);
    snprintf(copy, sizeof copy, "%s/c2.vaexprs", argv[1]);
    snprintf(damaged, sizeof damaged, "%s/damaged.vaexprs", argv[1]);
    make_data();

    /* Versions. */
    CHECK(vaexprs_abi_version() == VAEXPRS_ABI_VERSION, "abi %d", vaexprs_abi_version());
    CHECK(strlen(vaexprs_version()) >= 5, "release '%s'", vaexprs_version());
    CHECK(vaexprs_model_format_version() >= 1, "format %d", vaexprs_model_format_version());

    vaexprs_matrix cells = matrix(VAEXPRS_DENSE_ROW_MAJOR, dense);
    const char *label_names[] = {"label"};
    vaexprs_labels labels = {1, label_names, label_values};
    vaexprs_model *model = NULL;
    const char *options = "{\"epochs\": 3, \"batchSize\": 16, \"seed\": 7, \"validationSplit\": 0.2, \"threads\": 1}";

    /* Refusals of fit: NULLs, sizes, layouts, values, options. */
    EXPECT_ERROR(vaexprs_fit(NULL, NULL, NULL, NULL, options, NULL, NULL, &model, &e), VAEXPRS_USAGE, "cells", NULL);
    EXPECT_ERROR(vaexprs_fit(&cells, NULL, NULL, NULL, options, NULL, NULL, NULL, &e), VAEXPRS_USAGE, "model", NULL);
    vaexprs_matrix bad = cells;
    bad.genes = 0;
    EXPECT_ERROR(vaexprs_fit(&bad, NULL, NULL, NULL, options, NULL, NULL, &model, &e), VAEXPRS_USAGE, "cells", NULL);
    bad = cells;
    bad.layout = 9;
    EXPECT_ERROR(vaexprs_fit(&bad, NULL, NULL, NULL, options, NULL, NULL, &model, &e), VAEXPRS_USAGE, "layout", NULL);
    bad = cells;
    bad.gene_names = NULL;
    EXPECT_ERROR(vaexprs_fit(&bad, NULL, NULL, NULL, options, NULL, NULL, &model, &e), VAEXPRS_USAGE, "gene_names", NULL);
    double with_nan[CELLS * GENES];
    memcpy(with_nan, dense, sizeof dense);
    with_nan[5] = NAN;
    bad = matrix(VAEXPRS_DENSE_ROW_MAJOR, with_nan);
    EXPECT_ERROR(vaexprs_fit(&bad, NULL, NULL, NULL, options, NULL, NULL, &model, &e), VAEXPRS_BAD_DATA, "gene6", NULL);
    int64_t pointers[CELLS + 1];
    int32_t indices[1] = {GENES + 3};
    double values[1] = {1};
    for (int c = 0; c <= CELLS; c++) pointers[c] = c == CELLS ? 1 : 0;
    bad = matrix(VAEXPRS_CSR, values);
    bad.indices = indices;
    bad.pointers = pointers;
    bad.stored = 1;
    EXPECT_ERROR(vaexprs_fit(&bad, NULL, NULL, NULL, options, NULL, NULL, &model, &e), VAEXPRS_USAGE, "outside", NULL);
    bad.stored = 2;
    EXPECT_ERROR(vaexprs_fit(&bad, NULL, NULL, NULL, options, NULL, NULL, &model, &e), VAEXPRS_USAGE, "stored", NULL);
    EXPECT_ERROR(vaexprs_fit(&cells, NULL, NULL, NULL, "[1, 2]", NULL, NULL, &model, &e), VAEXPRS_USAGE, "JSON object", NULL);
    EXPECT_ERROR(vaexprs_fit(&cells, NULL, NULL, NULL, "{\"epochs\": 2, \"epoch\": 3}", NULL, NULL, &model, &e),
                 VAEXPRS_USAGE, "'epoch'", NULL);
    EXPECT_ERROR(vaexprs_fit(&cells, NULL, NULL, NULL, "{}", NULL, NULL, &model, &e), VAEXPRS_USAGE, "epochs", NULL);
    EXPECT_ERROR(vaexprs_fit(&cells, NULL, NULL, NULL, "{\"epochs\": \"many\"}", NULL, NULL, &model, &e),
                 VAEXPRS_USAGE, "whole number", NULL);
    /* Parameters named as the host calls them. */
    EXPECT_ERROR(vaexprs_fit(&cells, NULL, NULL, NULL, "{\"epochs\": 2, \"topGenes\": -1}", NULL, NULL, &model, &e),
                 VAEXPRS_USAGE, "top_genes must be", "{\"topGenes\": \"top_genes\"}");
    const char *short_labels[] = {"A"};
    vaexprs_labels too_few = {1, label_names, short_labels};
    (void)too_few;
    const char *empty_label_values[CELLS];
    for (int c = 0; c < CELLS; c++) empty_label_values[c] = c == 3 ? "" : "A";
    vaexprs_labels empty_labels = {1, label_names, empty_label_values};
    EXPECT_ERROR(vaexprs_fit(&cells, &empty_labels, NULL, NULL, options, NULL, NULL, &model, &e), VAEXPRS_BAD_DATA,
                 "cell 4", NULL);
    EXPECT_ERROR(vaexprs_fit(&cells, &labels, NULL, NULL, options, stop_at_once, NULL, &model, &e), VAEXPRS_CANCELLED,
                 "stopped", NULL);
    CHECK(model == NULL, "no model after a refusal");

    /* A CVAE, twice with the same seed: the same model file. */
    vaexprs_error *error = NULL;
    vaexprs_status status = vaexprs_fit(&cells, &labels, NULL, NULL, options, count_progress, NULL, &model, &error);
    CHECK(status == VAEXPRS_OK && model, "fit: %s", error ? vaexprs_error_message(error, NULL) : "");
    vaexprs_error_free(error);
    if (!model) return 1;
    CHECK(progress_calls >= 3, "progress called %d times", progress_calls);
    CHECK(vaexprs_model_genes(model) == GENES && strcmp(vaexprs_model_gene(model, 0), "gene1") == 0, "genes");
    CHECK(vaexprs_model_gene(model, GENES) == NULL && vaexprs_model_gene(model, -1) == NULL, "gene out of range");
    CHECK(vaexprs_model_training_cells(model) == 48, "training cells %lld", (long long)vaexprs_model_training_cells(model));
    const char *first_training = vaexprs_model_training_cell(model, 0);
    CHECK(first_training && first_training[0] == 'c' && vaexprs_model_training_cell(model, 48) == NULL,
          "training cell ids");
    int32_t latent = vaexprs_model_latent_dimension(model);
    CHECK(latent >= 1, "latent %d", latent);
    double means[CELLS * 64];
    EXPECT_ERROR(vaexprs_model_latent_means(model, means, 3, &e), VAEXPRS_USAGE, "doubles", NULL);
    CHECK(vaexprs_model_latent_means(model, means, CELLS * 64, NULL) == VAEXPRS_OK && isfinite(means[0]), "latent means");
    char *json = NULL;
    CHECK(vaexprs_model_json(model, &json, NULL) == VAEXPRS_OK && json && strstr(json, "\"history\""), "json");
    vaexprs_free(json);

    CHECK(vaexprs_model_save(model, path, NULL) == VAEXPRS_OK, "save");
    vaexprs_model *again = NULL;
    CHECK(vaexprs_fit(&cells, &labels, NULL, NULL, options, NULL, NULL, &again, NULL) == VAEXPRS_OK, "fit again");
    CHECK(vaexprs_model_save(again, copy, NULL) == VAEXPRS_OK, "save again");
    long size1 = 0, size2 = 0;
    char *bytes1 = read_file(path, &size1), *bytes2 = read_file(copy, &size2);
    CHECK(bytes1 && bytes2 && size1 == size2 && memcmp(bytes1, bytes2, size1) == 0, "same seed, same model file");
    vaexprs_model_free(again);
    /* The same cells column-major fit the same model. */
    vaexprs_matrix transposed = matrix(VAEXPRS_DENSE_COLUMN_MAJOR, column_major);
    again = NULL;
    CHECK(vaexprs_fit(&transposed, &labels, NULL, NULL, options, NULL, NULL, &again, NULL) == VAEXPRS_OK, "column-major");
    CHECK(vaexprs_model_save(again, copy, NULL) == VAEXPRS_OK, "save column-major");
    free(bytes2);
    bytes2 = read_file(copy, &size2);
    CHECK(bytes2 && size1 == size2 && memcmp(bytes1, bytes2, size1) == 0, "column-major: the same model file");
    vaexprs_model_free(again);

    /* Validation cells given as a matrix (here the first 10 cells), and what goes with them. */
    vaexprs_matrix held = cells;
    held.cells = 10;
    vaexprs_labels held_labels = {1, label_names, label_values};
    again = NULL;
    status = vaexprs_fit(&cells, &labels, &held, &held_labels, "{\"epochs\": 2, \"threads\": 1}", NULL, NULL, &again,
                         &error);
    CHECK(status == VAEXPRS_OK && again, "fit with validation cells: %s", error ? vaexprs_error_message(error, NULL) : "");
    vaexprs_error_free(error);
    error = NULL;
    vaexprs_model_free(again);
    EXPECT_ERROR(vaexprs_fit(&cells, &labels, NULL, &held_labels, "{\"epochs\": 2}", NULL, NULL, &again, &e),
                 VAEXPRS_USAGE, "validation_labels", NULL);
    EXPECT_ERROR(vaexprs_fit(&cells, &labels, &held, &held_labels, "{\"epochs\": 2, \"validationSplit\": 0.1}", NULL,
                             NULL, &again, &e),
                 VAEXPRS_USAGE, "validationSplit", NULL);
    held.gene_names = cell_ids; /* other names: other genes */
    EXPECT_ERROR(vaexprs_fit(&cells, &labels, &held, &held_labels, "{\"epochs\": 2}", NULL, NULL, &again, &e),
                 VAEXPRS_BAD_DATA, "genes differ", NULL);

    /* Load, and what loading refuses. */
    vaexprs_model *loaded = NULL;
    CHECK(vaexprs_model_load(path, &loaded, NULL) == VAEXPRS_OK && vaexprs_model_genes(loaded) == GENES, "load");
    vaexprs_model_free(loaded);
    FILE *f = fopen(damaged, "wb");
    fwrite(bytes1, 1, size1 / 2, f);
    fclose(f);
    EXPECT_ERROR(vaexprs_model_load(damaged, &loaded, &e), VAEXPRS_BAD_DATA, "damaged.vaexprs", NULL);
    EXPECT_ERROR(vaexprs_model_load("/nonexistent/m.vaexprs", &loaded, &e), VAEXPRS_MISSING_INPUT, "no such", NULL);
    EXPECT_ERROR(vaexprs_model_load(NULL, &loaded, &e), VAEXPRS_USAGE, "path", NULL);
    EXPECT_ERROR(vaexprs_model_save(model, "/tmp/x.vaexprs.gz", &e), VAEXPRS_USAGE, ".gz", NULL);
    free(bytes1);
    free(bytes2);

    /* Generate: a count, counts per label, and what generate refuses. */
    vaexprs_cells *generated = NULL;
    CHECK(vaexprs_generate(model, "{\"count\": 30, \"seed\": 3}", &generated, NULL) == VAEXPRS_OK && generated, "generate");
    int64_t n = vaexprs_cells_count(generated), g = vaexprs_cells_genes(generated);
    CHECK(n == 30 && g == GENES, "%lld x %lld", (long long)n, (long long)g);
    double *rows = malloc(sizeof(double) * n * g), *columns = malloc(sizeof(double) * n * g);
    CHECK(vaexprs_cells_values(generated, VAEXPRS_DENSE_ROW_MAJOR, rows, n * g, NULL) == VAEXPRS_OK, "values");
    CHECK(vaexprs_cells_values(generated, VAEXPRS_DENSE_COLUMN_MAJOR, columns, n * g, NULL) == VAEXPRS_OK, "columns");
    int same = 1, whole = 1;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < g; j++) {
            same &= rows[i * g + j] == columns[j * n + i];
            whole &= rows[i * g + j] >= 0 && rows[i * g + j] == floor(rows[i * g + j]);
        }
    CHECK(same && whole, "row- and column-major agree, and hold counts");
    EXPECT_ERROR(vaexprs_cells_values(generated, VAEXPRS_CSR, rows, n * g, &e), VAEXPRS_USAGE, "layout", NULL);
    EXPECT_ERROR(vaexprs_cells_values(generated, VAEXPRS_DENSE_ROW_MAJOR, rows, 5, &e), VAEXPRS_USAGE, "doubles", NULL);
    int64_t stored = vaexprs_cells_stored(generated);
    int64_t *csr_pointers = malloc(sizeof(int64_t) * (n + 1));
    int32_t *csr_indices = malloc(sizeof(int32_t) * (stored + 1));
    double *csr_values = malloc(sizeof(double) * (stored + 1));
    CHECK(vaexprs_cells_csr(generated, csr_pointers, csr_indices, csr_values, stored, NULL) == VAEXPRS_OK, "csr");
    double total_csr = 0, total_dense = 0;
    for (int64_t k = 0; k < stored; k++) total_csr += csr_values[k];
    for (int64_t k = 0; k < n * g; k++) total_dense += rows[k];
    CHECK(csr_pointers[n] == stored && total_csr == total_dense, "csr holds the same counts");
    EXPECT_ERROR(vaexprs_cells_csr(generated, csr_pointers, csr_indices, csr_values, stored + 1, &e), VAEXPRS_USAGE,
                 "stored", NULL);
    CHECK(vaexprs_cells_label_columns(generated) == 1, "label columns");
    const char *first = vaexprs_cells_label(generated, 0, 0);
    CHECK(first && (strcmp(first, "A") == 0 || strcmp(first, "B") == 0), "label '%s'", first ? first : "(null)");
    CHECK(vaexprs_cells_label(generated, n, 0) == NULL && vaexprs_cells_label(generated, 0, 1) == NULL, "out of range");
    CHECK(vaexprs_cells_latent_dimension(generated) == latent, "latent of cells");
    double *points = malloc(sizeof(double) * n * latent);
    CHECK(vaexprs_cells_latent(generated, points, n * latent, NULL) == VAEXPRS_OK, "latent points");
    free(points);
    vaexprs_cells *per_label = NULL;
    CHECK(vaexprs_generate(model, "{\"perLabel\": {\"A\": 7, \"B\": 5}}", &per_label, NULL) == VAEXPRS_OK
              && vaexprs_cells_count(per_label) == 12, "per label");
    vaexprs_cells_free(per_label);
    EXPECT_ERROR(vaexprs_generate(model, "{\"count\": 5, \"perLabel\": {\"A\": 2}}", &per_label, &e), VAEXPRS_USAGE,
                 "perLabel", NULL);
    EXPECT_ERROR(vaexprs_generate(model, "{\"count\": 5, \"decode\": \"median\"}", &per_label, &e), VAEXPRS_USAGE,
                 "decode", NULL);
    EXPECT_ERROR(vaexprs_generate(NULL, "{\"count\": 5}", &per_label, &e), VAEXPRS_USAGE, "model", NULL);

    /* Evaluate and draw real against generated cells. */
    vaexprs_matrix generated_matrix = matrix(VAEXPRS_DENSE_ROW_MAJOR, rows);
    generated_matrix.cells = n; /* the generated cells, named cell1, cell2, ... */
    generated_matrix.cell_ids = NULL;
    char *report = NULL;
    status = vaexprs_evaluate(&cells, NULL, &generated_matrix, NULL, "{\"repeats\": 1, \"seed\": 2}", &report, &error);
    CHECK(status == VAEXPRS_OK && report && strstr(report, "\"rf_auc\""), "evaluate: %s",
          error ? vaexprs_error_message(error, NULL) : "");
    vaexprs_error_free(error);
    error = NULL;
    vaexprs_free(report);
    EXPECT_ERROR(vaexprs_evaluate(&cells, &labels, &generated_matrix, NULL, NULL, &report, &e), VAEXPRS_USAGE,
                 "generated_labels", NULL);

    /* The utility test: per-label and capped designs, as JSON; stopped by the host; refusals. */
    status = vaexprs_utility(&cells, &labels, "{\"epochs\": 3, \"repeats\": 1, \"kept\": 3, \"added\": 10, \"threads\": 1}",
                             count_progress, NULL, &report, &error);
    CHECK(status == VAEXPRS_OK && report && strstr(report, "\"perLabelMeanF1\"") && strstr(report, "\"capped\""),
          "utility: %s", error ? vaexprs_error_message(error, NULL) : "");
    vaexprs_error_free(error);
    error = NULL;
    vaexprs_free(report);
    EXPECT_ERROR(vaexprs_utility(&cells, &labels, "{\"epochs\": 3}", stop_at_once, NULL, &report, &e),
                 VAEXPRS_CANCELLED, "", NULL);
    EXPECT_ERROR(vaexprs_utility(&cells, NULL, NULL, NULL, NULL, &report, &e), VAEXPRS_USAGE, "labels", NULL);
    EXPECT_ERROR(vaexprs_utility(&cells, &labels, "{\"designs\": [\"all\"]}", NULL, NULL, &report, &e),
                 VAEXPRS_USAGE, "per-label", NULL);
    EXPECT_ERROR(vaexprs_utility(&cells, &labels, "{\"kept\": 0}", NULL, NULL, &report, &e), VAEXPRS_USAGE, "kept",
                 NULL);
    EXPECT_ERROR(vaexprs_utility(&cells, &labels, "{\"folds\": 3}", NULL, NULL, &report, &e), VAEXPRS_USAGE, "folds",
                 NULL);
    uint8_t *figure = NULL;
    int64_t length = 0;
    status = vaexprs_plot_aug(&cells, NULL, &generated_matrix, NULL, "{\"method\": \"pca\", \"format\": \"svg\"}",
                              &figure, &length, &error);
    CHECK(status == VAEXPRS_OK && length > 100 && strstr((const char *)figure, "<svg"), "plot_aug: %s",
          error ? vaexprs_error_message(error, NULL) : "");
    vaexprs_error_free(error);
    error = NULL;
    vaexprs_free(figure);
    EXPECT_ERROR(vaexprs_plot_aug(&cells, NULL, &generated_matrix, NULL, "{\"method\": \"lda\"}", &figure, &length, &e),
                 VAEXPRS_USAGE, "lda", NULL);
    CHECK(vaexprs_plot_model(model, "{\"format\": \"dot\", \"colours\": {\"encoder\": \"gold\"}}", &figure, &length,
                             NULL) == VAEXPRS_OK
              && length > 10 && memcmp(figure, "digraph", 7) == 0 && strstr((const char *)figure, "gold"),
          "plot_model dot with colours");
    vaexprs_free(figure);
    EXPECT_ERROR(vaexprs_plot_model(model, "{\"format\": \"jpeg\"}", &figure, &length, &e), VAEXPRS_USAGE, "format",
                 NULL);
    EXPECT_ERROR(vaexprs_plot_model(model, "{\"colours\": {\"brain\": \"red\"}}", &figure, &length, &e),
                 VAEXPRS_USAGE, "brain", NULL);
    char *embedding = NULL;
    CHECK(vaexprs_embed_aug(&cells, &labels, &generated_matrix, NULL, NULL, &embedding, &error) == VAEXPRS_USAGE,
          "embed_aug refuses labels for one side");
    vaexprs_error_free(error);
    error = NULL;
    status = vaexprs_embed_aug(&cells, NULL, &generated_matrix, NULL, "{\"method\": \"pca\"}", &embedding, &error);
    CHECK(status == VAEXPRS_OK && embedding && strstr(embedding, "\"generated\"") && strstr(embedding, "\"x\""),
          "embed_aug: %s", error ? vaexprs_error_message(error, NULL) : "");
    vaexprs_error_free(error);
    error = NULL;
    vaexprs_free(embedding);
    CHECK(vaexprs_plot_history(model, "png", &figure, &length, NULL) == VAEXPRS_OK && length > 8
              && memcmp(figure, "\x89PNG", 4) == 0, "plot_history png");
    vaexprs_free(figure);

    /* Plugins and NULL frees. */
    EXPECT_ERROR(vaexprs_load_plugin("/nonexistent/plugin.so", &e), VAEXPRS_UNUSABLE_PLUGIN, "plugin.so", NULL);
    vaexprs_model_free(NULL);
    vaexprs_cells_free(NULL);
    vaexprs_error_free(NULL);
    vaexprs_free(NULL);
    CHECK(vaexprs_model_genes(NULL) == 0 && vaexprs_cells_count(NULL) == 0, "NULL handles read as empty");

    free(rows);
    free(columns);
    free(csr_pointers);
    free(csr_indices);
    free(csr_values);
    vaexprs_cells_free(generated);
    vaexprs_model_free(model);
    if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
    else printf("all checks passed\n");
    return failures ? 1 : 0;
}
