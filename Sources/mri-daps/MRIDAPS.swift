import ArgumentParser
import Foundation

/// `mri-daps`: undersampled MRI reconstruction with classical methods today and a diffusion
/// prior (DAPS) with posterior uncertainty later. Each subcommand parses, calls one pipeline
/// entry point in MRIPipeline, and prints; no maths lives here.
@main
struct MRIDAPS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mri-daps",
        abstract: "Reconstruct undersampled MRI (fastMRI HDF5) and score it as fastMRI does.",
        version: "0.1.0",
        subcommands: [Recon.self, Export.self, Send.self, Info.self, Simulate.self, Evaluate.self, Priors.self, Bench.self],
        defaultSubcommand: nil)

    /// Parses and runs; usage errors print one line (`mri-daps: error: …`) instead of the
    /// multi-line usage block, and exit with the parser's code. Help and version print normally.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("mri-daps: error: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

/// Prints a one-line error naming the problem and exits non-zero.
func fail(_ error: Error) -> Never {
    FileHandle.standardError.write(Data("mri-daps: error: \(error)\n".utf8))
    exit(1)
}

/// Writes text to stdout.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Writes a progress/status line to stderr.
func status(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
