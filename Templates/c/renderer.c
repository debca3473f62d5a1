/* {{NAME}}: a renderer; the scaffold writes the figure description itself (JSON). */
#include <stdio.h>
#include <string.h>
#include "vaexprs_plugin.h"

static const vaexprs_host *host;

static int32_t render(const char *options_json, const char *figure_json, uint8_t **bytes, size_t *length, char *error, size_t error_size) {
    (void)options_json;
    size_t n = strlen(figure_json);
    uint8_t *buffer = host->alloc(n);
    if (!buffer) { snprintf(error, error_size, "out of memory"); return 1; }
    memcpy(buffer, figure_json, n);
    *bytes = buffer;
    *length = n;
    return 0;
}

static const vaexprs_renderer_vtable table = { .struct_size = sizeof(vaexprs_renderer_vtable), .file_extensions = "{{NAME}}.json", .render = render };
#define COMPONENT_KIND VAEXPRS_KIND_RENDERER
#define COMPONENT_DESCRIPTION "the figure description as JSON"
#define NEEDS_HOST
