import ArgumentParser
import Foundation
import MRIPipeline

/// Every HDF5 input is first opened by a child process (`mri-daps probe FILE`, hidden) that
/// reads its structure (`InputStructure.read`) under a time limit. libhdf5 does not validate
/// untrusted files: a corrupt one can crash (SIGSEGV) or hang it while reading exactly that
/// structure, and neither may take the tool down with it. A crash or a timeout in the child is
/// reported as one line naming the file; anything else (including the child's own error) lets
/// the command go on and open the file itself, which then reports its one-line error.
enum HDF5Probe {
    /// Seconds the child may take (the structure of a real file reads in well under a second).
    static let timeout: TimeInterval = 30

    /// Children running at once (a cohort's inputs are probed side by side).
    static let concurrency = 4

    /// Probes each path that is an HDF5 file, `concurrency` at a time; throws for the first
    /// path (in order) whose probe crashed or timed out.
    static func check(_ paths: [String]) throws {
        let hdf5 = paths.filter(InputStructure.isHDF5)
        for start in stride(from: 0, to: hdf5.count, by: concurrency) {
            let batch = hdf5[start..<min(start + concurrency, hdf5.count)]
            let children = batch.map { (path: $0, process: launch($0)) }
            for c in children {
                if let p = c.process { try wait(p, path: c.path) }
            }
        }
    }

    /// Starts `mri-daps probe PATH`; nil when it cannot start (the file is then opened in-process as before).
    static func launch(_ path: String) -> Process? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = ["probe", path]
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // a crash report would only cost time
        p.environment = environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        return p
    }

    static func wait(_ p: Process, path: String) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            throw ProbeFailure(path: path, reason: "libhdf5 did not finish reading its structure in \(Int(timeout)) s (corrupt HDF5 file)")
        }
        if p.terminationReason == .uncaughtSignal {
            throw ProbeFailure(path: path, reason: "corrupt HDF5 file: libhdf5 crashed reading its structure (signal \(p.terminationStatus))")
        }
    }

    struct ProbeFailure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): \(reason)" }
    }
}

/// `mri-daps probe FILE` (hidden): reads an HDF5 file's structure; exit 0, or 1 with the error.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read an HDF5 file's structure (used by the other commands in a child process).", shouldDisplay: false)

    @Argument var file: String

    func run() throws {
        try InputStructure.read(URL(fileURLWithPath: file))
    }
}
