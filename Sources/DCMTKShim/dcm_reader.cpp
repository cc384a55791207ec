// Reading a DICOM file into tags and pixels (see the "Reading" block of include/dcm_shim.h).
#include "dcm_shim_internal.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

using dcm_shim::fail;
using dcm_shim::ok;

struct dcm_file {
    DcmFileFormat file;
    std::string name;
};

namespace {

/// Registers the RLE, JPEG (IJG 8/12/16-bit) and JPEG-LS decoders once per process.
void registerDecoders() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Problems come back as one-line messages; DCMTK's own log lines would only repeat them on stderr.
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        DcmRLEDecoderRegistration::registerCodecs();
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
    });
}

/// The transfer syntax the file was written in: the meta header's (0002,0010) when present,
/// else what DCMTK detected while parsing.
std::string transferSyntaxUID(dcm_file *f) {
    OFString uid;
    if (f->file.getMetaInfo() && f->file.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, uid).good() && !uid.empty())
        return uid.c_str();
    DcmXfer x(f->file.getDataset()->getOriginalXfer());
    return x.getXferID();
}

std::string transferSyntaxName(const std::string &uid) {
    DcmXfer x(uid.c_str());
    if (x.getXfer() == EXS_Unknown) return "unknown transfer syntax";
    return x.getXferName();
}

/// Resolves a keyword or "(gggg,eeee)" to a tag. DCMTK's keyword search is linear in the
/// dictionary, so results are cached (series scans look the same few names up per file).
bool resolveTag(const std::string &name, DcmTagKey &key) {
    static std::mutex lock;
    static std::map<std::string, DcmTagKey> cache;
    {
        std::lock_guard<std::mutex> guard(lock);
        auto it = cache.find(name);
        if (it != cache.end()) { key = it->second; return true; }
    }
    unsigned g = 0, e = 0;
    if (name.size() == 11 && name[0] == '(' && std::sscanf(name.c_str(), "(%4x,%4x)", &g, &e) == 2) {
        key = DcmTagKey(OFstatic_cast(Uint16, g), OFstatic_cast(Uint16, e));
    } else {
        DcmTag tag;
        if (DcmTag::findTagFromName(name.c_str(), tag).bad()) return false;
        key = tag;
    }
    std::lock_guard<std::mutex> guard(lock);
    cache[name] = key;
    return true;
}

/// Finds the object at a path "A[i].B[j].C" (keywords or "(gggg,eeee)", items 0-based): an
/// element, or a sequence when the last segment has no "[n]"; NULL when absent. Nothing is created.
DcmObject *findObject(dcm_file *f, const char *path) {
    if (!f || !path || !*path) return nullptr;
    DcmItem *item = f->file.getDataset();
    std::string rest(path);
    while (true) {
        const size_t dot = rest.find('.');
        std::string segment = rest.substr(0, dot);
        long index = -1;
        const size_t bracket = segment.find('[');
        if (bracket != std::string::npos) {
            index = std::strtol(segment.c_str() + bracket + 1, nullptr, 10);
            segment.resize(bracket);
        }
        DcmTagKey key;
        if (!resolveTag(segment, key)) return nullptr;
        DcmElement *element = nullptr;
        if (item->findAndGetElement(key, element, OFFalse).bad() || !element) return nullptr;
        if (dot == std::string::npos && index < 0) return element;
        if (element->ident() != EVR_SQ || index < 0) return nullptr;
        DcmSequenceOfItems *sq = OFstatic_cast(DcmSequenceOfItems *, element);
        if (OFstatic_cast(unsigned long, index) >= sq->card()) return nullptr;
        item = sq->getItem(OFstatic_cast(unsigned long, index));
        if (dot == std::string::npos) return item;
        rest = rest.substr(dot + 1);
    }
}

void copyText(char *dst, size_t size, const std::string &s) {
    if (!dst || size == 0) return;
    std::snprintf(dst, size, "%s", s.c_str());
}

}  // namespace

extern "C" dcm_status dcm_file_open(const char *filename, int require_meta_header, dcm_file **out,
                                    char *message, size_t message_size) {
    if (!filename || !*filename || !out) return fail(DCM_ERROR_ARGUMENT, message, message_size, "no file name or no result pointer");
    *out = nullptr;
    registerDecoders();
    dcm_file *f = new (std::nothrow) dcm_file();
    if (!f) return fail(DCM_ERROR_INTERNAL, message, message_size, "out of memory");
    f->name = filename;
    // Part 10 marker: "DICM" after the 128-byte preamble.
    bool part10 = false;
    if (FILE *fp = std::fopen(filename, "rb")) {
        char head[132];
        part10 = std::fread(head, 1, sizeof(head), fp) == sizeof(head) && std::memcmp(head + 128, "DICM", 4) == 0;
        std::fclose(fp);
    } else {
        delete f;
        return fail(DCM_ERROR_IO, message, message_size, "cannot open the file");
    }
    if (require_meta_header && !part10) {
        delete f;
        return fail((dcm_status)DCM_ERROR_NOT_DICOM, message, message_size, "no DICM marker after the 128-byte preamble");
    }
    // Large values (pixel data) stay on disk until they are accessed (DCMTK's default read length).
    OFCondition cond = f->file.loadFile(filename, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                        require_meta_header ? ERM_fileOnly : ERM_autoDetect);
    if (cond.bad()) {
        std::string reason = cond.text();
        delete f;
        // Without the Part 10 marker a parse failure means the bytes are not DICOM at all;
        // with it, the file is damaged (most often cut short).
        if (!part10) return fail((dcm_status)DCM_ERROR_NOT_DICOM, message, message_size, reason);
        return fail(DCM_ERROR_IO, message, message_size, reason + " (truncated or corrupt file)");
    }
    DcmDataset *ds = f->file.getDataset();
    // A file DCMTK "auto-detected" without a meta header but with no recognisable attribute is not DICOM.
    if (!ds || ds->card() == 0) {
        delete f;
        return fail((dcm_status)DCM_ERROR_NOT_DICOM, message, message_size, "not a DICOM file (no attributes)");
    }
    *out = f;
    return ok(message, message_size);
}

extern "C" void dcm_file_free(dcm_file *file) { delete file; }

extern "C" long dcm_file_get_string(dcm_file *file, const char *path, char *value, size_t value_size) {
    if (value && value_size) value[0] = '\0';
    DcmObject *obj = findObject(file, path);
    if (!obj || obj->ident() == EVR_SQ || obj->ident() == EVR_item || obj->ident() == EVR_dataset) return -1;
    DcmElement *element = OFstatic_cast(DcmElement *, obj);
    if (element->getLength() == 0) return -1;
    OFString s;
    if (element->getOFStringArray(s).bad()) return -1;
    copyText(value, value_size, s.c_str());
    return OFstatic_cast(long, s.length());
}

extern "C" long dcm_file_item_count(dcm_file *file, const char *path) {
    DcmObject *obj = findObject(file, path);
    if (!obj || obj->ident() != EVR_SQ) return -1;
    return OFstatic_cast(long, OFstatic_cast(DcmSequenceOfItems *, obj)->card());
}

extern "C" dcm_status dcm_file_pixel_info(dcm_file *file, dcm_pixel_info *info, char *message, size_t message_size) {
    if (!file || !info) return fail(DCM_ERROR_ARGUMENT, message, message_size, "no file or no info");
    std::memset(info, 0, sizeof(*info));
    DcmDataset *ds = file->file.getDataset();
    Uint16 u16 = 0;
    if (ds->findAndGetUint16(DCM_Rows, u16).good()) info->rows = u16;
    if (ds->findAndGetUint16(DCM_Columns, u16).good()) info->columns = u16;
    if (ds->findAndGetUint16(DCM_SamplesPerPixel, u16).good()) info->samples_per_pixel = u16;
    if (ds->findAndGetUint16(DCM_BitsAllocated, u16).good()) info->bits_allocated = u16;
    if (ds->findAndGetUint16(DCM_BitsStored, u16).good()) info->bits_stored = u16;
    else info->bits_stored = info->bits_allocated;
    if (ds->findAndGetUint16(DCM_HighBit, u16).good()) info->high_bit = u16;
    else info->high_bit = info->bits_stored ? info->bits_stored - 1 : 0;
    if (ds->findAndGetUint16(DCM_PixelRepresentation, u16).good()) info->pixel_representation = u16;
    Sint32 frames = 1;
    if (ds->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
    info->frames = OFstatic_cast(uint32_t, frames);
    OFString photometric;
    if (ds->findAndGetOFString(DCM_PhotometricInterpretation, photometric).good())
        copyText(info->photometric, sizeof(info->photometric), photometric.c_str());
    if (ds->tagExists(DCM_PixelData)) info->kind = DCM_PIXELS_INTEGER;
    else if (ds->tagExists(DCM_FloatPixelData)) info->kind = DCM_PIXELS_FLOAT32;
    else if (ds->tagExists(DCM_DoubleFloatPixelData)) info->kind = DCM_PIXELS_FLOAT64;
    else info->kind = DCM_PIXELS_NONE;
    std::string uid = transferSyntaxUID(file);
    DcmXfer x(uid.c_str());
    info->encapsulated = x.getXfer() != EXS_Unknown && x.isEncapsulated();
    if (!info->encapsulated && info->kind != DCM_PIXELS_NONE) {
        const DcmTagKey key = info->kind == DCM_PIXELS_INTEGER ? DCM_PixelData
                              : info->kind == DCM_PIXELS_FLOAT32 ? DCM_FloatPixelData : DCM_DoubleFloatPixelData;
        DcmElement *e = nullptr;
        if (ds->findAndGetElement(key, e).good() && e) info->stored_bytes = e->getLength();
    }
    copyText(info->transfer_syntax, sizeof(info->transfer_syntax), uid);
    copyText(info->transfer_syntax_name, sizeof(info->transfer_syntax_name), transferSyntaxName(uid));
    return ok(message, message_size);
}

/// True when a JPEG fragment's marker walk (the one DCMTK 3.6.7's DJCodecDecoder does to find
/// the frame header's precision: SOI/RSTn/EOI and reserved markers skip 2 bytes, a fill byte
/// 0xFF skips 1, segments skip their length) reaches a TEM marker (FF01) before any SOF marker.
/// DCMTK's walk does not advance past TEM and never returns (found by fuzzing); a TEM marker
/// has no place in a DICOM JPEG header.
static bool jpegHeaderHasTEM(const Uint8 *data, size_t length) {
    size_t offset = 0;
    while (data && offset + 4 < length) {
        if (data[offset] != 0xff) return false;  // not a marker: DCMTK stops with an error
        const Uint8 m = data[offset + 1];
        if (m == 0x01) return true;
        if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) return false;  // SOFn
        if (m == 0xff) offset += 1;
        else if ((m >= 0xd0 && m <= 0xd9) || (m > 0x02 && m <= 0xbf)) offset += 2;
        else if (m >= 0xc0) offset += 2 + ((size_t(data[offset + 2]) << 8) | data[offset + 3]);
        else return false;
    }
    return false;
}

/// The first fragment of an encapsulated pixel item sequence that would hang DCMTK's JPEG
/// decoder (`jpegHeaderHasTEM`), or -1 (also when the data is not encapsulated in `xfer`).
static long hangingJpegFragment(DcmDataset *ds, E_TransferSyntax xfer) {
    DcmElement *e = nullptr;
    if (ds->findAndGetElement(DCM_PixelData, e).bad() || !e) return -1;
    DcmPixelData *pixels = OFstatic_cast(DcmPixelData *, e);
    DcmPixelSequence *sequence = nullptr;
    if (pixels->getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() || !sequence) return -1;
    for (unsigned long i = 1; i < sequence->card(); ++i) {  // item 0 is the offset table
        DcmPixelItem *item = nullptr;
        Uint8 *data = nullptr;
        if (sequence->getItem(item, i).bad() || !item || item->getUint8Array(data).bad()) continue;
        if (jpegHeaderHasTEM(data, item->getLength())) return OFstatic_cast(long, i);
    }
    return -1;
}

extern "C" dcm_status dcm_file_read_pixels(dcm_file *file, float *values, size_t count, char *message, size_t message_size) {
    if (!file || (!values && count)) return fail(DCM_ERROR_ARGUMENT, message, message_size, "no file or no output buffer");
    dcm_pixel_info info;
    dcm_file_pixel_info(file, &info, nullptr, 0);
    const std::string uid = info.transfer_syntax;
    const std::string unsupportedXfer = "unsupported transfer syntax " + uid + " (" + info.transfer_syntax_name + ")";
    if (info.kind == DCM_PIXELS_NONE) return fail(DCM_ERROR_VALUE, message, message_size, "no pixel data");
    if (info.samples_per_pixel > 1 ||
        (std::strcmp(info.photometric, "MONOCHROME1") != 0 && std::strcmp(info.photometric, "MONOCHROME2") != 0))
        return fail((dcm_status)DCM_ERROR_UNSUPPORTED_IMAGE, message, message_size,
                    std::string("unsupported colour image (PhotometricInterpretation ") +
                        (info.photometric[0] ? info.photometric : "missing") + ", SamplesPerPixel " +
                        std::to_string(info.samples_per_pixel) + "): only MONOCHROME1/MONOCHROME2 are read");
    const size_t frameSize = size_t(info.rows) * info.columns;
    const size_t expected = frameSize * info.frames;
    if (frameSize == 0) return fail(DCM_ERROR_VALUE, message, message_size, "Rows or Columns missing or zero");
    if (count != expected)
        return fail(DCM_ERROR_ARGUMENT, message, message_size,
                    "buffer of " + std::to_string(count) + " values, the image has " + std::to_string(expected));
    DcmDataset *ds = file->file.getDataset();

    if (info.kind == DCM_PIXELS_FLOAT32 || info.kind == DCM_PIXELS_FLOAT64) {
        DcmElement *e = nullptr;
        if (ds->findAndGetElement(info.kind == DCM_PIXELS_FLOAT32 ? DCM_FloatPixelData : DCM_DoubleFloatPixelData, e).bad() || !e)
            return fail(DCM_ERROR_VALUE, message, message_size, "float pixel data unreadable");
        if (info.kind == DCM_PIXELS_FLOAT32) {
            Float32 *p = nullptr;
            OFCondition c = e->getFloat32Array(p);
            if (c.bad() || !p || e->getLength() / 4 < expected)
                return fail(DCM_ERROR_IO, message, message_size, std::string("float pixel data short or unreadable (truncated file?)") + (c.bad() ? std::string(": ") + c.text() : ""));
            for (size_t i = 0; i < expected; ++i) values[i] = p[i];
        } else {
            Float64 *p = nullptr;
            OFCondition c = e->getFloat64Array(p);
            if (c.bad() || !p || e->getLength() / 8 < expected)
                return fail(DCM_ERROR_IO, message, message_size, std::string("double pixel data short or unreadable (truncated file?)") + (c.bad() ? std::string(": ") + c.text() : ""));
            for (size_t i = 0; i < expected; ++i) values[i] = OFstatic_cast(float, p[i]);
        }
        return ok(message, message_size);
    }

    if (info.bits_allocated != 8 && info.bits_allocated != 16 && info.bits_allocated != 32)
        return fail((dcm_status)DCM_ERROR_UNSUPPORTED_IMAGE, message, message_size,
                    "unsupported BitsAllocated " + std::to_string(info.bits_allocated) + " (8, 16 or 32 are read)");
    if (info.bits_stored == 0 || info.bits_stored > info.bits_allocated || info.high_bit + 1 < info.bits_stored)
        return fail(DCM_ERROR_VALUE, message, message_size,
                    "inconsistent BitsStored " + std::to_string(info.bits_stored) + " / BitsAllocated " +
                        std::to_string(info.bits_allocated) + " / HighBit " + std::to_string(info.high_bit));

    if (info.encapsulated) {
        // Decoders registered: RLE, JPEG baseline/extended/lossless (IJG), JPEG-LS. Anything else
        // (JPEG 2000, MPEG, HTJ2K, ...) has no decoder in DCMTK 3.6.7.
        // Every JPEG process DCMTK decodes (dcmjpeg also takes the retired ones, e.g. 1.2.840.10008.1.2.4.55).
        const E_TransferSyntax xfer = DcmXfer(uid.c_str()).getXfer();
        if (xfer != EXS_Unknown && xfer != EXS_RLELossless) {
            const long fragment = hangingJpegFragment(ds, xfer);
            if (fragment >= 0)
                return fail(DCM_ERROR_IO, message, message_size,
                            "JPEG fragment " + std::to_string(fragment) + " has a TEM marker (FF01) before its frame header (corrupt)");
        }
        OFCondition c = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
        if (c.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit)) {
            DcmXfer x(uid.c_str());
            const bool known = x.getXfer() == EXS_RLELossless || x.getXfer() == EXS_JPEGProcess14 || x.getXfer() == EXS_JPEGProcess14SV1 || x.getXfer() == EXS_JPEGProcess1 ||
                               x.getXfer() == EXS_JPEGProcess2_4 || x.getXfer() == EXS_JPEGLSLossless ||
                               x.getXfer() == EXS_JPEGLSLossy;
            if (!known) return fail((dcm_status)DCM_ERROR_UNSUPPORTED_TRANSFER_SYNTAX, message, message_size, unsupportedXfer);
            return fail(DCM_ERROR_IO, message, message_size,
                        std::string("cannot decode ") + info.transfer_syntax_name + " pixel data" + (c.bad() ? std::string(": ") + c.text() : ""));
        }
    }

    DcmElement *e = nullptr;
    if (ds->findAndGetElement(DCM_PixelData, e).bad() || !e)
        return fail(DCM_ERROR_VALUE, message, message_size, "pixel data unreadable");
    const bool isSigned = info.pixel_representation == 1;
    const unsigned shift = info.high_bit + 1 - info.bits_stored;  // stored bits sit at HighBit-BitsStored+1 ... HighBit
    const unsigned bits = info.bits_stored;
    auto convert = [&](uint32_t raw) -> float {
        uint32_t v = (raw >> shift) & (bits >= 32 ? 0xffffffffu : ((1u << bits) - 1u));
        if (isSigned && bits < 32 && (v & (1u << (bits - 1)))) return OFstatic_cast(float, OFstatic_cast(int64_t, v) - (int64_t(1) << bits));
        if (isSigned && bits == 32) return OFstatic_cast(float, OFstatic_cast(int32_t, v));
        return OFstatic_cast(float, v);
    };
    const unsigned long length = e->getLength();
    if (info.bits_allocated == 8) {
        Uint8 *p = nullptr;
        OFCondition c = e->getUint8Array(p);
        if (c.bad() || !p || length < expected)
            return fail(DCM_ERROR_IO, message, message_size,
                        "pixel data has " + std::to_string(length) + " bytes, " + std::to_string(expected) + " expected (truncated file?)");
        for (size_t i = 0; i < expected; ++i) values[i] = convert(p[i]);
    } else {
        Uint16 *p = nullptr;
        OFCondition c = e->getUint16Array(p);
        const size_t words = info.bits_allocated == 16 ? expected : 2 * expected;
        if (c.bad() || !p || length / 2 < words)
            return fail(DCM_ERROR_IO, message, message_size,
                        "pixel data has " + std::to_string(length) + " bytes, " + std::to_string(2 * words) + " expected (truncated file?)" +
                            (c.bad() ? std::string(": ") + c.text() : ""));
        if (info.bits_allocated == 16 && shift == 0 && !isSigned) {
            const Uint16 mask = OFstatic_cast(Uint16, bits >= 16 ? 0xffffu : ((1u << bits) - 1u));
            for (size_t i = 0; i < expected; ++i) values[i] = OFstatic_cast(float, p[i] & mask);
        } else if (info.bits_allocated == 16 && shift == 0 && bits == 16) {
            const Sint16 *q = reinterpret_cast<const Sint16 *>(p);
            for (size_t i = 0; i < expected; ++i) values[i] = OFstatic_cast(float, q[i]);
        } else if (info.bits_allocated == 16) {
            for (size_t i = 0; i < expected; ++i) values[i] = convert(p[i]);
        } else {
            // 32-bit values read as 16-bit words in local byte order: low word first (little endian data).
            if (ds->getOriginalXfer() == EXS_BigEndianExplicit)
                return fail((dcm_status)DCM_ERROR_UNSUPPORTED_IMAGE, message, message_size, "32-bit pixels in big endian files are not read");
            for (size_t i = 0; i < expected; ++i) values[i] = convert(uint32_t(p[2 * i]) | (uint32_t(p[2 * i + 1]) << 16));
        }
    }
    return ok(message, message_size);
}
