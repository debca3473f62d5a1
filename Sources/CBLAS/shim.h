// OpenBLAS through its CBLAS interface (Debian: libopenblas-dev).
#ifndef VAEXPRS_CBLAS_SHIM_H
#define VAEXPRS_CBLAS_SHIM_H
#include <cblas.h>
#endif
