// Which loaded object defines an address (dladdr), for the plugin loader's check that a
// symbol comes from the library it was looked up in and not from one of its dependencies.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
#include "vaexprs_platform.h"

int32_t vaexprs_defining_object(const void *address, char *path, size_t size) {
    Dl_info info;
    if (size == 0 || dladdr(address, &info) == 0 || info.dli_fname == NULL) return 0;
    size_t length = strlen(info.dli_fname);
    if (length >= size) return 0;
    memcpy(path, info.dli_fname, length + 1);
    return 1;
}
