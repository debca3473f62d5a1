/* {{NAME}}: an element-wise activation; the scaffold is the identity f(x) = x, f'(x) = 1. */
#include "vaexprs_plugin.h"

static void forward(const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = x[i]; }
/* dx = dy · f'(x) */
static void backward(const float *x, const float *y, const float *dy, float *dx, int64_t n) {
    (void)x; (void)y;
    for (int64_t i = 0; i < n; i++) dx[i] = dy[i];
}

static const vaexprs_activation_vtable table = { .struct_size = sizeof(vaexprs_activation_vtable), .forward = forward, .backward = backward };
#define COMPONENT_KIND VAEXPRS_KIND_ACTIVATION
#define COMPONENT_DESCRIPTION "identity activation"
