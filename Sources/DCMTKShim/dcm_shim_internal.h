// Helpers shared by the shim's .cpp files (not part of the C API).
#pragma once
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcm_shim.h"
#include <cstdio>
#include <string>

namespace dcm_shim {

/// Writes a one-line message (truncated to fit) when a buffer is given; returns `status`.
inline dcm_status fail(dcm_status status, char *message, size_t size, const std::string &text) {
    if (message && size > 0) {
        std::snprintf(message, size, "%s", text.c_str());
        for (char *p = message; *p; ++p)
            if (*p == '\n' || *p == '\r') *p = ' ';
    }
    return status;
}

inline dcm_status ok(char *message, size_t size) {
    if (message && size > 0) message[0] = '\0';
    return DCM_OK;
}

}  // namespace dcm_shim
