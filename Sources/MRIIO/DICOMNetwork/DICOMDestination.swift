import Foundation

/// Where `DICOMSender` sends to, parsed from a URL:
///
/// - `dicom://CALLED_AET@host[:port]`: DIMSE C-STORE to the application entity `CALLED_AET`
///   (1–16 characters, no backslash or control characters) at host:port (default port 104).
/// - `http(s)://[user:password@]host[:port]/path`: DICOMweb STOW-RS; `path` is the service base
///   (e.g. `/dicom-web`) and the request goes to `{base}/studies`. Credentials in the URL (or
///   given separately) are sent as HTTP Basic authentication and never printed.
public struct DICOMDestination: Sendable, Equatable, CustomStringConvertible {
    /// The protocol and its parameters.
    public enum Kind: Sendable, Equatable {
        /// C-STORE over DIMSE.
        case dimse(calledAET: String, host: String, port: Int)
        /// STOW-RS: `base` is the DICOMweb service root without credentials or trailing slash.
        case stow(base: URL)
    }

    /// The protocol and its parameters.
    public var kind: Kind
    /// HTTP Basic credentials for STOW-RS (from the URL's userinfo or `--user`).
    public var user: String?
    /// Password belonging to `user`.
    public var password: String?

    /// Parses `text` (see the type's documentation).
    ///
    /// - Parameter credentials: `user:password` overriding the URL's userinfo (STOW-RS only).
    /// - Throws: `MRIIOError.invalidValue(name: "--to", …)` naming the problem.
    public init(parsing text: String, credentials: String? = nil) throws {
        func bad(_ reason: String) -> MRIIOError { .invalidValue(name: "--to", reason: "'\(Self.redact(text))': \(reason)") }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw bad("not a URL (expected dicom://AET@host:port or http(s)://host:port/dicom-web)")
        }
        guard let host = components.host, !host.isEmpty else { throw bad("no host") }
        if let p = components.port, !(1...65535).contains(p) { throw bad("port \(p) out of range") }
        switch scheme {
        case "dicom":
            guard let aet = components.user?.removingPercentEncoding, !aet.isEmpty else {
                throw bad("no called AE title (write dicom://CALLED_AET@host:port)")
            }
            try Self.validateAET(aet, name: "--to")
            guard components.password == nil else { throw bad("a DIMSE URL takes no password") }
            guard components.path.isEmpty || components.path == "/" else { throw bad("a DIMSE URL takes no path") }
            if credentials != nil { throw MRIIOError.invalidValue(name: "--user", reason: "credentials apply to http(s) destinations only") }
            kind = .dimse(calledAET: aet, host: host, port: components.port ?? 104)
        case "http", "https":
            var c = components
            c.user = nil
            c.password = nil
            c.query = nil
            c.fragment = nil
            while c.path.hasSuffix("/") { c.path.removeLast() }
            guard let base = c.url else { throw bad("cannot form the service URL") }
            kind = .stow(base: base)
            user = components.user?.removingPercentEncoding
            password = components.password?.removingPercentEncoding
            if let credentials {
                guard let colon = credentials.firstIndex(of: ":") else {
                    throw MRIIOError.invalidValue(name: "--user", reason: "expected USER:PASSWORD")
                }
                user = String(credentials[..<colon])
                password = String(credentials[credentials.index(after: colon)...])
            }
        default:
            throw bad("unsupported scheme '\(scheme)' (use dicom, http or https)")
        }
    }

    /// Checks an AE title: 1–16 characters of the DICOM default repertoire, not all spaces, no backslash.
    public static func validateAET(_ aet: String, name: String) throws {
        let ok = (1...16).contains(aet.count) && aet.allSatisfy { $0.isASCII && !$0.isNewline && $0 != "\\" && ($0.asciiValue ?? 0) >= 0x20 }
            && !aet.allSatisfy { $0 == " " }
        if !ok {
            throw MRIIOError.invalidValue(name: name, reason: "'\(aet)' is not an AE title (1–16 ASCII characters, no backslash)")
        }
    }

    /// The STOW-RS endpoint `{base}/studies` (nil for DIMSE).
    public var stowEndpoint: URL? {
        if case .stow(let base) = kind { return base.appendingPathComponent("studies") }
        return nil
    }

    /// The destination as a URL without credentials, for messages.
    public var description: String {
        switch kind {
        case .dimse(let aet, let host, let port): return "dicom://\(aet)@\(host):\(port)"
        case .stow(let base): return base.absoluteString
        }
    }

    /// `text` with any password in its userinfo replaced by `***`.
    static func redact(_ text: String) -> String {
        guard var c = URLComponents(string: text), c.password != nil else { return text }
        c.password = "***"
        return c.string ?? text
    }
}
