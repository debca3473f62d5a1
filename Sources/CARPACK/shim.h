// ARPACK-NG (Debian: libarpack2-dev): implicitly restarted Lanczos for a few eigenpairs of
// large sparse symmetric matrices (diffusion maps), through its C interface.
#ifndef VAEXPRS_CARPACK_SHIM_H
#define VAEXPRS_CARPACK_SHIM_H
#include <arpack/arpack.h>
#endif
