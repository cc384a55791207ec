/*
 * curl_shim.h — one HTTP POST through libcurl (Debian libcurl4-openssl-dev) for STOW-RS.
 *
 * No libcurl type crosses this header (libcurl's setopt is variadic, which Swift cannot call).
 * TLS: the peer's certificate chain and host name are always verified (CURLOPT_SSL_VERIFYPEER
 * and CURLOPT_SSL_VERIFYHOST 2); `ca_file`, when given, is the only set of trusted CAs
 * (CURLOPT_CAINFO, replacing the system store; CURLOPT_CAPATH cleared), otherwise libcurl's
 * built-in system store is used. Redirects are not followed; only http and https are allowed.
 */
#ifndef MRIDAPS_CURL_SHIM_H
#define MRIDAPS_CURL_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Why a request got no HTTP response. */
typedef enum curl_shim_failure {
    CURL_SHIM_OK = 0,
    /** The TCP connection was refused or could not be made. */
    CURL_SHIM_CONNECT = 1,
    /** The host name did not resolve. */
    CURL_SHIM_RESOLVE = 2,
    /** No progress for the timeout (or the whole-request limit) passed. */
    CURL_SHIM_TIMEOUT = 3,
    /** The server's certificate is not trusted or does not match the host name. */
    CURL_SHIM_CERTIFICATE = 4,
    /** The CA file could not be read or holds no certificate. */
    CURL_SHIM_CA_FILE = 5,
    /** The TLS handshake failed otherwise. */
    CURL_SHIM_TLS = 6,
    /** The connection was lost or closed without an answer. */
    CURL_SHIM_LOST = 7,
    /** Anything else libcurl reported. */
    CURL_SHIM_OTHER = 8
} curl_shim_failure;

/** The outcome of `curl_shim_post`. Release with `curl_shim_response_free`. */
typedef struct curl_shim_response {
    /** CURL_SHIM_OK when an HTTP response arrived (`status` and `body` are then set). */
    curl_shim_failure failure;
    /** The HTTP status code (0 without a response). */
    long status;
    /** The response body (malloc'd; NULL when empty). */
    unsigned char *body;
    size_t body_length;
    /** libcurl's one-line reason when `failure` != CURL_SHIM_OK (NUL-terminated). */
    char message[256];
} curl_shim_response;

/**
 * POSTs `body` to `url` with the given header lines ("Name: value") and fills `out`.
 * `timeout_seconds` bounds the connection and any stretch without progress; the whole request
 * is limited to ten times that. `ca_file` may be NULL. Returns `out->failure`.
 */
curl_shim_failure curl_shim_post(const char *url, const char *const *headers, size_t header_count,
                                 const unsigned char *body, size_t body_length, const char *ca_file,
                                 long timeout_seconds, curl_shim_response *out);

/** Frees the body of `response` (the struct itself belongs to the caller). */
void curl_shim_response_free(curl_shim_response *response);

#ifdef __cplusplus
}
#endif
#endif
