import Cluster
import Foundation
import Testing
import _TestSupport

/// The Slurm commands against stand-in programs on PATH that print what Slurm documents.
@Suite("Slurm")
struct SlurmTests {
    /// A folder with executable scripts `name` → body, and a Slurm that finds only them.
    static func fake(_ programs: [String: String]) throws -> (Slurm, URL) {
        let dir = try Fixtures.temporaryDirectory()
        for (name, body) in programs {
            let url = dir.appendingPathComponent(name)
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        return (Slurm(commands: ExternalCommand(environment: ["PATH": dir.path])), dir)
    }

    @Test("sbatch --parsable: the job id, with or without the cluster name; the arguments in order")
    func submit() throws {
        let (slurm, dir) = try Self.fake(["sbatch": "echo \"$@\" > \"$(dirname \"$0\")/args\"; echo '4711;cluster1'"])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try slurm.submit("/x/tasks.sbatch", options: ["--array=0-3%2"], arguments: ["1"]) == "4711")
        #expect(try String(contentsOf: dir.appendingPathComponent("args"), encoding: .utf8) == "--parsable --array=0-3%2 /x/tasks.sbatch 1\n")
    }

    @Test("a refusing sbatch becomes one line with its message; a missing one names itself")
    func failures() throws {
        let (slurm, dir) = try Self.fake([
            "sbatch": "echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2; exit 1",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: ClusterError.commandFailed(command: "sbatch --parsable x.sbatch", status: 1,
                                                   message: "sbatch: error: Batch job submission failed: Invalid partition name specified")) {
            try slurm.submit("x.sbatch")
        }
        #expect(throws: ClusterError.commandNotFound("squeue")) { try slurm.checkAvailable() }
        let (odd, dir2) = try Self.fake(["sbatch": "echo 'Submitted batch job 12'"])
        defer { try? FileManager.default.removeItem(at: dir2) }
        #expect(throws: ClusterError.self) { try odd.submit("x.sbatch") }
    }

    @Test("squeue lines of our jobs only; sacct states without their 'by UID'; no sacct: nil")
    func states() throws {
        let (slurm, dir) = try Self.fake([
            "squeue": "printf '10_0|RUNNING\\n10_1|PENDING\\n99_0|RUNNING\\n11|PENDING\\n'",
            "sacct": "printf '10_2|CANCELLED by 0|0:15\\n10_3|COMPLETED|0:0\\n'",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try slurm.queue(jobs: ["10", "11"]) == ["10_0": "RUNNING", "10_1": "PENDING", "11": "PENDING"])
        let a = try #require(slurm.accounting(jobs: ["10"]))
        #expect(a["10_2"]?.state == "CANCELLED" && a["10_3"]?.exitCode == "0:0")
        let (none, dir2) = try Self.fake(["squeue": "true"])
        defer { try? FileManager.default.removeItem(at: dir2) }
        #expect(none.accounting(jobs: ["10"]) == nil)
    }
}
