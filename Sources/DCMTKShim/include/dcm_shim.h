/*
 * dcm_shim.h — the plain-C face of DCMTK (Debian libdcmtk-dev 3.6.7) for mri-daps.
 *
 * No DCMTK type crosses this header. Objects are opaque handles; every call that can fail
 * returns a dcm_status and, when `message` is non-NULL, writes a NUL-terminated one-line
 * reason into message[0 ..< message_size].
 *
 * Concerns live in separate files so later parts slot in beside them:
 *   dcm_dataset_writer.cpp   build a dataset attribute by attribute and save it (this file's API)
 *   (planned) dcm_reader.cpp read a file into pixels + tags
 *   (planned) dcm_network.cpp C-STORE over DIMSE
 *
 * Attribute paths use DCMTK's path syntax (DcmPathProcessor): a tag "(gggg,eeee)" or a
 * dictionary keyword, items of sequences as "[n]" (0-based), levels joined by ".", e.g.
 *   "(0040,9096)[0].(0040,9225)"   RealWorldValueSlope in the first mapping item
 *   "SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing"
 * Missing sequences, items and attributes on the way are created. The value representation
 * comes from the DICOM dictionary; multiple values are separated by a backslash.
 */
#ifndef MRIDAPS_DCM_SHIM_H
#define MRIDAPS_DCM_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result of a shim call. */
typedef enum dcm_status {
    DCM_OK = 0,
    /** A NULL handle, an empty path or another caller error. */
    DCM_ERROR_ARGUMENT = 1,
    /** The attribute path is malformed or names an unknown attribute. */
    DCM_ERROR_PATH = 2,
    /** The value does not fit the attribute's value representation. */
    DCM_ERROR_VALUE = 3,
    /** Writing (or, later, reading) a file failed. */
    DCM_ERROR_IO = 4,
    /** Anything else DCMTK reported. */
    DCM_ERROR_INTERNAL = 5
} dcm_status;

/** An in-memory DICOM dataset under construction (opaque). */
typedef struct dcm_dataset dcm_dataset;

/** The DCMTK version the shim was built against, e.g. "3.6.7". Static storage. */
const char *dcm_shim_dcmtk_version(void);

/** A new, empty dataset; NULL only when memory is exhausted. Free with dcm_dataset_free. */
dcm_dataset *dcm_dataset_create(void);

/** Frees a dataset (NULL is ignored). */
void dcm_dataset_free(dcm_dataset *dataset);

/**
 * Sets the attribute at `path` from its DICOM string form (numbers in decimal text, for every
 * VR DCMTK can parse: AE…UT, US/SS/UL/SL, FL/FD, AT as "(gggg,eeee)"). Replaces an existing
 * value. With `value` == NULL the path is only created: an empty attribute (type 2), an empty
 * sequence, or an empty item when the path ends in "[n]".
 */
dcm_status dcm_dataset_set_string(dcm_dataset *dataset, const char *path, const char *value,
                                  char *message, size_t message_size);

/** Sets PixelData (7FE0,0010), VR OW, from `count` native 16-bit values (row-major, frames concatenated). */
dcm_status dcm_dataset_set_pixels_u16(dcm_dataset *dataset, const uint16_t *values, size_t count,
                                      char *message, size_t message_size);

/** Sets FloatPixelData (7FE0,0008), VR OF, from `count` IEEE float32 values (row-major, frames concatenated). */
dcm_status dcm_dataset_set_pixels_f32(dcm_dataset *dataset, const float *values, size_t count,
                                      char *message, size_t message_size);

/**
 * Writes the dataset as a DICOM Part 10 file at `filename` in Explicit VR Little Endian
 * (1.2.840.10008.1.2.1), with a file meta header derived from SOPClassUID/SOPInstanceUID
 * (both must be set). The file is written in place: atomicity is the caller's business.
 */
dcm_status dcm_dataset_save(dcm_dataset *dataset, const char *filename, char *message, size_t message_size);

#ifdef __cplusplus
}
#endif

#endif
