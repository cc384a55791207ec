// Dataset construction and saving (see include/dcm_shim.h).
#include "dcm_shim_internal.h"
#include "dcmtk/dcmdata/dcpath.h"

using dcm_shim::fail;
using dcm_shim::ok;

struct dcm_dataset {
    DcmFileFormat file;
};

extern "C" const char *dcm_shim_dcmtk_version(void) { return OFFIS_DCMTK_VERSION_STRING; }

extern "C" dcm_dataset *dcm_dataset_create(void) { return new (std::nothrow) dcm_dataset(); }

extern "C" void dcm_dataset_free(dcm_dataset *dataset) { delete dataset; }

extern "C" dcm_status dcm_dataset_set_string(dcm_dataset *dataset, const char *path, const char *value,
                                             char *message, size_t message_size) {
    if (!dataset || !path || !*path) return fail(DCM_ERROR_ARGUMENT, message, message_size, "no dataset or empty path");
    DcmPathProcessor proc;
    OFCondition cond = proc.findOrCreatePath(dataset->file.getDataset(), path, OFTrue);
    if (cond.bad()) return fail(DCM_ERROR_PATH, message, message_size, std::string(path) + ": " + cond.text());
    OFList<DcmPath *> results;
    if (proc.getResults(results) != 1)
        return fail(DCM_ERROR_PATH, message, message_size, std::string(path) + ": path does not name exactly one attribute");
    DcmPathNode *last = results.front()->back();
    if (!last || !last->m_obj) return fail(DCM_ERROR_PATH, message, message_size, std::string(path) + ": empty result");
    if (!value) return ok(message, message_size);  // created (empty attribute, sequence or item)
    DcmObject *obj = last->m_obj;
    if (obj->ident() == EVR_SQ || obj->ident() == EVR_item || obj->ident() == EVR_dataset)
        return fail(DCM_ERROR_PATH, message, message_size, std::string(path) + ": a sequence or item cannot take a value");
    DcmElement *element = OFstatic_cast(DcmElement *, obj);
    cond = element->putString(value);
    if (cond.bad())
        return fail(DCM_ERROR_VALUE, message, message_size,
                    std::string(path) + " = '" + value + "': " + cond.text());
    return ok(message, message_size);
}

extern "C" dcm_status dcm_dataset_set_pixels_u16(dcm_dataset *dataset, const uint16_t *values, size_t count,
                                                 char *message, size_t message_size) {
    if (!dataset || (!values && count)) return fail(DCM_ERROR_ARGUMENT, message, message_size, "no dataset or no pixels");
    if (count > 0x7fffffffUL) return fail(DCM_ERROR_VALUE, message, message_size, "pixel data over 2^31 values");
    OFCondition cond = dataset->file.getDataset()->putAndInsertUint16Array(DCM_PixelData, values, OFstatic_cast(unsigned long, count));
    if (cond.bad()) return fail(DCM_ERROR_INTERNAL, message, message_size, std::string("PixelData: ") + cond.text());
    return ok(message, message_size);
}

extern "C" dcm_status dcm_dataset_set_pixels_f32(dcm_dataset *dataset, const float *values, size_t count,
                                                 char *message, size_t message_size) {
    if (!dataset || (!values && count)) return fail(DCM_ERROR_ARGUMENT, message, message_size, "no dataset or no pixels");
    if (count > 0x3fffffffUL) return fail(DCM_ERROR_VALUE, message, message_size, "float pixel data over 2^30 values");
    OFCondition cond = dataset->file.getDataset()->putAndInsertFloat32Array(DCM_FloatPixelData, values, OFstatic_cast(unsigned long, count));
    if (cond.bad()) return fail(DCM_ERROR_INTERNAL, message, message_size, std::string("FloatPixelData: ") + cond.text());
    return ok(message, message_size);
}

extern "C" dcm_status dcm_dataset_save(dcm_dataset *dataset, const char *filename, char *message, size_t message_size) {
    if (!dataset || !filename || !*filename) return fail(DCM_ERROR_ARGUMENT, message, message_size, "no dataset or empty file name");
    DcmDataset *ds = dataset->file.getDataset();
    if (!ds->tagExistsWithValue(DCM_SOPClassUID) || !ds->tagExistsWithValue(DCM_SOPInstanceUID))
        return fail(DCM_ERROR_ARGUMENT, message, message_size, "SOPClassUID and SOPInstanceUID must be set before saving");
    OFCondition cond = dataset->file.saveFile(filename, EXS_LittleEndianExplicit, EET_ExplicitLength, EGL_recalcGL,
                                              EPD_noChange, 0, 0, EWM_fileformat);
    if (cond.bad()) return fail(DCM_ERROR_IO, message, message_size, std::string(filename) + ": " + cond.text());
    return ok(message, message_size);
}
