// C-STORE over DIMSE with DCMTK's DcmSCU (see the "network" block of include/dcm_shim.h).
#include "dcm_shim_internal.h"
#include "dcmtk/dcmnet/scu.h"
#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/oflog/oflog.h"

#include <cstring>
#include <string>
#include <vector>

namespace {

/// Writes a one-line message (like dcm_shim::fail) and returns a network status.
dcm_net_status net_fail(dcm_net_status status, char *message, size_t size, const std::string &text) {
    dcm_shim::fail(DCM_ERROR_INTERNAL, message, size, text);
    return status;
}

dcm_net_status net_ok(char *message, size_t size) {
    if (message && size > 0) message[0] = '\0';
    return DCM_NET_OK;
}

/// DCMTK's network module logs rejections and timeouts itself; the caller reports them.
void quiet_network_logging() {
    static bool done = false;
    if (done) return;
    done = true;
    OFLog::getLogger("dcmtk.dcmnet").setLogLevel(OFLogger::FATAL_LOG_LEVEL);
}

/// Loads a whole Part 10 file with dcmdata's own error log muted for the call (the caller
/// reports the condition as one line).
OFCondition load_quietly(DcmFileFormat &file, const char *filename) {
    OFLogger logger = OFLog::getLogger("dcmtk.dcmdata");
    const dcmtk::log4cplus::LogLevel saved = logger.getLogLevel();
    logger.setLogLevel(OFLogger::FATAL_LOG_LEVEL);
    OFCondition cond = file.loadFile(filename, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_fileOnly);
    logger.setLogLevel(saved);
    return cond;
}

bool copy_uid(char *dst, size_t size, const OFString &src) {
    if (src.length() + 1 > size) return false;
    std::memcpy(dst, src.c_str(), src.length() + 1);
    return true;
}

/// The two uncompressed little-endian transfer syntaxes, between which DcmSCU converts losslessly.
bool is_uncompressed_le(const std::string &ts) {
    return ts == UID_LittleEndianExplicitTransferSyntax || ts == UID_LittleEndianImplicitTransferSyntax;
}

/// C-STORE response status text (PS3.4 Annex B.2.3, PS3.7 Annex C).
std::string status_text(Uint16 s) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "%04X", s);
    std::string meaning;
    if (s == 0x0000) meaning = "success";
    else if (s == 0xB000) meaning = "warning: coercion of data elements";
    else if (s == 0xB007) meaning = "warning: data set does not match SOP class";
    else if (s == 0xB006) meaning = "warning: elements discarded";
    else if ((s & 0xFF00) == 0xA700) meaning = "refused: out of resources";
    else if ((s & 0xFF00) == 0xA900) meaning = "error: data set does not match SOP class";
    else if ((s & 0xF000) == 0xC000) meaning = "error: cannot understand";
    else if (s == 0x0122) meaning = "refused: SOP class not supported";
    else if (s == 0x0124) meaning = "refused: not authorized";
    else if (s == 0x0211) meaning = "unrecognized operation";
    else if (s == 0x0110) meaning = "processing failure";
    else meaning = "failure";
    return std::string("status 0x") + hex + " (" + meaning + ")";
}

}  // namespace

struct dcm_net_association {
    DcmSCU scu;
    std::vector<std::string> sop_classes;  // as proposed, for messages
    std::string peer;                      // "CALLED@host:port", for messages
    bool connected = false;
};

extern "C" dcm_net_status dcm_net_identify_file(const char *filename, dcm_net_file_info *info,
                                                char *message, size_t message_size) {
    if (!filename || !*filename || !info)
        return net_fail(DCM_NET_ERROR_ARGUMENT, message, message_size, "no file name or no result buffer");
    std::memset(info, 0, sizeof *info);
    DcmFileFormat file;
    OFCondition cond = load_quietly(file, filename);
    if (cond.bad())
        return net_fail(DCM_NET_ERROR_FILE, message, message_size,
                        std::string(filename) + ": not a readable DICOM Part 10 file: " + cond.text());
    DcmMetaInfo *meta = file.getMetaInfo();
    DcmDataset *dataset = file.getDataset();
    OFString sopClass, sopInstance, ts;
    meta->findAndGetOFString(DCM_MediaStorageSOPClassUID, sopClass);
    meta->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, sopInstance);
    meta->findAndGetOFString(DCM_TransferSyntaxUID, ts);
    if (sopClass.empty()) dataset->findAndGetOFString(DCM_SOPClassUID, sopClass);
    if (sopInstance.empty()) dataset->findAndGetOFString(DCM_SOPInstanceUID, sopInstance);
    if (sopClass.empty() || sopInstance.empty() || ts.empty())
        return net_fail(DCM_NET_ERROR_FILE, message, message_size,
                        std::string(filename) + ": no SOP class, SOP instance or transfer syntax UID (file meta information missing?)");
    if (!copy_uid(info->sop_class_uid, sizeof info->sop_class_uid, sopClass) ||
        !copy_uid(info->sop_instance_uid, sizeof info->sop_instance_uid, sopInstance) ||
        !copy_uid(info->transfer_syntax_uid, sizeof info->transfer_syntax_uid, ts))
        return net_fail(DCM_NET_ERROR_FILE, message, message_size, std::string(filename) + ": a UID in the file meta information is longer than 64 characters");
    return net_ok(message, message_size);
}

extern "C" dcm_net_association *dcm_net_association_create(const char *calling_aet, const char *called_aet,
                                                            const char *host, int port, int timeout_seconds) {
    if (!calling_aet || !called_aet || !host || port <= 0 || port > 65535 || timeout_seconds <= 0) return nullptr;
    quiet_network_logging();
    auto *a = new (std::nothrow) dcm_net_association();
    if (!a) return nullptr;
    a->scu.setAETitle(calling_aet);
    a->scu.setPeerAETitle(called_aet);
    a->scu.setPeerHostName(host);
    a->scu.setPeerPort(OFstatic_cast(Uint16, port));
    a->scu.setACSETimeout(OFstatic_cast(Uint32, timeout_seconds));
    a->scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    a->scu.setDIMSETimeout(OFstatic_cast(Uint32, timeout_seconds));
    a->scu.setMaxReceivePDULength(ASC_DEFAULTMAXPDU);
    a->scu.setDatasetConversionMode(OFTrue);  // only ever used between the two uncompressed LE syntaxes
    a->scu.setProgressNotificationMode(OFFalse);
    a->peer = std::string(called_aet) + "@" + host + ":" + std::to_string(port);
    return a;
}

extern "C" void dcm_net_association_free(dcm_net_association *association) {
    if (!association) return;
    if (association->connected && association->scu.isConnected()) association->scu.releaseAssociation();
    delete association;
}

extern "C" dcm_net_status dcm_net_add_context(dcm_net_association *association, const char *sop_class_uid,
                                              const char *transfer_syntaxes, char *message, size_t message_size) {
    if (!association || !sop_class_uid || !*sop_class_uid || !transfer_syntaxes || !*transfer_syntaxes)
        return net_fail(DCM_NET_ERROR_ARGUMENT, message, message_size, "no association, SOP class or transfer syntax");
    if (association->connected)
        return net_fail(DCM_NET_ERROR_ARGUMENT, message, message_size, "presentation contexts must be added before connecting");
    OFList<OFString> list;
    std::string all(transfer_syntaxes);
    size_t start = 0;
    while (start <= all.size()) {
        size_t end = all.find('\\', start);
        if (end == std::string::npos) end = all.size();
        if (end > start) list.push_back(OFString(all.substr(start, end - start).c_str()));
        start = end + 1;
    }
    OFCondition cond = association->scu.addPresentationContext(sop_class_uid, list);
    if (cond.bad())
        return net_fail(DCM_NET_ERROR_ARGUMENT, message, message_size, std::string("presentation context for ") + sop_class_uid + ": " + cond.text());
    association->sop_classes.push_back(sop_class_uid);
    return net_ok(message, message_size);
}

extern "C" dcm_net_status dcm_net_connect(dcm_net_association *association, int timeout_seconds,
                                          char *message, size_t message_size) {
    if (!association || timeout_seconds <= 0)
        return net_fail(DCM_NET_ERROR_ARGUMENT, message, message_size, "no association or a non-positive timeout");
    if (association->connected) return net_ok(message, message_size);
    // dcmnet's TCP connect timeout is process-global (dcmConnectionTimeout): set it for this call.
    association->scu.setConnectionTimeout(OFstatic_cast(Sint32, timeout_seconds));
    OFCondition cond = association->scu.initNetwork();
    if (cond.bad())
        return net_fail(DCM_NET_ERROR_INTERNAL, message, message_size, std::string("cannot initialise the network: ") + cond.text());
    cond = association->scu.negotiateAssociation();
    if (cond == DUL_ASSOCIATIONREJECTED)
        return net_fail(DCM_NET_ERROR_REJECTED, message, message_size,
                        "association rejected by " + association->peer + " (check the called and calling AE titles)");
    if (cond == NET_EC_NoAcceptablePresentationContexts)
        return net_fail(DCM_NET_ERROR_NO_CONTEXT, message, message_size,
                        association->peer + " accepted none of the proposed SOP classes / transfer syntaxes");
    if (cond.bad())
        return net_fail(DCM_NET_ERROR_CONNECT, message, message_size,
                        "cannot associate with " + association->peer + ": " + cond.text());
    association->connected = true;
    return net_ok(message, message_size);
}

extern "C" int dcm_net_is_connected(const dcm_net_association *association) {
    return association && association->connected && association->scu.isConnected() ? 1 : 0;
}

extern "C" dcm_net_status dcm_net_store(dcm_net_association *association, const char *filename,
                                        uint16_t *dimse_status, char *message, size_t message_size) {
    if (dimse_status) *dimse_status = 0xFFFF;
    if (!association || !filename || !*filename || !dimse_status)
        return net_fail(DCM_NET_ERROR_ARGUMENT, message, message_size, "no association, file name or status buffer");
    if (!association->connected || !association->scu.isConnected())
        return net_fail(DCM_NET_ERROR_DIMSE, message, message_size, "not connected to " + association->peer);

    // Load locally first so that a corrupt file is told apart from a network failure.
    DcmFileFormat file;
    OFCondition cond = load_quietly(file, filename);
    if (cond.bad())
        return net_fail(DCM_NET_ERROR_FILE, message, message_size, std::string("cannot read the file: ") + cond.text());
    DcmDataset *dataset = file.getDataset();
    OFString sopClass, ts;
    file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, sopClass);
    if (sopClass.empty()) dataset->findAndGetOFString(DCM_SOPClassUID, sopClass);
    DcmXfer original(dataset->getOriginalXfer());
    ts = original.getXferID();
    if (sopClass.empty())
        return net_fail(DCM_NET_ERROR_FILE, message, message_size, "no SOP class UID in the file");

    T_ASC_PresentationContextID pc = association->scu.findPresentationContextID(sopClass, ts);
    if (pc == 0 && is_uncompressed_le(ts.c_str())) {
        const char *other = ts == UID_LittleEndianExplicitTransferSyntax ? UID_LittleEndianImplicitTransferSyntax
                                                                         : UID_LittleEndianExplicitTransferSyntax;
        pc = association->scu.findPresentationContextID(sopClass, other);
    }
    if (pc == 0)
        return net_fail(DCM_NET_ERROR_NO_CONTEXT, message, message_size,
                        association->peer + " accepted no presentation context for SOP class " + sopClass.c_str() +
                            " in transfer syntax " + ts.c_str());

    Uint16 rsp = 0xFFFF;
    cond = association->scu.sendSTORERequest(pc, OFFilename(), dataset, rsp);
    if (cond.bad()) {
        *dimse_status = 0xFFFF;
        return net_fail(DCM_NET_ERROR_DIMSE, message, message_size,
                        "C-STORE to " + association->peer + " failed: " + cond.text());
    }
    *dimse_status = rsp;
    if (rsp == 0x0000) return net_ok(message, message_size);
    if ((rsp & 0xF000) == 0xB000) {  // warning: stored
        dcm_shim::fail(DCM_ERROR_INTERNAL, message, message_size, status_text(rsp));
        return DCM_NET_OK;
    }
    return net_fail(DCM_NET_ERROR_REFUSED, message, message_size, "C-STORE " + status_text(rsp));
}
