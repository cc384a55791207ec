// A small C shim over libismrmrd's C API (Debian libismrmrd-dev): plain types only, so Swift
// never sees the library's C99 complex type. Not thread-safe (libhdf5 is serial): callers
// serialise every call with the process's HDF5 lock.
#ifndef ISMRMRD_SHIM_H
#define ISMRMRD_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef struct ims_file ims_file;

/// The acquisition header fields mri-daps uses (ISMRMRD_AcquisitionHeader).
typedef struct {
    uint64_t flags;
    uint16_t number_of_samples, active_channels, center_sample, discard_pre, discard_post;
    uint16_t trajectory_dimensions, encoding_space_ref;
    uint16_t k1, k2, average, slice, contrast, phase, repetition, set, segment;
    float sample_time_us;
    float position[3], read_dir[3], phase_dir[3], slice_dir[3];
} ims_acquisition_header;

/// Opens `path` (group "dataset") read-only; NULL with a message in `error` on failure.
ims_file *ims_open(const char *path, char *error, size_t error_length);
void ims_close(ims_file *file);
/// The XML header (malloc'd; free with ims_free), NULL with a message on failure.
char *ims_read_header(ims_file *file, char *error, size_t error_length);
void ims_free(void *p);
/// Number of acquisitions in /dataset/data.
uint32_t ims_acquisition_count(ims_file *file);
/// Reads acquisition `index` into the handle and its header into `head`; 0 on success.
int ims_load(ims_file *file, uint32_t index, ims_acquisition_header *head, char *error, size_t error_length);
/// Copies the loaded acquisition's samples, [channel][sample] interleaved re/im, into `out`
/// (2 · channels · samples floats).
void ims_copy_data(ims_file *file, float *out);
#endif
