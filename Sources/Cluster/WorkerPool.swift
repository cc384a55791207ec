import Foundation

/// Runs command lines as child processes, at most `workers` at a time (`recon --jobs N` on a
/// machine without Slurm). Each child's output goes to its own log file. The first child that
/// fails ends the others (SIGTERM, so they remove their temporary outputs) and its last log
/// line becomes the error. `terminateAll` ends every running child of the process (for the
/// command's signal handler).
public struct WorkerPool: Sendable {
    /// One child: the program, its arguments and the file its stdout and stderr go to.
    public struct Job: Sendable {
        public var executable: String
        public var arguments: [String]
        public var log: URL
        public var name: String

        public init(executable: String, arguments: [String], log: URL, name: String) {
            self.executable = executable
            self.arguments = arguments
            self.log = log
            self.name = name
        }
    }

    public var workers: Int

    public init(workers: Int) { self.workers = max(1, workers) }

    /// Runs every job; `finished(index, seconds)` is called as each one succeeds (in the order
    /// they end). Throws `commandFailed` for the first failure, after the others have ended.
    public func run(_ jobs: [Job], finished: (Int, TimeInterval) throws -> Void) throws {
        let ended = EndedQueue()
        var next = 0, running = [Int: (Process, Date)]()
        func stopAll() {
            Self.stop(running.values.map(\.0))
            Self.children.remove(running.values.map { $0.0.processIdentifier })
        }
        while next < jobs.count || !running.isEmpty {
            while running.count < workers && next < jobs.count {
                do { running[next] = (try launch(jobs[next], index: next, ended: ended), Date()) } catch {
                    stopAll()
                    throw error
                }
                next += 1
            }
            let (index, status) = ended.wait()
            guard let (process, started) = running.removeValue(forKey: index) else { continue }
            Self.children.remove([process.processIdentifier])
            if status != 0 {
                stopAll()
                throw ClusterError.commandFailed(command: jobs[index].name, status: status, message: Self.lastLine(of: jobs[index].log))
            }
            do { try finished(index, Date().timeIntervalSince(started)) } catch {
                stopAll()
                throw error
            }
        }
    }

    func launch(_ job: Job, index: Int, ended: EndedQueue) throws -> Process {
        _ = FileManager.default.createFile(atPath: job.log.path, contents: nil)
        let log = try FileHandle(forWritingTo: job.log)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: job.executable)
        p.arguments = job.arguments
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        p.terminationHandler = { ended.push(index, $0.terminationStatus) }
        try p.run()
        try? log.close()
        Self.children.insert(p.processIdentifier)
        return p
    }

    /// SIGTERM (an mri-daps child removes its temporary outputs), then SIGKILL after `grace`
    /// seconds for any child that ignores it (an ignored SIGTERM is inherited across exec).
    static func stop(_ processes: [Process], grace: TimeInterval = 10) {
        for p in processes where p.isRunning { p.terminate() }
        let deadline = Date().addingTimeInterval(grace)
        while processes.contains(where: \.isRunning) && Date() < deadline { usleep(20_000) }
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes { p.waitUntilExit() }
    }

    /// The last non-empty line of a log (a failed mri-daps command's one-line error).
    static func lastLine(of log: URL) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").last.map(String.init) ?? "no output (\(log.path))"
    }

    /// Sends SIGTERM to every child still running.
    public static func terminateAll() {
        for pid in children.all { kill(pid, SIGTERM) }
    }

    static let children = ChildRegistry()
}

/// The children that ended, in order, for the pool's loop to wait on.
final class EndedQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items = [(Int, Int32)]()
    func push(_ index: Int, _ status: Int32) {
        condition.lock()
        items.append((index, status))
        condition.signal()
        condition.unlock()
    }
    func wait() -> (Int, Int32) {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        return items.removeFirst()
    }
}

/// The PIDs of running children of this process.
final class ChildRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var pids = Set<Int32>()
    func insert(_ pid: Int32) { lock.lock(); pids.insert(pid); lock.unlock() }
    func remove(_ list: [Int32]) { lock.lock(); pids.subtract(list); lock.unlock() }
    var all: [Int32] { lock.lock(); defer { lock.unlock() }; return Array(pids) }
}
