#include "curl_shim.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

/* Upload source: the request body, read in order. */
typedef struct upload {
    const unsigned char *data;
    size_t length;
    size_t offset;
} upload;

static size_t read_body(char *buffer, size_t size, size_t count, void *context) {
    upload *u = context;
    size_t n = size * count, left = u->length - u->offset;
    if (n > left) n = left;
    memcpy(buffer, u->data + u->offset, n);
    u->offset += n;
    return n;
}

/* Collects the response body into out->body. */
static size_t write_body(char *data, size_t size, size_t count, void *context) {
    curl_shim_response *out = context;
    size_t n = size * count;
    unsigned char *grown = realloc(out->body, out->body_length + n);
    if (!grown) return 0;  /* libcurl then fails with CURLE_WRITE_ERROR */
    memcpy(grown + out->body_length, data, n);
    out->body = grown;
    out->body_length += n;
    return n;
}

static curl_shim_failure classify(CURLcode code) {
    switch (code) {
    case CURLE_OK: return CURL_SHIM_OK;
    case CURLE_COULDNT_CONNECT: return CURL_SHIM_CONNECT;
    case CURLE_COULDNT_RESOLVE_HOST: return CURL_SHIM_RESOLVE;
    case CURLE_OPERATION_TIMEDOUT: return CURL_SHIM_TIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION: return CURL_SHIM_CERTIFICATE;
    case CURLE_SSL_CACERT_BADFILE: return CURL_SHIM_CA_FILE;
    case CURLE_SSL_CONNECT_ERROR: return CURL_SHIM_TLS;
    case CURLE_SEND_ERROR: case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING: return CURL_SHIM_LOST;
    default: return CURL_SHIM_OTHER;
    }
}

/* Copies `text` (or libcurl's generic description of `code`) into out->message on one line. */
static void set_message(curl_shim_response *out, const char *text, CURLcode code) {
    const char *m = (text && text[0]) ? text : curl_easy_strerror(code);
    size_t i = 0;
    for (; m[i] && i + 1 < sizeof out->message; i++) out->message[i] = (m[i] == '\n' || m[i] == '\r') ? ' ' : m[i];
    while (i > 0 && out->message[i - 1] == ' ') i--;
    out->message[i] = '\0';
}

curl_shim_failure curl_shim_post(const char *url, const char *const *headers, size_t header_count,
                                 const unsigned char *body, size_t body_length, const char *ca_file,
                                 long timeout_seconds, curl_shim_response *out) {
    memset(out, 0, sizeof *out);
    CURL *curl = curl_easy_init();
    if (!curl) {
        out->failure = CURL_SHIM_OTHER;
        set_message(out, "libcurl could not be initialised", CURLE_FAILED_INIT);
        return out->failure;
    }
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) list = curl_slist_append(list, headers[i]);
    list = curl_slist_append(list, "Expect:");  /* no 100-continue round trip */
    upload source = {body, body_length, 0};
    char error[CURL_ERROR_SIZE] = {0};

    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_length);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(curl, CURLOPT_READDATA, &source);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (ca_file) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);
        curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
    }
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10 * timeout_seconds);

    CURLcode code = curl_easy_perform(curl);
    out->failure = classify(code);
    if (code == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    } else {
        set_message(out, error, code);
        free(out->body);
        out->body = NULL;
        out->body_length = 0;
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return out->failure;
}

void curl_shim_response_free(curl_shim_response *response) {
    if (!response) return;
    free(response->body);
    response->body = NULL;
    response->body_length = 0;
}
