/* The C interface's declarations live in include/vaexprs.h; libvaexprs implements them in Swift
 * (Sources/VAExprsC, with @_cdecl). This file only makes the header a C module. */
#include "vaexprs.h"
