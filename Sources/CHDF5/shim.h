// HDF5 (Debian: libhdf5-dev, serial build) for reading .h5ad files.
// Swift imports neither HDF5's type macros (they expand to library globals after H5open)
// nor its cast macros, so tiny accessors expose the few that VAExprs uses.
#ifndef VAEXPRS_CHDF5_SHIM_H
#define VAEXPRS_CHDF5_SHIM_H
#include <hdf5/serial/hdf5.h>

static inline hid_t vaexprs_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t vaexprs_h5s_all(void) { return H5S_ALL; }
static inline unsigned vaexprs_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline hid_t vaexprs_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t vaexprs_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t vaexprs_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t vaexprs_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t vaexprs_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t vaexprs_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t vaexprs_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t vaexprs_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t vaexprs_h5t_std_i8le(void) { return H5T_STD_I8LE; }
static inline hid_t vaexprs_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t vaexprs_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t vaexprs_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t vaexprs_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline unsigned vaexprs_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline hsize_t vaexprs_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline hid_t vaexprs_h5t_c_s1(void) { return H5T_C_S1; }
static inline size_t vaexprs_h5t_variable(void) { return H5T_VARIABLE; }
/// Silences HDF5's automatic error stack printing (VAExprs reports its own errors).
static inline void vaexprs_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
