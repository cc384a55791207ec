/*
 * dcm_shim.h — the plain-C face of DCMTK (Debian libdcmtk-dev 3.6.7) for mri-daps.
 *
 * No DCMTK type crosses this header. Objects are opaque handles; every call that can fail
 * returns a dcm_status and, when `message` is non-NULL, writes a NUL-terminated one-line
 * reason into message[0 ..< message_size].
 *
 * Concerns live in separate files so later parts slot in beside them:
 *   dcm_dataset_writer.cpp   build a dataset attribute by attribute and save it (this file's API)
 *   dcm_reader.cpp           read a file into pixels + tags (the "Reading" block below)
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

/* ===================================== Reading (dcm_reader.cpp) ===================================== */
/*
 * Open a file, look attributes up by path (same syntax as above, nothing is created), and read
 * its pixels, decompressed to native little endian first when the transfer syntax is
 * encapsulated. Decoders registered once per process: RLE Lossless (dcmdata), JPEG baseline,
 * extended and lossless (dcmjpeg, IJG 8/12/16-bit), JPEG-LS lossless and near-lossless (dcmjpls).
 * JPEG 2000 and every other encapsulated syntax return DCM_ERROR_UNSUPPORTED_TRANSFER_SYNTAX
 * with the message "unsupported transfer syntax <UID> (<name>)".
 */

/** Further results of the reading calls (numbered apart from dcm_status's own values). */
enum dcm_read_status {
    /** The file is not DICOM (no preamble/meta header where one is required, or unparsable). */
    DCM_ERROR_NOT_DICOM = 32,
    /** The pixel data is encapsulated in a transfer syntax DCMTK cannot decode (e.g. JPEG 2000). */
    DCM_ERROR_UNSUPPORTED_TRANSFER_SYNTAX = 33,
    /** An image the reader does not handle: colour, or BitsAllocated other than 8/16/32. */
    DCM_ERROR_UNSUPPORTED_IMAGE = 34
};

/** Which pixel data attribute a file holds. */
enum dcm_pixel_kind {
    DCM_PIXELS_NONE = 0,
    /** PixelData (7FE0,0010): integers, BitsAllocated 8/16/32. */
    DCM_PIXELS_INTEGER = 1,
    /** FloatPixelData (7FE0,0008). */
    DCM_PIXELS_FLOAT32 = 2,
    /** DoubleFloatPixelData (7FE0,0009). */
    DCM_PIXELS_FLOAT64 = 3
};

/** The Image Pixel attributes of an opened file, and its transfer syntax. Absent values are 0 / "". */
typedef struct dcm_pixel_info {
    uint32_t rows, columns;
    /** NumberOfFrames, 1 when absent. */
    uint32_t frames;
    uint32_t samples_per_pixel, bits_allocated, bits_stored, high_bit;
    /** 0 unsigned, 1 two's complement. */
    uint32_t pixel_representation;
    /** A dcm_pixel_kind. */
    int32_t kind;
    /** Non-zero when the transfer syntax encapsulates (compresses) the pixel data. */
    int32_t encapsulated;
    char photometric[32];
    /** Transfer syntax UID from the file meta header, else the one DCMTK detected. */
    char transfer_syntax[72];
    /** DCMTK's name for it, e.g. "JPEG-LS Lossless". */
    char transfer_syntax_name[96];
    /** Length in bytes of the pixel data attribute as stored (native transfer syntaxes; 0 when
     *  encapsulated), known without reading the pixels: lets a reader refuse a short pixel array
     *  before allocating Rows × Columns × NumberOfFrames values. */
    uint64_t stored_bytes;
} dcm_pixel_info;

/** A DICOM file opened for reading (opaque). */
typedef struct dcm_file dcm_file;

/**
 * Opens `filename`. With `require_meta_header` non-zero the file must be Part 10 (128-byte
 * preamble, "DICM", meta header), which is how folders are scanned; otherwise a bare dataset
 * (implicit or explicit VR, detected) is accepted too. Pixel data stays on disk until read.
 * On success `*file` must be freed with dcm_file_free.
 */
dcm_status dcm_file_open(const char *filename, int require_meta_header, dcm_file **file,
                         char *message, size_t message_size);

/** Frees an opened file (NULL is ignored). */
void dcm_file_free(dcm_file *file);

/**
 * The value of the attribute at `path` (e.g. "ImagePositionPatient",
 * "PerFrameFunctionalGroupsSequence[3].PlanePositionSequence[0].ImagePositionPatient") in its
 * DICOM string form, multiple values joined by '\'. Writes at most value_size−1 characters and
 * a NUL; returns the full length (call again with a larger buffer when it is ≥ value_size),
 * or −1 when the attribute is absent, empty, or a sequence.
 */
long dcm_file_get_string(dcm_file *file, const char *path, char *value, size_t value_size);

/** Number of items of the sequence at `path`, or −1 when there is no such sequence. */
long dcm_file_item_count(dcm_file *file, const char *path);

/** Fills `info` from the dataset and the meta header (nothing is decoded). */
dcm_status dcm_file_pixel_info(dcm_file *file, dcm_pixel_info *info, char *message, size_t message_size);

/**
 * Reads every frame as float into values[0 ..< rows·columns·frames] (row-major, frames
 * concatenated): the stored values — bits HighBit−BitsStored+1 … HighBit, sign-extended when
 * PixelRepresentation is 1 — with no Modality LUT applied (the caller applies Rescale
 * Slope/Intercept, which may differ per frame); FloatPixelData/DoubleFloatPixelData as they are.
 * Monochrome images only: MONOCHROME1/2 with one sample per pixel, else
 * DCM_ERROR_UNSUPPORTED_IMAGE. A short pixel data element (truncated file) is DCM_ERROR_IO.
 */
dcm_status dcm_file_read_pixels(dcm_file *file, float *values, size_t count, char *message, size_t message_size);

/* =================================== end of Reading (dcm_reader.cpp) =================================== */

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
