import Foundation

/// Runs a program found on PATH to completion and captures what it prints: the Slurm commands
/// (`sbatch`, `squeue`, `sacct`, `scancel`) are called, never reimplemented.
public struct ExternalCommand: Sendable {
    /// What the program printed and how it ended.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// The last non-empty line of standard error (a Slurm command's message).
        public var lastErrorLine: String {
            stderr.split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        }
    }

    /// The folders searched for programs (PATH).
    public var searchPath: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        searchPath = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
    }

    /// The absolute path of `name` on PATH, or nil.
    public func locate(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        return searchPath.lazy.map { ($0 as NSString).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `name arguments…`; throws `commandNotFound` when it is not on PATH. The exit status is
    /// returned, not thrown (see `check`).
    public func run(_ name: String, _ arguments: [String]) throws -> Output {
        guard let path = locate(name) else { throw ClusterError.commandNotFound(name) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting, so a chatty program cannot block on a full pipe.
        let errData = ErrorBuffer()
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) { errData.value = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.value, as: UTF8.self))
    }

    /// Runs and throws `commandFailed` (with its last error line) on a non-zero exit.
    public func check(_ name: String, _ arguments: [String]) throws -> String {
        let o = try run(name, arguments)
        guard o.status == 0 else {
            throw ClusterError.commandFailed(command: ([name] + arguments.prefix(3)).joined(separator: " "), status: o.status,
                                             message: o.lastErrorLine)
        }
        return o.stdout
    }
}

/// Standard error as read on another queue (written before the group is left, read after).
final class ErrorBuffer: @unchecked Sendable {
    var value = Data()
}
