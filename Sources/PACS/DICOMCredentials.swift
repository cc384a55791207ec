import Foundation
import MRIIO

/// HTTP Basic credentials for STOW-RS, and where they came from.
///
/// Sources, in order of precedence (the first one present wins):
/// 1. `--user USER:PASSWORD` (command line),
/// 2. the URL's userinfo, `https://user:password@host/…` (command line; a user without a
///    password sends an empty password),
/// 3. `--credentials-file FILE` (netrc syntax, owner-only permissions),
/// 4. the environment variable `MRI_DAPS_PACS_CREDENTIALS=USER:PASSWORD` (read by the CLI and
///    passed in; libraries never read the environment),
/// 5. `--netrc`: `~/.netrc` (netrc syntax, owner-only permissions).
///
/// Passwords are never part of a message: errors name the option, the file and the host only.
public struct DICOMCredentials: Sendable, Equatable {
    /// Where a pair came from.
    public enum Source: String, Sendable {
        case option = "--user"
        case url = "the URL"
        case file = "--credentials-file"
        case environment = "MRI_DAPS_PACS_CREDENTIALS"
        case netrc = "--netrc"
    }

    /// The user name.
    public var user: String
    /// The password (empty when none was given).
    public var password: String
    /// Where the pair came from.
    public var source: Source

    /// Creates a pair.
    public init(user: String, password: String, source: Source) {
        self.user = user
        self.password = password
        self.source = source
    }

    /// True when a non-empty password was typed on the command line, where every local user can
    /// read it in the process list and the shell keeps it in its history.
    public var passwordOnCommandLine: Bool {
        (source == .option || source == .url) && !password.isEmpty
    }

    /// The environment variable the CLI reads (`USER:PASSWORD`).
    public static let environmentVariable = "MRI_DAPS_PACS_CREDENTIALS"

    /// Where to look besides the URL (see the type's documentation for the order).
    public struct Lookup: Sendable, Equatable {
        /// `--user USER:PASSWORD`.
        public var option: String?
        /// `--credentials-file FILE`.
        public var file: URL?
        /// The value of `MRI_DAPS_PACS_CREDENTIALS`.
        public var environment: String?
        /// `~/.netrc` when `--netrc` was given.
        public var netrc: URL?
        /// Creates a lookup.
        public init(option: String? = nil, file: URL? = nil, environment: String? = nil, netrc: URL? = nil) {
            self.option = option
            self.file = file
            self.environment = environment
            self.netrc = netrc
        }

        /// True when an option naming credentials was given (they then need an http(s) URL).
        var namesCredentials: Bool { option != nil || file != nil || netrc != nil }
    }

    /// The credentials for `host`: `urlUser`/`urlPassword` from the URL's userinfo, the rest
    /// from `lookup`, by precedence. Nil when no source has any.
    /// - Throws: `MRIIOError.invalidValue` naming the option (or variable) whose value is
    ///   malformed, whose file is not private, or whose file has no entry for `host`.
    public static func resolve(host: String, urlUser: String?, urlPassword: String?, lookup: Lookup) throws -> DICOMCredentials? {
        if let option = lookup.option { return try pair(option, name: Source.option.rawValue, source: .option) }
        if let urlUser { return DICOMCredentials(user: urlUser, password: urlPassword ?? "", source: .url) }
        if let file = lookup.file { return try netrcEntry(for: host, in: file, source: .file) }
        if let value = lookup.environment, !value.isEmpty {
            return try pair(value, name: environmentVariable, source: .environment)
        }
        if let netrc = lookup.netrc { return try netrcEntry(for: host, in: netrc, source: .netrc) }
        return nil
    }

    /// `USER:PASSWORD` split at the first colon.
    static func pair(_ text: String, name: String, source: Source) throws -> DICOMCredentials {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw MRIIOError.invalidValue(name: name, reason: "expected USER:PASSWORD")
        }
        return DICOMCredentials(user: String(text[..<colon]), password: String(text[text.index(after: colon)...]), source: source)
    }

    /// The entry of netrc-syntax `file` for `host` (its `machine` entry, else `default`).
    static func netrcEntry(for host: String, in file: URL, source: Source) throws -> DICOMCredentials {
        let name = source.rawValue
        try checkPrivate(file, name: name)
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw MRIIOError.invalidValue(name: name, reason: "\(file.path): cannot read it as UTF-8 text")
        }
        let entries = parseNetrc(text)
        let entry = entries.first { $0.machine?.lowercased() == host.lowercased() } ?? entries.first { $0.machine == nil }
        guard let entry, let login = entry.login else {
            throw MRIIOError.invalidValue(name: name, reason: "\(file.path) has no 'machine \(host)' or 'default' entry with a login")
        }
        return DICOMCredentials(user: login, password: entry.password ?? "", source: source)
    }

    /// One `machine` (or, with `machine` nil, `default`) entry of a netrc file.
    struct NetrcEntry: Equatable {
        var machine: String?
        var login: String?
        var password: String?
    }

    /// The entries of netrc text: white-space separated tokens `machine NAME`, `default`,
    /// `login NAME`, `password PASS`, `account X`; a `macdef NAME` body runs to the next empty
    /// line and is skipped. Tokens cannot be quoted (a password holds no white space).
    static func parseNetrc(_ text: String) -> [NetrcEntry] {
        var entries = [NetrcEntry]()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        var pendingKey: String?
        while let line = lines.popFirst() {
            var tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)[...]
            while let token = tokens.popFirst() {
                if let key = pendingKey {
                    pendingKey = nil
                    switch key {
                    case "machine": entries.append(NetrcEntry(machine: token))
                    case "login": if !entries.isEmpty { entries[entries.count - 1].login = token }
                    case "password": if !entries.isEmpty { entries[entries.count - 1].password = token }
                    case "macdef":  // the macro body: up to the next empty line
                        while let body = lines.popFirst(), !body.allSatisfy(\.isWhitespace) {}
                        tokens = []
                    default: break  // account
                    }
                } else if token == "default" {
                    entries.append(NetrcEntry())
                } else if ["machine", "login", "password", "account", "macdef"].contains(token) {
                    pendingKey = token
                }
            }
        }
        return entries
    }

    /// Refuses `file` unless it is a regular file owned by the effective user with no group or
    /// other permission bits (as ssh and netrc require).
    static func checkPrivate(_ file: URL, name: String) throws {
        var st = stat()
        guard stat(file.path, &st) == 0 else {
            throw MRIIOError.invalidValue(name: name, reason: "\(file.path): \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw MRIIOError.invalidValue(name: name, reason: "\(file.path) is not a regular file")
        }
        guard st.st_uid == geteuid() else {
            throw MRIIOError.invalidValue(name: name, reason: "\(file.path) is owned by uid \(st.st_uid), not by this user (uid \(geteuid()))")
        }
        guard st.st_mode & 0o077 == 0 else {
            let mode = String(st.st_mode & 0o777, radix: 8)
            throw MRIIOError.invalidValue(name: name, reason: "\(file.path) is readable or writable by group or others (mode \(mode)); run chmod 600 on it")
        }
    }
}
