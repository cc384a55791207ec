import Foundation
import MRIPipeline

/// SIGINT and SIGTERM end a run cleanly: the temporary outputs and the folders the run created
/// (while still empty) are removed, one line says so, and the process exits 130 or 143 (128 +
/// the signal, as a shell reports it). The handlers run on a dispatch queue, not in signal
/// context, so the removal may use the file system freely.
enum Interruption {
    /// Installs the handlers; call once, first thing in `main`, and keep the returned sources
    /// alive for the life of the process.
    static func install() -> [DispatchSourceSignal] {
        [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { signalNumber, name in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global(qos: .userInteractive))
            source.setEventHandler {
                LocalCohort.terminateWorkers()
                TemporaryOutputs.removeAll()
                let newline = isatty(2) != 0 ? "\n" : ""  // ends a progress bar's line
                FileHandle.standardError.write(Data("\(newline)mri-daps: interrupted (\(name)): temporary outputs removed, finished outputs kept\n".utf8))
                _exit(128 + signalNumber)
            }
            source.resume()
            return source
        }
    }
}
