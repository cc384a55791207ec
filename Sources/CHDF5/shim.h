#include <hdf5.h>
#include <string.h>
/* H5T_NATIVE_* and H5P_DEFAULT are macros that Swift cannot import; expose them as functions. */
static inline hid_t chdf5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t chdf5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_native_hbool(void) { return H5T_NATIVE_HBOOL; }
static inline hid_t chdf5_c_s1(void) { return H5T_C_S1; }
static inline hid_t chdf5_p_default(void) { return H5P_DEFAULT; }
static inline hid_t chdf5_s_all(void) { return H5S_ALL; }
static inline hid_t chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline unsigned chdf5_f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_f_acc_excl(void) { return H5F_ACC_EXCL; }
/* Silence the library's automatic error stack printing; errors are reported by the caller. */
static inline void chdf5_silence_errors(void) { H5open(); H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
/* Added for MRIIO: file-type constants, variable-length size, exclusive create, object iteration. */
static inline hid_t chdf5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t chdf5_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t chdf5_std_i8le(void) { return H5T_STD_I8LE; }
static inline hid_t chdf5_std_u8le(void) { return H5T_STD_U8LE; }
static inline hid_t chdf5_native_int8(void) { return H5T_NATIVE_INT8; }
static inline size_t chdf5_variable(void) { return H5T_VARIABLE; }
static inline unsigned chdf5_f_acc_rdwr(void) { return H5F_ACC_RDWR; }
/* Number of attributes attached to an object (-1 on failure), via the stable H5Aiterate2 API. */
static herr_t chdf5_count_attr_cb(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
    (void)loc; (void)name; (void)info;
    (*(long long *)data)++;
    return 0;
}
static inline long long chdf5_attribute_count(hid_t obj) {
    long long n = 0;
    hsize_t idx = 0;
    if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, chdf5_count_attr_cb, &n) < 0) return -1;
    return n;
}
/* Number of links in a group (-1 on failure). */
static inline long long chdf5_link_count(hid_t group) {
    H5G_info_t info;
    if (H5Gget_info(group, &info) < 0) return -1;
    return (long long)info.nlinks;
}
/* The description of the innermost entry of the default error stack (where HDF5 detected the
   failure, e.g. "truncated file: eof = …" or "unable to lock file, errno = 11, …"), copied into
   buf (NUL-terminated, at most n bytes); empty when the stack is empty. */
static herr_t chdf5_innermost_cb(unsigned n, const H5E_error2_t *err, void *data) {
    (void)n;
    char **out = (char **)data;
    if (err && err->desc && err->desc[0]) { *out = (char *)err->desc; return 1; }
    return 0;
}
static inline void chdf5_last_error(char *buf, size_t n) {
    char *desc = NULL;
    if (n == 0) return;
    buf[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, chdf5_innermost_cb, &desc);
    if (desc) { strncpy(buf, desc, n - 1); buf[n - 1] = 0; }
}
