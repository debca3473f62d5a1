#include <ffi.h>

/* Swift 6 rejects mutable C globals; these accessors hand out libffi's type descriptors. */
static inline ffi_type *vaexprs_ffi_void(void) { return &ffi_type_void; }
static inline ffi_type *vaexprs_ffi_pointer(void) { return &ffi_type_pointer; }
static inline ffi_type *vaexprs_ffi_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *vaexprs_ffi_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *vaexprs_ffi_double(void) { return &ffi_type_double; }
static inline ffi_type *vaexprs_ffi_float(void) { return &ffi_type_float; }
