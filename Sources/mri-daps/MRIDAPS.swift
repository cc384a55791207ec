import ArgumentParser
import Foundation
import MRIPipeline

/// `mri-daps`: undersampled MRI reconstruction with classical methods today and a diffusion
/// prior (DAPS) with posterior uncertainty later. Each subcommand parses, calls one pipeline
/// entry point in MRIPipeline, and prints; no maths lives here.
@main
struct MRIDAPS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mri-daps",
        abstract: "Reconstruct undersampled MRI (fastMRI HDF5) and score it as fastMRI does.",
        version: "0.1.0",
        subcommands: [Recon.self, SlurmCommand.self, Merge.self, Convert.self, Export.self, Send.self, Info.self, Simulate.self, Evaluate.self, Preview.self, Priors.self, Bench.self,
                      Probe.self],
        defaultSubcommand: nil)

    /// Parses and runs. Usage errors print one line (`mri-daps: error: …`) instead of the
    /// multi-line usage block and exit with the parser's code; help and version print normally.
    /// A command's error (thrown from `run`) removes the run's temporary outputs and prints one
    /// line (`describe`), exit 1; `ExitCode` ends quietly (the command has reported already).
    static func main() {
        let interruption = Interruption.install()
        defer { withExtendedLifetime(interruption) {} }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            TemporaryOutputs.removeAll()
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            TemporaryOutputs.removeAll()
            var message: String
            if code == .validationFailure {  // the parser's usage errors (exit 64)
                message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                if message.hasPrefix("Missing value"), let negative = negativeNumberMessage() { message = negative }
            } else {
                message = describe(error)
            }
            FileHandle.standardError.write(Data("mri-daps: error: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

extension MRIDAPS {
    /// The parser reads `--accel -1` as a missing value followed by an unknown flag; name the
    /// option and the value instead.
    static func negativeNumberMessage(arguments: [String] = CommandLine.arguments) -> String? {
        for (flag, value) in zip(arguments, arguments.dropFirst()) where flag.hasPrefix("--") && !flag.contains("=") {
            if value.count > 1, value.hasPrefix("-"), Double(value) != nil {
                return "\(flag): \(value) is out of range (negative values are not accepted)"
            }
        }
        return nil
    }
}

/// One line for any error: the project's errors describe themselves; a Foundation file error
/// becomes "PATH: the system's reason" (errno text) instead of "Error Domain=NSCocoaErrorDomain …".
func describe(_ error: Error) -> String {
    let text = "\(error)"
    if !(error is CocoaError) && !text.hasPrefix("Error Domain=") { return text.replacingOccurrences(of: "\n", with: " ") }
    let ns = error as NSError
    let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    var reason = ns.localizedDescription
    if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
        reason = String(cString: strerror(Int32(posix.code)))
    }
    return ((path.map { "\($0): " } ?? "") + reason).replacingOccurrences(of: "\n", with: " ")
}

/// Writes text to stdout.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Writes a progress/status line to stderr.
func status(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
