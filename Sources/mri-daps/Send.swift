import ArgumentParser
import Foundation
import MRIPipeline

/// PACS destination flags (shared with `recon --send` once it is wired).
struct DICOMSendOptions: ParsableArguments {
    @Option(help: "Calling AE title for C-STORE (1–16 characters).")
    var aet: String = "MRIDAPS"
    @Option(help: "Retry rounds for instances that failed transiently (exponential backoff).")
    var retries: Int = 3
    @Option(help: "Seconds before the first retry; doubled for each further round.")
    var retryDelay: Double = 1
    @Option(help: "Connection, association and per-message timeout in seconds.")
    var timeout: Double = 30
    @Option(help: "HTTP Basic credentials USER:PASSWORD for STOW-RS (instead of user:password@ in the URL).")
    var user: String?

    /// A sender for `url`; retry notes go to stderr.
    func sender(to url: String) throws -> PACSDelivery.Sender {
        let destination = try PACSDelivery.Destination(parsing: url, credentials: user)
        var o = PACSDelivery.Sender.Options()
        o.callingAET = aet
        o.retries = retries
        o.initialBackoff = retryDelay
        o.timeout = timeout
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
    @Option(help: "Destination: dicom://CALLED_AET@host:port (DIMSE C-STORE) or http(s)://[user:password@]host:port/BASE (STOW-RS to BASE/studies).")
    var to: String
    @OptionGroup var network: DICOMSendOptions

    func run() throws {
        do {
            let sender = try network.sender(to: to)
            let report = try sender.send(directory: URL(fileURLWithPath: directory))
            if !Self.printReport(report, directory: directory) { Foundation.exit(1) }
        } catch { fail(error) }
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
