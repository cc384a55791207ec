import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

    /// A transport failure (no HTTP response).
    struct TransportError: Error {
        var message: String
    }

    /// POSTs `body` to `url`, blocking until the answer or `timeout` seconds without progress.
    /// Uses FoundationNetworking's URLSession (libcurl underneath on Linux).
    static func post(_ body: Data, to url: URL, contentType: String, user: String?, password: String?, timeout: Double) throws -> Exchange {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue("application/dicom+json", forHTTPHeaderField: "Accept")
        if let user {
            let token = Data("\(user):\(password ?? "")".utf8).base64EncodedString()
            request.setValue("Basic \(token)", forHTTPHeaderField: "Authorization")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = max(timeout, 10 * timeout)
        let delegate = ChallengeRefuser()
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }

        final class Box: @unchecked Sendable {
            var data: Data?
            var response: URLResponse?
            var error: Error?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = session.uploadTask(with: request, from: body) { data, response, error in
            box.data = data
            box.response = response
            box.error = error
            done.signal()
        }
        task.resume()
        done.wait()
        if let status = delegate.challengedStatus {
            // The server asked for (other) credentials: report its answer, not the cancellation.
            return Exchange(status: status, body: Data())
        }
        if let error = box.error {
            throw TransportError(message: describe(error))
        }
        guard let http = box.response as? HTTPURLResponse else { throw TransportError(message: "no HTTP response") }
        return Exchange(status: http.statusCode, body: box.data ?? Data())
    }

    /// Answers an HTTP authentication challenge (401 + WWW-Authenticate) by cancelling the task and
    /// remembering the status: the credentials were already sent in the Authorization header, and
    /// FoundationNetworking on Linux otherwise stalls on a challenge to an upload task.
    final class ChallengeRefuser: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private var status: Int?
        var challengedStatus: Int? { lock.lock(); defer { lock.unlock() }; return status }

        func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
            lock.lock()
            status = (challenge.failureResponse as? HTTPURLResponse)?.statusCode ?? 401
            lock.unlock()
            completionHandler(.cancelAuthenticationChallenge, nil)
        }
    }

    /// A one-line description of a URLSession error.
    static func describe(_ error: Error) -> String {
        if let u = error as? URLError {
            switch u.code {
            case .cannotConnectToHost: return "connection refused"
            case .cannotFindHost: return "unknown host"
            case .timedOut: return "timed out"
            case .networkConnectionLost: return "connection lost"
            case .notConnectedToInternet: return "network unreachable"
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
                 .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
                return "TLS failure (\(u.code.rawValue))"
            default: break
            }
        }
        return error.localizedDescription.replacingOccurrences(of: "\n", with: " ")
    }

    /// The reason phrase of an HTTP status (for messages).
    static func phrase(_ status: Int) -> String {
        HTTPURLResponse.localizedString(forStatusCode: status)
    }
}
