// OpenBLAS's run-time kernel selection (DYNAMIC_ARCH builds such as Debian's). OpenBLAS reads
// OPENBLAS_CORETYPE once, in its load-time constructor; gotoblas_dynamic_quit/init, which it
// exports, let the choice be made again before any BLAS work. Looked up with dlsym so that a
// BLAS without them (a single-CPU build, another vendor) is reported, not a link error.
#define _GNU_SOURCE
#include "vaexprs_platform.h"
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

typedef char *(*string_fn)(void);
typedef int (*int_fn)(void);
typedef void (*void_fn)(void);

static void *symbol(const char *name) { return dlsym(RTLD_DEFAULT, name); }

const char *vaexprs_openblas_corename(void) {
    string_fn f = (string_fn)symbol("openblas_get_corename");
    return f ? f() : NULL;
}

const char *vaexprs_openblas_config(void) {
    string_fn f = (string_fn)symbol("openblas_get_config");
    return f ? f() : NULL;
}

int vaexprs_openblas_threads(void) {
    int_fn f = (int_fn)symbol("openblas_get_num_threads");
    return f ? f() : -1;
}

int vaexprs_openblas_can_select(void) {
    return symbol("gotoblas_dynamic_init") && symbol("gotoblas_dynamic_quit") && symbol("openblas_get_corename");
}

int vaexprs_openblas_select(const char *core) {
    void_fn init = (void_fn)symbol("gotoblas_dynamic_init");
    void_fn quit = (void_fn)symbol("gotoblas_dynamic_quit");
    if (!init || !quit || !core) return -1;
    const char *previous = getenv("OPENBLAS_CORETYPE");
    char *saved = previous ? strdup(previous) : NULL;
    if (previous && !saved) return -1;
    setenv("OPENBLAS_CORETYPE", core, 1);
    quit();
    init();
    if (saved) {
        setenv("OPENBLAS_CORETYPE", saved, 1);
        free(saved);
    } else {
        unsetenv("OPENBLAS_CORETYPE");
    }
    return 0;
}
