import Foundation
import Testing
import _TestSupport

/// Whether a Slurm cluster answers here (`eval "$(scripts/slurm-test-cluster.sh start)"`, as
/// `.ci/run` does): SLURM_CONF set and sbatch on PATH.
enum RealSlurm {
    static var available: Bool {
        ProcessInfo.processInfo.environment["SLURM_CONF"] != nil && Fixtures.executable("sbatch") != nil
    }

    /// `mri-daps slurm status DIR` rows: name → (job, state).
    static func status(_ out: URL) throws -> [String: (job: String, state: String)] {
        let r = try CLI.run(["slurm", "status", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        var rows = [String: (job: String, state: String)]()
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: "\t").map(String.init)
            if f.count == 4 { rows[f[0]] = (f[1], f[2]) }
        }
        return rows
    }

    static let active: Set = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING"]

    /// Polls status until `done(rows)` or `timeout` seconds.
    static func wait(_ out: URL, timeout: TimeInterval = 240, until done: ([String: (job: String, state: String)]) -> Bool) throws
        -> [String: (job: String, state: String)]
    {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let rows = try status(out)
            if done(rows) { return rows }
            guard Date() < deadline else {
                Issue.record("timed out; status: \(rows.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.state)" })")
                return rows
            }
            usleep(250_000)
        }
    }

    /// Waits until no job of the cohort is pending or running.
    static func waitIdle(_ out: URL) throws -> [String: (job: String, state: String)] {
        try wait(out) { rows in !rows.isEmpty && !rows.values.contains { active.contains($0.state) } }
    }
}

@Suite("cohorts on a real Slurm", .serialized,
       .enabled(if: RealSlurm.available, "needs a running Slurm: eval \"$(scripts/slurm-test-cluster.sh start)\" (.ci/run starts one)"))
struct SlurmClusterTests {
    @Test("2 inputs × 4 slices, zero-filled, into a folder whose path has a space: the array and the finishing jobs run and log there, outputs equal one recon's; --dry-run's scripts pass sbatch --test-only")
    func zeroFilledCohort() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = try CohortTests.scans(2, slices: 4, in: dir)
        let args = ["--method", "zero-filled", "--accel", "4", "--out", dir.appendingPathComponent("my cohort").path,
                    "--slices-per-task", "2", "--cpus-per-task", "1"]
        let dry = try CLI.run(["slurm", "submit"] + inputs.map(\.path) + args + ["--dry-run"])
        #expect(dry.status == 0 && dry.stderr.contains("sbatch --test-only accepts both scripts"), "\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("my cohort").path))
        let s = try CLI.run(["slurm", "submit"] + inputs.map(\.path) + args)
        #expect(s.status == 0, "\(s.stderr)")
        let rows = try RealSlurm.waitIdle(dir.appendingPathComponent("my cohort"))
        #expect(rows.count == 6 && rows.values.allSatisfy { $0.state == "done" }, "\(rows)")
        let single = dir.appendingPathComponent("single")
        #expect(try CLI.run(["recon"] + inputs.map(\.path) + ["--method", "zero-filled", "--accel", "4", "--out", single.path]).status == 0)
        try CohortTests.expectSameOutputs(single, dir.appendingPathComponent("my cohort"), names: inputs.map(\.lastPathComponent))
        // sbatch took the quoted #SBATCH --output: the logs are in the plan folder.
        let logs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("my cohort/slurm/logs").path)
        #expect(logs.filter { $0.hasPrefix("task-") }.count == 4 && logs.filter { $0.hasPrefix("finish-") }.count == 2, "\(logs)")
    }

    @Test("DAPS, one task cancelled while it runs: status shows it, resume runs only it (and the finishing jobs), outputs equal one recon's")
    func cancelAndResume() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = try CohortTests.scans(2, slices: 4, in: dir)
        let out = dir.appendingPathComponent("cohort"), plan = out.appendingPathComponent("slurm")
        let daps = ["--prior", DAPSReconTests.tinyPrior.path, "--accel", "4", "--annealing-steps", "20", "--ode-steps", "2", "--samples", "2"]
        let s = try CLI.run(["slurm", "submit"] + inputs.map(\.path) + daps + ["--out", out.path, "--slices-per-task", "1",
                            "--array-limit", "1", "--cpus-per-task", "1"])
        #expect(s.status == 0, "\(s.stderr)")
        let victim = "task 2"
        let running = try RealSlurm.wait(out) { $0[victim]?.state == "RUNNING" }
        let job = try #require(running[victim]?.job)
        #expect(try Fixtures.run(try #require(Fixtures.executable("scancel")), [job]).status == 0)
        let after = try RealSlurm.waitIdle(out)
        #expect(after[victim]?.state != "done" && after["finish 0"]?.state != "done", "\(after)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(inputs[0].lastPathComponent).path))
        let others = (0..<8).filter { $0 != 2 }
        #expect(others.allSatisfy { after["task \($0)"]?.state == "done" }, "\(after)")
        func stamps() throws -> [Date] {
            try others.map { try FileManager.default.attributesOfItem(atPath: plan.appendingPathComponent("shards/\($0)/\(inputs[$0 / 4].lastPathComponent)").path)[.modificationDate] as! Date }
        }
        let before = try stamps()

        let r = try CLI.run(["slurm", "resume", out.path])
        #expect(r.status == 0 && r.stdout.contains("resubmitted 1 task (2)") && r.stdout.contains("and 2 finishing jobs"), "\(r.stdout)\(r.stderr)")
        let final = try RealSlurm.waitIdle(out)
        #expect(final.count == 10 && final.values.allSatisfy { $0.state == "done" }, "\(final)")
        #expect(try stamps() == before, "a task other than the cancelled one ran again")
        let single = dir.appendingPathComponent("single")
        #expect(try CLI.run(["recon"] + inputs.map(\.path) + daps + ["--out", single.path]).status == 0)
        try CohortTests.expectSameOutputs(single, out, names: inputs.map(\.lastPathComponent))
    }
}
