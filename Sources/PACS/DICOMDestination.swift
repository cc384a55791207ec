import Foundation
import MRIIO

/// Where `DICOMSender` sends to, parsed from a URL:
///
/// - `dicom://CALLED_AET@host[:port]`: DIMSE C-STORE to the application entity `CALLED_AET`
///   (1–16 characters, no backslash or control characters) at host:port (default port 104).
/// - `http(s)://[user:password@]host[:port]/path`: DICOMweb STOW-RS; `path` is the service base
///   (e.g. `/dicom-web`) and the request goes to `{base}/studies`. Credentials (from the URL or
///   the other sources of `DICOMCredentials`) are sent as HTTP Basic authentication and never
///   printed.
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
    /// HTTP Basic credentials for STOW-RS and their source (nil: none; always nil for DIMSE).
    public var credentials: DICOMCredentials?
    /// True when a non-empty password was typed on the command line (the URL's userinfo or
    /// `--user USER:PASSWORD`), whether or not it is the one used.
    public private(set) var passwordOnCommandLine = false
    /// The STOW-RS user name, if any.
    public var user: String? { credentials?.user }
    /// The password belonging to `user`.
    public var password: String? { credentials?.password }

    /// Parses `text` (see the type's documentation).
    ///
    /// - Parameter credentials: `user:password` overriding the URL's userinfo (STOW-RS only).
    /// - Throws: `MRIIOError.invalidValue(name: "--to", …)` naming the problem.
    public init(parsing text: String, credentials: String? = nil) throws {
        try self.init(parsing: text, lookup: DICOMCredentials.Lookup(option: credentials))
    }

    /// Parses `text`, taking STOW-RS credentials from the URL or `lookup` by the precedence of
    /// `DICOMCredentials`.
    ///
    /// - Throws: `MRIIOError.invalidValue` naming `--to` (the URL; any password in it shown as
    ///   `***`) or the credentials option at fault (`DICOMCredentials.resolve`); credentials
    ///   options with a `dicom://` URL are refused.
    public init(parsing text: String, lookup: DICOMCredentials.Lookup) throws {
        func bad(_ reason: String) -> MRIIOError { .invalidValue(name: "--to", reason: "'\(Self.redact(text))': \(reason)") }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw bad("not a URL (expected dicom://AET@host:port or http(s)://host:port/dicom-web)")
        }
        guard let host = components.host, !host.isEmpty else { throw bad("no host") }
        if let p = components.port, !(1...65535).contains(p) { throw bad("port \(p) out of range") }
        let optionPassword = lookup.option.flatMap { $0.firstIndex(of: ":").map { lookup.option![$0...].count > 1 } } ?? false
        passwordOnCommandLine = !(components.password ?? "").isEmpty || optionPassword
        switch scheme {
        case "dicom":
            guard let aet = components.user?.removingPercentEncoding, !aet.isEmpty else {
                throw bad("no called AE title (write dicom://CALLED_AET@host:port)")
            }
            try Self.validateAET(aet, name: "--to")
            guard components.password == nil else { throw bad("a DIMSE URL takes no password") }
            guard components.path.isEmpty || components.path == "/" else { throw bad("a DIMSE URL takes no path") }
            if lookup.namesCredentials {
                let name = lookup.option != nil ? "--user" : lookup.file != nil ? "--credentials-file" : "--netrc"
                throw MRIIOError.invalidValue(name: name, reason: "credentials apply to http(s) destinations only")
            }
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
            credentials = try DICOMCredentials.resolve(
                host: host, urlUser: components.user?.removingPercentEncoding,
                urlPassword: components.password?.removingPercentEncoding, lookup: lookup)
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

    /// `text` with any password in its userinfo replaced by `***`, also when `text` is not a
    /// well-formed URL (then everything between the first `:` after `scheme://` and the last `@`
    /// before the path is replaced).
    static func redact(_ text: String) -> String {
        if var c = URLComponents(string: text) {
            guard c.password != nil else { return text }
            c.password = "***"
            if let s = c.string { return s }
        }
        guard let start = text.range(of: "://")?.upperBound else { return text }
        let authorityEnd = text[start...].firstIndex(of: "/") ?? text.endIndex
        guard let at = text[start..<authorityEnd].lastIndex(of: "@"),
              let colon = text[start..<at].firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}
