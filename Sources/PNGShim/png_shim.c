#include "png_shim.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

/* The first libpng error message of a write, kept for the caller. */
typedef struct {
    char *error;
    size_t length;
} png_shim_context;

static void on_error(png_structp png, png_const_charp message) {
    png_shim_context *c = (png_shim_context *)png_get_error_ptr(png);
    if (c && c->error && c->length) snprintf(c->error, c->length, "libpng: %s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void set_text(png_structp png, png_infop info, const char *software, const char *description) {
    png_text text[2];
    int n = 0;
    memset(text, 0, sizeof text);
    if (software) {
        text[n].compression = PNG_TEXT_COMPRESSION_NONE;
        text[n].key = (png_charp) "Software";
        text[n].text = (png_charp)software;
        n++;
    }
    if (description) {
        text[n].compression = PNG_TEXT_COMPRESSION_NONE;
        text[n].key = (png_charp) "Description";
        text[n].text = (png_charp)description;
        n++;
    }
    if (n) png_set_text(png, info, text, n);
}

int png_shim_write_rgb(const char *path, const uint8_t *rgb, uint32_t width, uint32_t height,
                       const char *software, const char *description, char *error, size_t error_length) {
    png_shim_context context = {error, error_length};
    if (error && error_length) error[0] = 0;
    if (!path || !rgb || width == 0 || height == 0 || width > 100000 || height > 100000) {
        if (error && error_length) snprintf(error, error_length, "invalid image (%u x %u)", width, height);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        if (error && error_length) snprintf(error, error_length, "%s", strerror(errno));
        return -1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        if (png) png_destroy_write_struct(&png, NULL);
        fclose(f);
        if (error && error_length) snprintf(error, error_length, "libpng: out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 6);
    set_text(png, info, software, description);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(rgb + (size_t)y * width * 3));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    if (fclose(f) != 0) {
        if (error && error_length) snprintf(error, error_length, "%s", strerror(errno));
        return -1;
    }
    return 0;
}
