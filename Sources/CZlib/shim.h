// zlib (Debian: zlib1g-dev): gzip streams and CRC-32.
#ifndef VAEXPRS_CZLIB_SHIM_H
#define VAEXPRS_CZLIB_SHIM_H
#include <zlib.h>
#endif
