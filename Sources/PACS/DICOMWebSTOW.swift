import CurlShim
import Foundation

/// DICOMweb STOW-RS (PS3.18 §10.5): the request body, the HTTP exchange and the response.
///
/// Request: `POST {base}/studies`, `Content-Type: multipart/related; type="application/dicom";
/// boundary=B`, `Accept: application/dicom+json`, one body part per Part 10 file
/// (`Content-Type: application/dicom`, the file's bytes unchanged).
/// Response: HTTP 200 (all stored), 202 (some stored, some failed or with warnings) or 409 (none
/// stored) with a dataset in DICOM JSON listing ReferencedSOPSequence (0008,1199) and
/// FailedSOPSequence (0008,1198) items by ReferencedSOPInstanceUID (0008,1155) with FailureReason
/// (0008,1197).
public enum DICOMWebSTOW {
    /// The per-instance content of a STOW-RS response.
    public struct Response: Sendable, Equatable {
        /// SOP Instance UIDs the server reports as stored (ReferencedSOPSequence).
        public var stored: Set<String>
        /// SOP Instance UID → FailureReason (0008,1197) for the instances the server refused.
        public var failed: [String: UInt16]
        /// Creates a response.
        public init(stored: Set<String> = [], failed: [String: UInt16] = [:]) {
            self.stored = stored
            self.failed = failed
        }
    }

    /// A multipart/related body with one `application/dicom` part per element of `parts`.
    public static func multipartBody(parts: [Data], boundary: String) -> Data {
        var body = Data()
        for p in parts {
            body.append(Data("--\(boundary)\r\nContent-Type: application/dicom\r\nContent-Length: \(p.count)\r\n\r\n".utf8))
            body.append(p)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return body
    }

    /// The request Content-Type for `boundary`.
    public static func contentType(boundary: String) -> String {
        "multipart/related; type=\"application/dicom\"; boundary=\(boundary)"
    }

    /// Parses a DICOM JSON response (an object, or an array holding one). Nil when `data` is not
    /// DICOM JSON (e.g. an XML or empty body).
    public static func parseResponse(_ data: Data) -> Response? {
        guard let any = try? JSONSerialization.jsonObject(with: data) else { return nil }
        let object: [String: Any]?
        if let o = any as? [String: Any] { object = o } else { object = (any as? [Any])?.first as? [String: Any] }
        guard let dataset = object else { return nil }
        func items(_ tag: String) -> [[String: Any]] {
            ((dataset[tag] as? [String: Any])?["Value"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
        }
        func firstValue(_ item: [String: Any], _ tag: String) -> Any? {
            ((item[tag] as? [String: Any])?["Value"] as? [Any])?.first
        }
        var r = Response()
        for item in items("00081199") {
            if let uid = firstValue(item, "00081155") as? String { r.stored.insert(uid) }
        }
        for item in items("00081198") {
            guard let uid = firstValue(item, "00081155") as? String else { continue }
            let reason = (firstValue(item, "00081197") as? NSNumber)?.intValue ?? 0x0110
            r.failed[uid] = UInt16(truncatingIfNeeded: reason)
        }
        return r
    }

    /// The outcome of one HTTP exchange.
    struct Exchange {
        var status: Int
        var body: Data
    }

    /// A transport failure (no HTTP response). `permanent` failures (an untrusted or mismatched
    /// certificate, an unreadable CA file) are not retried.
    struct TransportError: Error {
        var message: String
        var permanent = false
    }

    /// POSTs `body` to `url` through libcurl (`CurlShim`), blocking until the answer or
    /// `timeout` seconds without progress (ten times that for the whole request). Credentials
    /// go pre-emptively in an `Authorization: Basic` header. `https` always verifies the
    /// server's certificate chain and host name, against `caFile` (PEM) alone when given, else
    /// against the system's trust store.
    static func post(_ body: Data, to url: URL, contentType: String, user: String?, password: String?,
                     caFile: URL?, timeout: Double) throws -> Exchange {
        var headers = ["Content-Type: \(contentType)", "Accept: application/dicom+json"]
        if let user {
            headers.append("Authorization: Basic " + Data("\(user):\(password ?? "")".utf8).base64EncodedString())
        }
        var response = curl_shim_response()
        defer { curl_shim_response_free(&response) }
        let seconds = max(1, Int(timeout.rounded(.up)))
        withCStrings(headers) { lines in
            body.withUnsafeBytes { raw in
                let bytes = raw.bindMemory(to: UInt8.self).baseAddress
                _ = curl_shim_post(url.absoluteString, lines, lines.count, bytes, body.count, caFile?.path, seconds, &response)
            }
        }
        guard response.failure == CURL_SHIM_OK else { throw transportError(response) }
        let data = response.body.map { Data(bytes: $0, count: response.body_length) } ?? Data()
        return Exchange(status: response.status, body: data)
    }

    /// Calls `body` with `strings` as an array of C string pointers valid for the call.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }

    /// A one-line description of a libcurl failure (libcurl's text names only the host, never
    /// the credentials).
    static func transportError(_ r: curl_shim_response) -> TransportError {
        let text = withUnsafeBytes(of: r.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch r.failure {
        case CURL_SHIM_CONNECT: return TransportError(message: "connection refused (\(text))")
        case CURL_SHIM_RESOLVE: return TransportError(message: "unknown host (\(text))")
        case CURL_SHIM_TIMEOUT: return TransportError(message: "timed out (\(text))")
        case CURL_SHIM_LOST: return TransportError(message: "connection lost (\(text))")
        case CURL_SHIM_CERTIFICATE:
            return TransportError(message: "TLS certificate not accepted: \(text) (a hospital CA: --ca-file PEM)", permanent: true)
        case CURL_SHIM_CA_FILE: return TransportError(message: "the CA file cannot be used: \(text)", permanent: true)
        case CURL_SHIM_TLS: return TransportError(message: "TLS handshake failed: \(text)")
        default: return TransportError(message: text)
        }
    }

    /// The reason phrase of an HTTP status (for messages).
    static func phrase(_ status: Int) -> String {
        let phrases = [200: "OK", 202: "Accepted", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
                       403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
                       409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
                       500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"]
        return phrases[status] ?? (status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "")
    }
}
