/*
 * png_shim.h — writes one 8-bit RGB PNG through libpng (Debian libpng-dev).
 *
 * libpng reports errors by longjmp, which Swift cannot catch: the setjmp lives here, and the
 * caller gets a status and a message. No libpng type crosses this header.
 */
#ifndef MRIDAPS_PNG_SHIM_H
#define MRIDAPS_PNG_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Writes `rgb` (height rows of width × 3 bytes, top row first) to `path` as an 8-bit RGB PNG
 * with the tEXt chunks `Software` = `software` and `Description` = `description` (either may
 * be NULL). Returns 0, or -1 with a message in `error` (the file may then be partial: write to a
 * temporary path and rename).
 */
int png_shim_write_rgb(const char *path, const uint8_t *rgb, uint32_t width, uint32_t height,
                       const char *software, const char *description, char *error, size_t error_length);

#ifdef __cplusplus
}
#endif
#endif
