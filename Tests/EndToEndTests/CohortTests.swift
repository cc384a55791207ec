import Foundation
import MRIIO
import MRIPipeline
import Testing
import _TestSupport

/// Cohorts: `recon --jobs N` and `mri-daps slurm` produce exactly what one `recon` writes.
@Suite("cohorts: recon --jobs and mri-daps slurm")
struct CohortTests {
    /// `count` small scans of `slices` slices each in `dir`.
    static func scans(_ count: Int, slices: Int, in dir: URL) throws -> [URL] {
        try (0..<count).map { i in
            let url = dir.appendingPathComponent("scan\(i).h5")
            try CLI.writeSmallScan(to: url, slices: slices)
            return url
        }
    }

    /// Every output of `a` equals (datasets bitwise, attributes) the one of the same name in `b`.
    static func expectSameOutputs(_ a: URL, _ b: URL, names: [String]) throws {
        for name in names {
            let (da, aa) = try MergeTests.contents(a.appendingPathComponent(name))
            let (db, ab) = try MergeTests.contents(b.appendingPathComponent(name))
            let differing = da.keys.sorted().filter { da[$0] != db[$0] } + db.keys.filter { da[$0] == nil }
            #expect(differing.isEmpty, "\(name): datasets \(differing) differ")
            #expect(aa == ab, "\(name): attributes differ: \(aa.keys.filter { aa[$0] != ab[$0] })")
        }
    }

    static let tinyDAPS = ["--prior", DAPSReconTests.tinyPrior.path] + DAPSReconTests.small

    @Test("recon --jobs 2 writes what --jobs 1 writes (zero-filled with DICOM, previews and report; DAPS, whose workers keep 2 threads each: --threads 4) and leaves no scratch folder",
          arguments: [["--method", "zero-filled", "--accel", "4"], tinyDAPS + ["--threads", "4"]])
    func jobsEqualSingleProcess(args: [String]) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = try Self.scans(3, slices: 2, in: dir)
        var outs = [URL]()
        for jobs in ["1", "2"] {
            let out = dir.appendingPathComponent("out\(jobs)")
            let r = try CLI.run(["recon"] + inputs.map(\.path) + args + ["--jobs", jobs, "--out", out.path, "--dicom",
                                dir.appendingPathComponent("dicom\(jobs)").path, "--report", dir.appendingPathComponent("r\(jobs).json").path,
                                "--preview", dir.appendingPathComponent("png\(jobs)").path])
            #expect(r.status == 0, "\(r.stderr)")
            outs.append(out)
        }
        try Self.expectSameOutputs(outs[0], outs[1], names: inputs.map(\.lastPathComponent))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outs[1].path).sorted() == inputs.map(\.lastPathComponent).sorted())
        for n in 0..<3 {
            let name = inputs[n].deletingPathExtension().lastPathComponent
            let files = { (j: String) in try FileManager.default.subpathsOfDirectory(atPath: dir.appendingPathComponent("dicom\(j)/\(name)").path).count }
            #expect(try files("1") == files("2") && files("2") > 0)
            // Previews of the whole input (not of a task's shard), the same bytes as one process writes.
            let png = { (j: String) in dir.appendingPathComponent("png\(j)/\(name)") }
            let names = try FileManager.default.contentsOfDirectory(atPath: png("2").path).filter { $0.hasSuffix(".png") }.sorted()
            #expect(names == ["slice_000.png", "slice_001.png"])
            for f in names {
                #expect(try Data(contentsOf: png("1").appendingPathComponent(f)) == Data(contentsOf: png("2").appendingPathComponent(f)))
            }
        }
        let report = try JSONDecoder().decode(ReconReport.self, from: Data(contentsOf: dir.appendingPathComponent("r2.json")))
        #expect(report.files.map(\.slices).reduce(0, +) == 6)
        #expect(Set(report.files.map(\.output)) == Set(inputs.map { outs[1].appendingPathComponent($0.lastPathComponent).path }))
    }

    @Test("outputs are bitwise the same for any --threads: at the fastMRI knee size (ESPIRiT maps, 15 coils: OpenBLAS's threads would change the rounding), and DAPS (one or two network copies, draws in parallel or not)",
          arguments: [["--method", "mvue", "--accel", "4"], ["--method", "sense", "--accel", "4", "--iterations", "3"], tinyDAPS])
    func threadCountInvariance(args: [String]) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("knee.h5")
        let small = args.contains("--prior")  // the tiny prior at the fastMRI size would take minutes in a debug build
        try CLI.writeSmallScan(to: scan, height: small ? 48 : 640, width: small ? 40 : 368, coils: small ? 4 : 15, slices: 1)
        for threads in ["1", "2"] {
            let r = try CLI.run(["recon", scan.path, "--threads", threads, "--out", dir.appendingPathComponent(threads).path] + args)
            #expect(r.status == 0, "\(r.stderr)")
        }
        try Self.expectSameOutputs(dir.appendingPathComponent("1"), dir.appendingPathComponent("2"), names: ["knee.h5"])
    }

    @Test("DAPS keeps two threads per worker: --jobs 2 on 2 threads runs one worker, in this process")
    func dapsWorkersKeepTwoThreads() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = try Self.scans(2, slices: 1, in: dir)
        let r = try CLI.run(["recon"] + inputs.map(\.path) + Self.tinyDAPS + ["--jobs", "2", "--threads", "2", "--out", dir.appendingPathComponent("out").path])
        #expect(r.status == 0 && r.stderr.contains("one worker (daps keeps 2 threads per worker, 2 cores): running in this process"), "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 2)
    }

    /// A folder of stand-in Slurm commands: sbatch records its arguments and prints job ids
    /// 100, 101, …; squeue knows no jobs; scancel records what it cancelled. sbatch fails from
    /// its `failFrom`-th call on.
    static func fakeSlurm(in dir: URL, failFrom: Int = 1000) throws -> URL {
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let programs = [
            "sbatch": """
                n=$(cat "$0.count" 2>/dev/null || echo 0); echo $((n + 1)) > "$0.count"
                if [ "$n" -ge \(failFrom) ]; then echo 'sbatch: error: Batch job submission failed: Job violates accounting/QOS policy' >&2; exit 1; fi
                echo "$@" >> "$0.log"; echo $((100 + n))
                """,
            "squeue": "true",
            "scancel": "echo \"$@\" >> \"$0.log\"",
        ]
        for (name, body) in programs {
            let url = bin.appendingPathComponent(name)
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        return bin
    }

    static func run(_ args: [String], path: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        try Fixtures.run(CLI.binary, args, environment: ["PATH": path.path + ":/usr/bin:/bin"])
    }

    @Test("slurm submit writes the plan and scripts and submits array + finishing jobs; the tasks and finishes, run by hand, merge into what one recon writes; status and resume read the folder back")
    func submitThenRunByHand() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = try Self.fakeSlurm(in: dir)
        let inputs = try Self.scans(2, slices: 3, in: dir)
        let out = dir.appendingPathComponent("cohort"), plan = out.appendingPathComponent("slurm")
        let args = ["--accel", "4", "--method", "sense"]
        let png = dir.appendingPathComponent("png")
        let s = try Self.run(["slurm", "submit"] + inputs.map(\.path) + args + ["--out", out.path, "--slices-per-task", "2",
                             "--partition", "short", "--array-limit", "3", "--preview", png.path], path: bin)
        #expect(s.status == 0, "\(s.stderr)")
        #expect(s.stdout.contains("submitted 4 tasks as job array 100 and 2 finishing jobs (101, 102)"), "\(s.stdout)")
        let calls = try String(contentsOf: bin.appendingPathComponent("sbatch.log"), encoding: .utf8).split(separator: "\n")
        #expect(calls == ["--parsable --array=0-3%3 \(plan.path)/tasks.sbatch",
                          "--parsable --dependency=afterok:100 --kill-on-invalid-dep=yes \(plan.path)/finish.sbatch 0",
                          "--parsable --dependency=afterok:100 --kill-on-invalid-dep=yes \(plan.path)/finish.sbatch 1"])
        #expect(try String(contentsOf: plan.appendingPathComponent("tasks.sbatch"), encoding: .utf8).contains("#SBATCH --partition=short"))

        let pending = try Self.run(["slurm", "status", out.path], path: bin)
        #expect(pending.stdout.contains("task 3\t100_3\tmissing") && pending.stdout.contains("0/4 tasks done, 0/2 outputs done"), "\(pending.stdout)")
        for i in 0..<4 {
            let r = try CLI.run(["slurm", "task", plan.path, "--index", String(i)])
            #expect(r.status == 0, "\(r.stderr)")
        }
        for n in 0..<2 {
            let r = try CLI.run(["slurm", "finish", plan.path, "--input", String(n)])
            #expect(r.status == 0, "\(r.stderr)")
        }
        // Each input's previews, written by its finishing job; a finishing job run again replaces them.
        for input in inputs {
            let folder = png.appendingPathComponent(input.deletingPathExtension().lastPathComponent)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".png") }.count == 3)
        }
        let again0 = try CLI.run(["slurm", "finish", plan.path, "--input", "0"])
        #expect(again0.status == 0, "\(again0.stderr)")
        let single = dir.appendingPathComponent("single")
        #expect(try CLI.run(["recon"] + inputs.map(\.path) + args + ["--out", single.path]).status == 0)
        try Self.expectSameOutputs(single, out, names: inputs.map(\.lastPathComponent))
        let done = try Self.run(["slurm", "status", out.path], path: bin)
        #expect(done.stdout.contains("4/4 tasks done, 2/2 outputs done"), "\(done.stdout)")
        let resume = try Self.run(["slurm", "resume", out.path], path: bin)
        #expect(resume.status == 0 && resume.stdout.contains("nothing to resume"), "\(resume.stdout)\(resume.stderr)")

        // A task's shard lost: resume submits only it, and the finishing job of its input.
        try FileManager.default.removeItem(at: plan.appendingPathComponent("shards/3"))
        try FileManager.default.removeItem(at: out.appendingPathComponent(inputs[1].lastPathComponent))
        let again = try Self.run(["slurm", "resume", out.path], path: bin)
        #expect(again.stdout.contains("resubmitted 1 task (3) as job array 103 and 1 finishing job"), "\(again.stdout)\(again.stderr)")
        let last = try String(contentsOf: bin.appendingPathComponent("sbatch.log"), encoding: .utf8).split(separator: "\n").suffix(2)
        #expect(Array(last) == ["--parsable --array=3%3 \(plan.path)/tasks.sbatch",
                                "--parsable --dependency=afterok:103 --kill-on-invalid-dep=yes \(plan.path)/finish.sbatch 1"])
    }

    @Test("a plan folder edited by hand is refused by task, finish, status and resume")
    func editedPlanRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = try Self.fakeSlurm(in: dir)
        let inputs = try Self.scans(1, slices: 2, in: dir)
        let out = dir.appendingPathComponent("cohort"), plan = out.appendingPathComponent("slurm")
        #expect(try Self.run(["slurm", "submit", inputs[0].path, "--method", "zero-filled", "--accel", "4", "--out", out.path], path: bin).status == 0)
        let planFile = plan.appendingPathComponent("plan.json")
        let original = try String(contentsOf: planFile, encoding: .utf8)
        try original.replacingOccurrences(of: "\"sliceEnd\" : 2", with: "\"sliceEnd\" : 1").write(to: planFile, atomically: true, encoding: .utf8)
        for args in [["slurm", "task", plan.path, "--index", "0"], ["slurm", "finish", plan.path, "--input", "0"],
                     ["slurm", "status", out.path], ["slurm", "resume", out.path]] {
            let r = try Self.run(args, path: bin)
            #expect(r.status != 0 && r.stderr.contains("plan.json: was edited after it was written"), "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
        try original.write(to: planFile, atomically: true, encoding: .utf8)
        try "#!/bin/bash\nrm -rf /\n".write(to: plan.appendingPathComponent("tasks.sbatch"), atomically: true, encoding: .utf8)
        let r = try Self.run(["slurm", "resume", out.path], path: bin)
        #expect(r.status != 0 && r.stderr.contains("tasks.sbatch: was edited or removed"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: plan.appendingPathComponent("shards").path))
    }

    @Test("no Slurm on PATH, sbatch refusing, or an --out an #SBATCH line cannot carry: one line, nothing left submitted or written")
    func submitRefusals() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = try Self.scans(2, slices: 2, in: dir)
        let out = dir.appendingPathComponent("cohort")
        let args = ["slurm", "submit"] + inputs.map(\.path) + ["--method", "zero-filled", "--accel", "4", "--out", out.path]
        let none = try Fixtures.run(CLI.binary, args, environment: ["PATH": dir.path])
        #expect(none.status != 0 && none.stderr.contains("sbatch was not found on PATH"), "\(none.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))

        let bin = try Self.fakeSlurm(in: dir, failFrom: 2)  // the array and one finishing job go in, the second fails
        // A path an #SBATCH line cannot carry (a double quote): refused before anything is written or submitted.
        let quoted = dir.appendingPathComponent("co\"hort")
        let q = try Self.run(["slurm", "submit"] + inputs.map(\.path) + ["--method", "zero-filled", "--accel", "4", "--out", quoted.path], path: bin)
        #expect(q.status != 0 && q.stderr.contains("double quote") && q.stderr.split(separator: "\n").count == 1, "\(q.stderr)")
        #expect(!FileManager.default.fileExists(atPath: quoted.path) && !FileManager.default.fileExists(atPath: bin.appendingPathComponent("sbatch.log").path))
        let password = try Self.run(args + ["--dicom", dir.appendingPathComponent("dicom").path, "--send", "https://pacs.example/dicom-web",
                                            "--user", "u:secret"], path: bin)
        #expect(password.status != 0 && password.stderr.contains("would be written into the plan"), "\(password.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let refused = try Self.run(args, path: bin)
        #expect(refused.status != 0 && refused.stderr.contains("Job violates accounting/QOS policy"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out.path), "the folders the failed submit created are removed")
        let cancelled = try String(contentsOf: bin.appendingPathComponent("scancel.log"), encoding: .utf8)
        #expect(cancelled.split(separator: "\n").sorted() == ["100", "101"])

        // A slurm/ folder that holds something else is never written into.
        let mine = out.appendingPathComponent("slurm/notes.txt")
        try FileManager.default.createDirectory(at: mine.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "mine".write(to: mine, atomically: true, encoding: .utf8)
        let occupied = try Self.run(args, path: try Self.fakeSlurm(in: dir.appendingPathComponent("fresh")))
        #expect(occupied.status != 0 && occupied.stderr.contains("exists and is not a plan folder"), "\(occupied.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mine.deletingLastPathComponent().path) == ["notes.txt"])
    }
}
