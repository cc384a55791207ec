/// The Slurm commands a cohort needs, called through `ExternalCommand`: submit a batch script
/// (`sbatch --parsable`), ask the queue (`squeue`) and the accounting (`sacct`) how jobs stand,
/// cancel (`scancel`). Job ids are Slurm's text ("1234", array elements "1234_5").
public struct Slurm: Sendable {
    public var commands: ExternalCommand

    public init(commands: ExternalCommand = ExternalCommand()) { self.commands = commands }

    /// Throws `commandNotFound` unless sbatch, squeue and scancel are on PATH.
    public func checkAvailable() throws {
        for name in ["sbatch", "squeue", "scancel"] where commands.locate(name) == nil {
            throw ClusterError.commandNotFound(name)
        }
    }

    /// Submits `script` (with `options` before it and `arguments` after it) and returns the job id.
    public func submit(_ script: String, options: [String] = [], arguments: [String] = []) throws -> String {
        let out = try commands.check("sbatch", ["--parsable"] + options + [script] + arguments)
        // --parsable prints "jobid" or "jobid;cluster".
        let id = out.split(separator: "\n").last.map { String($0.split(separator: ";").first ?? "") } ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw ClusterError.unexpectedOutput(command: "sbatch --parsable", output: out) }
        return id
    }

    /// Asks `sbatch --test-only` whether it would accept `script` (nothing is submitted); throws its message.
    public func test(_ script: String, options: [String] = [], arguments: [String] = []) throws {
        _ = try commands.check("sbatch", ["--test-only"] + options + [script] + arguments)
    }

    /// The controller's state (PENDING, RUNNING, and for a while after the end COMPLETED, FAILED,
    /// CANCELLED, …) of every job and array element of `jobs` it still knows, keyed by element id
    /// ("1234_5"; a pending array's elements are listed one by one).
    public func queue(jobs: [String]) throws -> [String: String] {
        guard !jobs.isEmpty else { return [:] }
        let out = try commands.check("squeue", ["--noheader", "--array", "--states=all", "--format=%i|%T", "--me"])
        let wanted = Set(jobs)
        var states = [String: String]()
        for line in out.split(separator: "\n") {
            let f = line.split(separator: "|").map(String.init)
            guard f.count == 2 else { continue }
            let base = String(f[0].split(separator: "_").first ?? "")
            if wanted.contains(base) || wanted.contains(f[0]) { states[f[0]] = f[1] }
        }
        return states
    }

    /// The accounting's final state and exit code of every element of `jobs`, or nil where the
    /// cluster keeps no accounting (sacct fails without slurmdbd).
    public func accounting(jobs: [String]) -> [String: (state: String, exitCode: String)]? {
        guard !jobs.isEmpty, commands.locate("sacct") != nil,
              let o = try? commands.run("sacct", ["--noheader", "--parsable2", "--allocations", "--format=JobID,State,ExitCode",
                                                 "--jobs=" + jobs.joined(separator: ",")]),
              o.status == 0 else { return nil }
        var result = [String: (state: String, exitCode: String)]()
        for line in o.stdout.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 3 else { continue }
            // "CANCELLED by 0" → "CANCELLED"
            result[f[0]] = (String(f[1].split(separator: " ").first ?? ""), f[2])
        }
        return result
    }

    /// Cancels a job or array element.
    public func cancel(_ job: String) throws {
        _ = try commands.check("scancel", [job])
    }
}
