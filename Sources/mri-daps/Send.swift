import ArgumentParser
import Foundation
import MRIPipeline

/// PACS destination flags, shared by `send` and `recon --send`.
///
/// STOW-RS credentials, first found wins: `--user`, the URL's `user:password@`,
/// `--credentials-file`, the environment variable `MRI_DAPS_PACS_CREDENTIALS`, `--netrc`
/// (`DICOMCredentials`). This CLI is the only place that reads the environment and `$HOME`.
struct DICOMSendOptions: ParsableArguments {
    @Option(help: "Calling AE title for C-STORE (1–16 characters).")
    var aet: String = "MRIDAPS"
    @Option(help: "Retry rounds for instances that failed transiently (exponential backoff).")
    var retries: Int = 3
    @Option(help: "Seconds before the first retry; doubled for each further round.")
    var retryDelay: Double = 1
    @Option(help: "Connection, association and per-message timeout in seconds.")
    var timeout: Double = 30
    @Option(help: "HTTP Basic credentials USER:PASSWORD for STOW-RS (visible in the process list: prefer \(PACSDelivery.Credentials.environmentVariable), --credentials-file or --netrc).")
    var user: String?
    @Option(help: "STOW-RS credentials from this netrc-syntax file ('machine HOST login USER password PASS' or 'default login USER password PASS'); it must be a regular file of yours with mode 600 or stricter.")
    var credentialsFile: String?
    @Flag(help: "STOW-RS credentials from ~/.netrc (same syntax and permission rules as --credentials-file).")
    var netrc = false
    @Option(help: "PEM file of the CA certificate(s) trusted for https instead of the system's (e.g. a hospital CA); certificates are always verified.")
    var caFile: String?

    static let commandLinePasswordWarning = "mri-daps: warning: a password on the command line is visible to other local users in the process list and stays in the shell history; "
        + "give it in \(PACSDelivery.Credentials.environmentVariable)=USER:PASSWORD, --credentials-file FILE or --netrc instead"

    /// Where credentials are looked up besides the URL (the environment and `$HOME` are read here).
    func credentialLookup() -> PACSDelivery.Credentials.Lookup {
        PACSDelivery.Credentials.Lookup(
            option: user, file: credentialsFile.map { URL(fileURLWithPath: $0) },
            environment: ProcessInfo.processInfo.environment[PACSDelivery.Credentials.environmentVariable],
            netrc: netrc ? Self.home.appendingPathComponent(".netrc") : nil)
    }

    /// `$HOME` (as curl reads it for ~/.netrc), else the account's home directory.
    static var home: URL {
        ProcessInfo.processInfo.environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
    }

    /// A sender for `url`; warns on stderr when a password was typed on the command line; retry
    /// notes go to stderr.
    func sender(to url: String) throws -> PACSDelivery.Sender {
        let destination = try PACSDelivery.Destination(parsing: url, lookup: credentialLookup())
        if destination.passwordOnCommandLine { status(Self.commandLinePasswordWarning) }
        var o = PACSDelivery.Sender.Options()
        o.callingAET = aet
        o.retries = retries
        o.initialBackoff = retryDelay
        o.timeout = timeout
        o.caFile = caFile.map { URL(fileURLWithPath: $0) }
        o.log = { status("mri-daps: \($0)") }
        return try PACSDelivery.Sender(destination: destination, options: o)
    }
}

struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send every DICOM file under DIR to a PACS by C-STORE (dicom://AET@host:port) or STOW-RS (http(s)://host:port/dicom-web).",
        discussion: """
            Prints one line per stored instance on stdout and one per failed instance on stderr. \
            Exits non-zero when any instance was not stored. Files are never modified or deleted.
            """)

    @Argument(help: "Directory searched recursively for DICOM files (Part 10 'DICM' preamble or *.dcm; hidden names skipped).")
    var directory: String
    @Option(help: "Destination: dicom://CALLED_AET@host:port (DIMSE C-STORE) or http(s)://host:port/BASE (STOW-RS to BASE/studies; credentials: see --credentials-file).")
    var to: String
    @OptionGroup var network: DICOMSendOptions

    func run() throws {
        let sender = try network.sender(to: to)
        let report = try sender.send(directory: URL(fileURLWithPath: directory))
        if !Self.printReport(report, directory: directory) { throw ExitCode.failure }
    }

    /// One stdout line per stored instance and a summary; one stderr line per failed instance and
    /// a final error line. Returns whether every instance was stored.
    static func printReport(_ report: PACSDelivery.Report, directory: String) -> Bool {
        for i in report.instances where i.stored {
            emit("stored \(i.file.path) \(i.sopInstanceUID) (\(i.status)\(i.reason.map { "; \($0)" } ?? ""))")
        }
        let failed = report.failed
        for i in failed {
            status("mri-daps: not stored: \(i.file.path): \(i.reason ?? "unknown reason") [\(i.status), \(i.attempts) attempt\(i.attempts == 1 ? "" : "s")]")
        }
        let total = report.instances.count
        emit("\(total - failed.count) of \(total) instances stored at \(report.destination)"
             + (report.skipped.isEmpty ? "" : "; \(report.skipped.count) non-DICOM file(s) skipped"))
        if !failed.isEmpty {
            status("mri-daps: error: \(failed.count) of \(total) instances were not stored at \(report.destination); every file is kept in \(directory)")
            return false
        }
        return true
    }
}
