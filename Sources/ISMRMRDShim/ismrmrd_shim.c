#include "ismrmrd_shim.h"
#include <hdf5.h>
#include <ismrmrd/dataset.h>
#include <ismrmrd/ismrmrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ims_file {
    ISMRMRD_Dataset dataset;
    ISMRMRD_Acquisition acquisition;
};

static char last_error[512];

static void record_error(const char *file, int line, const char *function, int code, const char *msg) {
    (void)file; (void)line; (void)function;
    snprintf(last_error, sizeof last_error, "%s (%s)", msg ? msg : "error", ismrmrd_strerror(code));
}

static void take_error(char *error, size_t length, const char *fallback) {
    snprintf(error, length, "%s", last_error[0] ? last_error : fallback);
    last_error[0] = 0;
}

ims_file *ims_open(const char *path, char *error, size_t error_length) {
    ismrmrd_set_error_handler(record_error);
    last_error[0] = 0;
    ims_file *f = calloc(1, sizeof *f);
    if (!f) { snprintf(error, error_length, "out of memory"); return NULL; }
    if (ismrmrd_init_dataset(&f->dataset, path, "/dataset") != ISMRMRD_NOERROR) {
        take_error(error, error_length, "cannot open the ISMRMRD dataset");
        free(f);
        return NULL;
    }
    /* Read-only, not ismrmrd_open_dataset: libismrmrd opens files read-write, which HDF5's file
       locking refuses while another process reads the same file (two jobs on one input) and which
       could rewrite the user's raw file on close. The read functions only need the file id. */
    f->dataset.fileid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f->dataset.fileid < 0) {
        snprintf(error, error_length, "cannot open the file read-only (HDF5)");
        f->dataset.fileid = 0;
        ismrmrd_close_dataset(&f->dataset);
        free(f);
        return NULL;
    }
    ismrmrd_init_acquisition(&f->acquisition);
    return f;
}

void ims_close(ims_file *f) {
    if (!f) return;
    ismrmrd_cleanup_acquisition(&f->acquisition);
    ismrmrd_close_dataset(&f->dataset);
    free(f);
}

char *ims_read_header(ims_file *f, char *error, size_t error_length) {
    char *xml = ismrmrd_read_header(&f->dataset);
    if (!xml) take_error(error, error_length, "has no readable /dataset/xml header");
    return xml;
}

void ims_free(void *p) { free(p); }

uint32_t ims_acquisition_count(ims_file *f) { return ismrmrd_get_number_of_acquisitions(&f->dataset); }

int ims_load(ims_file *f, uint32_t index, ims_acquisition_header *h, char *error, size_t error_length) {
    if (ismrmrd_read_acquisition(&f->dataset, index, &f->acquisition) != ISMRMRD_NOERROR) {
        take_error(error, error_length, "cannot read the acquisition");
        return -1;
    }
    const ISMRMRD_AcquisitionHeader *a = &f->acquisition.head;
    h->flags = a->flags;
    h->number_of_samples = a->number_of_samples;
    h->active_channels = a->active_channels;
    h->center_sample = a->center_sample;
    h->discard_pre = a->discard_pre;
    h->discard_post = a->discard_post;
    h->trajectory_dimensions = a->trajectory_dimensions;
    h->encoding_space_ref = a->encoding_space_ref;
    h->k1 = a->idx.kspace_encode_step_1;
    h->k2 = a->idx.kspace_encode_step_2;
    h->average = a->idx.average;
    h->slice = a->idx.slice;
    h->contrast = a->idx.contrast;
    h->phase = a->idx.phase;
    h->repetition = a->idx.repetition;
    h->set = a->idx.set;
    h->segment = a->idx.segment;
    h->sample_time_us = a->sample_time_us;
    for (int i = 0; i < 3; i++) {
        h->position[i] = a->position[i];
        h->read_dir[i] = a->read_dir[i];
        h->phase_dir[i] = a->phase_dir[i];
        h->slice_dir[i] = a->slice_dir[i];
    }
    if (f->acquisition.data == NULL && (size_t)a->number_of_samples * a->active_channels > 0) {
        snprintf(error, error_length, "acquisition %u has no data", index);
        return -1;
    }
    return 0;
}

void ims_copy_data(ims_file *f, float *out) {
    size_t n = (size_t)f->acquisition.head.number_of_samples * f->acquisition.head.active_channels;
    memcpy(out, f->acquisition.data, n * 2 * sizeof(float));
}
