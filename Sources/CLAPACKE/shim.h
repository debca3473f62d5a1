// LAPACKE (Debian: liblapacke-dev) for SVD and symmetric eigenproblems.
#ifndef VAEXPRS_CLAPACKE_SHIM_H
#define VAEXPRS_CLAPACKE_SHIM_H
#include <lapacke.h>
static inline int vaexprs_lapack_row_major(void) { return LAPACK_ROW_MAJOR; }
#endif
