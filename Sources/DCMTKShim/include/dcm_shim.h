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

/* ==================================== network ====================================
 * dcm_network.cpp: C-STORE SCU over DIMSE (DCMTK dcmnet DcmSCU). Own status codes so this
 * block stands alone. Usage: create → add_context (one per SOP class / syntax group) →
 * connect → store (per file) → free (releases the association).
 */

/** Result of a network call. */
typedef enum dcm_net_status {
    DCM_NET_OK = 0,
    /** A NULL handle, an out-of-range port/timeout or a call out of order. */
    DCM_NET_ERROR_ARGUMENT = 1,
    /** TCP connection or association negotiation failed (refused, unreachable, timed out). */
    DCM_NET_ERROR_CONNECT = 2,
    /** The peer rejected the association (A-ASSOCIATE-RJ: usually the AE titles). */
    DCM_NET_ERROR_REJECTED = 3,
    /** The peer accepted no presentation context for the SOP class / transfer syntax. */
    DCM_NET_ERROR_NO_CONTEXT = 4,
    /** The local file cannot be read as DICOM (nothing was sent). */
    DCM_NET_ERROR_FILE = 5,
    /** The DIMSE exchange broke off (timeout, connection lost): the association is unusable. */
    DCM_NET_ERROR_DIMSE = 6,
    /** The peer answered the C-STORE with a failure status (see the dimse_status out-parameter). */
    DCM_NET_ERROR_REFUSED = 7,
    /** Anything else DCMTK reported. */
    DCM_NET_ERROR_INTERNAL = 8
} dcm_net_status;

/** Identity of a Part 10 file, from its file meta information (NUL-terminated UIDs). */
typedef struct dcm_net_file_info {
    char sop_class_uid[65];
    char sop_instance_uid[65];
    char transfer_syntax_uid[65];
} dcm_net_file_info;

/**
 * Reads `filename` completely as a Part 10 file (so a truncated or corrupt file is caught before
 * anything is sent) and returns its UIDs from the file meta information (SOP class/instance
 * falling back to the dataset). DCM_NET_ERROR_FILE when it does not parse or lacks a UID.
 */
dcm_net_status dcm_net_identify_file(const char *filename, dcm_net_file_info *info, char *message, size_t message_size);

/** A C-STORE SCU association (opaque). */
typedef struct dcm_net_association dcm_net_association;

/**
 * A new, unconnected association from `calling_aet` to `called_aet` at host:port. `timeout_seconds`
 * (> 0) bounds ACSE and DIMSE waits (non-blocking DIMSE). NULL on a bad argument or no memory.
 */
dcm_net_association *dcm_net_association_create(const char *calling_aet, const char *called_aet, const char *host,
                                                int port, int timeout_seconds);

/** Releases the association when connected (A-RELEASE), then frees it (NULL is ignored). */
void dcm_net_association_free(dcm_net_association *association);

/**
 * Proposes one presentation context: `sop_class_uid` with the transfer syntaxes in
 * `transfer_syntaxes`, backslash-separated, preferred first. Before dcm_net_connect only.
 */
dcm_net_status dcm_net_add_context(dcm_net_association *association, const char *sop_class_uid,
                                   const char *transfer_syntaxes, char *message, size_t message_size);

/**
 * Opens TCP (connect timeout `timeout_seconds`; dcmnet keeps it process-global) and negotiates
 * the association. DCM_NET_ERROR_CONNECT / _REJECTED / _NO_CONTEXT on failure.
 */
dcm_net_status dcm_net_connect(dcm_net_association *association, int timeout_seconds, char *message, size_t message_size);

/** 1 while the association is established, else 0. */
int dcm_net_is_connected(const dcm_net_association *association);

/**
 * Sends one Part 10 file with C-STORE on a presentation context accepted for its SOP class, in its
 * own transfer syntax or (uncompressed little endian only) the other LE syntax. `*dimse_status`
 * gets the response status (0x0000 success; 0xB… warning, returned as DCM_NET_OK with the warning
 * in `message`; 0xFFFF when no response came). DCM_NET_ERROR_FILE: nothing was sent;
 * DCM_NET_ERROR_DIMSE: the association is lost; DCM_NET_ERROR_REFUSED: a failure status.
 */
dcm_net_status dcm_net_store(dcm_net_association *association, const char *filename, uint16_t *dimse_status,
                             char *message, size_t message_size);

/* ================================== end network ================================== */

#ifdef __cplusplus
}
#endif

#endif
