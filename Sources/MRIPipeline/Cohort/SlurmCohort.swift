import Cluster
import Foundation

/// `mri-daps slurm`: a cohort plan run as one Slurm job array (one task per slice range) and,
/// per input, a dependent (`afterok`) job that merges its shards, writes its DICOM study and
/// sends it. The plan folder (`OUT/slurm`) holds `plan.json`, the two batch scripts, the jobs
/// submitted (`jobs.json`), the logs and the shards; `status` and `resume` read it back.
/// Scheduling is Slurm's: this type only writes scripts and calls sbatch, squeue, sacct.
public struct SlurmCohort: Sendable {
    public static let taskScript = "tasks.sbatch"
    public static let finishScript = "finish.sbatch"
    public static let jobsFile = "jobs.json"

    /// The plan folder.
    public var folder: URL
    public var slurm: Slurm

    public init(folder: URL, slurm: Slurm = Slurm()) {
        self.folder = folder
        self.slurm = slurm
    }

    /// One submission: the array job, the tasks it runs, and the finishing job of each input.
    public struct Submission: Codable, Sendable, Equatable {
        public var submitted: String
        public var array: String?
        public var tasks: [Int]
        /// Input index (as text, for JSON) → job id.
        public var finish: [String: String]
    }

    // MARK: Scripts

    /// The batch scripts of `plan` (array tasks, then the per-input finishing job).
    public func scripts(_ plan: CohortPlan) -> [String: BatchScript] {
        let settings = plan.slurm ?? .init()
        var common: [(String, String?)] = [("chdir", plan.workingDirectory)]
        if let p = settings.partition { common.append(("partition", p)) }
        if let t = settings.time { common.append(("time", t)) }
        let q = BatchScript.quote, exe = q(plan.executable), dir = q(folder.path)
        let tasks = BatchScript(
            comments: ["mri-daps cohort: array task I reconstructs task I of plan.json (one slice range of one input).",
                       "Submitted as: sbatch --array=<tasks> \(Self.taskScript)"],
            directives: [("job-name", "mri-daps-tasks")] + common
                + [("output", folder.appendingPathComponent("logs/task-%a.out").path), ("cpus-per-task", String(settings.cpusPerTask))]
                + (settings.memory.map { [("mem", $0)] } ?? []),
            body: ["exec \(exe) slurm task \(dir) --index \"$SLURM_ARRAY_TASK_ID\" --threads \"${SLURM_CPUS_PER_TASK:-\(settings.cpusPerTask)}\""])
        let finish = BatchScript(
            comments: ["mri-daps cohort: merges input $1's shards into its output, then its DICOM study and delivery (when planned).",
                       "Submitted as: sbatch --dependency=afterok:<array> --kill-on-invalid-dep=yes \(Self.finishScript) <input>"],
            directives: [("job-name", "mri-daps-finish")] + common
                + [("output", folder.appendingPathComponent("logs/finish-%j.out").path), ("cpus-per-task", "1")],
            body: ["exec \(exe) slurm finish \(dir) --input \"$1\""])
        return [Self.taskScript: tasks, Self.finishScript: finish]
    }

    /// The `--array` value for `tasks` (ranges compressed), with `%limit`.
    static func arraySpec(_ tasks: [Int], limit: Int?) -> String {
        var parts = [String](), i = 0
        let t = tasks.sorted()
        while i < t.count {
            var j = i
            while j + 1 < t.count && t[j + 1] == t[j] + 1 { j += 1 }
            parts.append(i == j ? "\(t[i])" : "\(t[i])-\(t[j])")
            i = j + 1
        }
        return parts.joined(separator: ",") + (limit.map { "%\($0)" } ?? "")
    }

    // MARK: Submit

    /// Writes the plan folder (scripts, plan.json) and submits every task and finishing job.
    /// On any failure what was submitted is cancelled and the folder is removed again.
    public func submit(_ plan: CohortPlan) throws -> Submission {
        try checkDirectives(plan)
        try slurm.checkAvailable()
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent(CohortPlan.fileName).path) {
            throw PipelineError.invalidOption(name: "out", reason: "\(folder.path) already holds a plan; use mri-daps slurm status/resume, or another --out")
        }
        if let items = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !items.isEmpty {
            throw PipelineError.invalidOption(name: "out", reason: "\(folder.path) exists and is not a plan folder of mri-daps; choose another --out")
        }
        var plan = plan
        do {
            try TemporaryOutputs.createFolders(folder.appendingPathComponent("logs"))  // removed again if the command fails
            for (name, script) in scripts(plan) {
                try Data(script.text.utf8).write(to: folder.appendingPathComponent(name), options: .atomic)
            }
            try plan.write(to: folder, scripts: [Self.taskScript, Self.finishScript])
            return try submit(plan, tasks: Array(plan.tasks.indices), inputs: Array(plan.inputs.indices))
        } catch {
            // Only what this call wrote: the folder was empty or missing.
            for name in ["logs", Self.taskScript, Self.finishScript, CohortPlan.fileName, Self.jobsFile] {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
            throw error
        }
    }

    /// Throws when a directive value of the scripts (the working directory, the log paths, the
    /// partition…) cannot be written into an `#SBATCH` line.
    public func checkDirectives(_ plan: CohortPlan) throws {
        for script in scripts(plan).values {
            for case let (name, value?) in script.directives {
                if let problem = BatchScript.directiveProblem(value) {
                    throw PipelineError.invalidOption(name: name == "chdir" ? "working directory" : name, reason: "'\(value)' \(problem)")
                }
            }
        }
    }

    /// `sbatch --test-only` of both scripts, written to a scratch folder (nothing is submitted).
    public func test(_ plan: CohortPlan) throws {
        try checkDirectives(plan)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mri-daps-dry-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for (name, script) in scripts(plan) {
            // The log folder does not exist yet: point the test at the scratch folder.
            let text = script.text.replacingOccurrences(of: folder.appendingPathComponent("logs").path, with: scratch.path)
            try Data(text.utf8).write(to: scratch.appendingPathComponent(name))
        }
        try slurm.test(scratch.appendingPathComponent(Self.taskScript).path,
                       options: ["--array=" + Self.arraySpec(Array(plan.tasks.indices), limit: plan.slurm?.arrayLimit)])
        try slurm.test(scratch.appendingPathComponent(Self.finishScript).path, arguments: ["0"])
    }

    /// Submits `tasks` as one array and a finishing job for each of `inputs` (after the array
    /// when it runs one of the input's tasks), records the submission in jobs.json, and cancels
    /// what it submitted when a later sbatch fails.
    func submit(_ plan: CohortPlan, tasks: [Int], inputs: [Int]) throws -> Submission {
        var s = Submission(submitted: ISO8601DateFormatter().string(from: Date()), array: nil, tasks: tasks, finish: [:])
        do {
            if !tasks.isEmpty {
                s.array = try slurm.submit(folder.appendingPathComponent(Self.taskScript).path,
                                           options: ["--array=" + Self.arraySpec(tasks, limit: plan.slurm?.arrayLimit)])
            }
            for n in inputs {
                let waits = s.array != nil && plan.tasks(ofInput: n).contains(where: tasks.contains)
                let options = waits ? ["--dependency=afterok:\(s.array!)", "--kill-on-invalid-dep=yes"] : []
                s.finish[String(n)] = try slurm.submit(folder.appendingPathComponent(Self.finishScript).path, options: options,
                                                       arguments: [String(n)])
            }
        } catch {
            for id in [s.array].compactMap({ $0 }) + s.finish.values.sorted() { try? slurm.cancel(id) }
            throw error
        }
        var all = try submissions()
        all.append(s)
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try e.encode(all).write(to: folder.appendingPathComponent(Self.jobsFile), options: .atomic)
        return s
    }

    /// Every submission so far (jobs.json).
    public func submissions() throws -> [Submission] {
        let url = folder.appendingPathComponent(Self.jobsFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        do { return try JSONDecoder().decode([Submission].self, from: Data(contentsOf: url)) } catch {
            throw PipelineError.unusableInput(file: url.path, reason: "is not the job list mri-daps slurm writes")
        }
    }
}
