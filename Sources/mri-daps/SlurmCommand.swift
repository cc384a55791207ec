import ArgumentParser
import Foundation
import MRIPipeline

/// `mri-daps slurm`: a cohort as one Slurm job array (docs/scaling.md).
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Run recon over a cohort on a Slurm cluster: submit, status, resume (task and finish are what the batch scripts run).",
        subcommands: [SlurmSubmit.self, SlurmStatus.self, SlurmResume.self, SlurmTask.self, SlurmFinish.self])

    /// The plan folder of an output folder (`OUT/slurm`), or the folder itself when it holds the plan.
    static func planFolder(_ path: String) -> URL {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return FileManager.default.fileExists(atPath: url.appendingPathComponent(CohortPlan.fileName).path)
            ? url : url.appendingPathComponent("slurm")
    }
}

struct SlurmSubmit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Plan INPUT… × slice ranges as one job array plus a merge/export/send job per input, write the scripts and plan into OUT/slurm, and submit them.",
        discussion: """
            Every recon option applies (see mri-daps recon --help); --out is required and receives the outputs, as \
            recon would write them, and the plan folder OUT/slurm (plan.json, tasks.sbatch, finish.sbatch, jobs.json, \
            logs/, shards/). Each task writes atomically: a killed task leaves nothing that looks done, and \
            mri-daps slurm resume OUT submits only what is missing.
            """)

    @OptionGroup var recon: Recon
    @Option(help: "Slices per array task.") var slicesPerTask: Int = 8
    @Option(help: "Slurm partition (default: the cluster's).") var partition: String?
    @Option(help: "Time limit of each task, in Slurm's format (e.g. 2:00:00).") var time: String?
    @Option(help: "CPUs per task (the task's --threads).") var cpusPerTask: Int = 2
    @Option(help: "Memory per task, in Slurm's format (e.g. 8G).") var mem: String?
    @Option(help: "At most N array tasks running at once (%N).") var arrayLimit: Int?
    @Flag(help: "Print the plan and the batch scripts, check them with sbatch --test-only where sbatch exists; submit nothing.")
    var dryRun = false

    func validate() throws {
        guard recon.out != nil else { throw ValidationError("--out DIR is required (the outputs and the plan folder DIR/slurm)") }
        if recon.jobs != 1 { throw ValidationError("--jobs applies to recon on one machine; Slurm runs the tasks here") }
        if recon.network.user != nil || recon.send.map({ URL(string: $0)?.password != nil }) == true {
            throw ValidationError("--user / user:password@ in --send would be written into the plan: give STOW-RS credentials with --credentials-file, --netrc or \(PACSDelivery.Credentials.environmentVariable)")
        }
        if recon.report != nil { throw ValidationError("--report: each task writes its report into OUT/slurm/shards/<task>/report.json") }
        if !(1...100_000).contains(slicesPerTask) { throw ValidationError("--slices-per-task must be between 1 and 100000 (got \(slicesPerTask))") }
        if !(1...1024).contains(cpusPerTask) { throw ValidationError("--cpus-per-task must be between 1 and 1024 (got \(cpusPerTask))") }
        if let a = arrayLimit, a < 1 { throw ValidationError("--array-limit must be ≥ 1 (got \(a))") }
    }

    func run() throws {
        try HDF5Probe.check(recon.files)
        let job = try recon.makeJob()
        let checked = try job.check()  // inputs, options, outputs: before anything is written or submitted
        var plan = CohortPlan(
            executable: CohortPlan.currentExecutable, workingDirectory: FileManager.default.currentDirectoryPath,
            command: ["slurm", "submit"], arguments: Array(CommandLine.arguments.dropFirst(3)), inputs: checked.inputs,
            pipeline: job.pipeline, slicesPerTask: slicesPerTask, threadsPerTask: cpusPerTask)
        plan.slurm = .init(partition: partition, time: time, cpusPerTask: cpusPerTask, memory: mem, arrayLimit: arrayLimit)
        let cohort = SlurmCohort(folder: job.outputDirectory.appendingPathComponent("slurm"))
        if dryRun { return try Self.printDryRun(plan, cohort: cohort) }
        let s = try cohort.submit(plan)
        emit("submitted \(plan.tasks.count) tasks as job array \(s.array ?? "-") and \(s.finish.count) finishing job\(s.finish.count == 1 ? "" : "s") "
             + "(\(s.finish.sorted { $0.key < $1.key }.map(\.value).joined(separator: ", "))); plan in \(cohort.folder.path)")
    }

    static func printDryRun(_ plan: CohortPlan, cohort: SlurmCohort) throws {
        for (i, t) in plan.tasks.enumerated() {
            emit("task \(i): \(plan.inputs[t.input].path) slices \(t.sliceStart):\(t.sliceEnd)")
        }
        for (name, script) in cohort.scripts(plan).sorted(by: { $0.key < $1.key }) {
            emit("# ---- \(cohort.folder.appendingPathComponent(name).path)\n" + script.text)
        }
        if (try? cohort.slurm.checkAvailable()) == nil {
            status("dry run: sbatch is not on PATH, scripts not tested; nothing submitted")
            return
        }
        try cohort.test(plan)
        status("dry run: sbatch --test-only accepts both scripts; nothing submitted")
    }
}

struct SlurmStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Report every task and finishing job of a submitted cohort (squeue, sacct, and the outputs present).")

    @Argument(help: "The cohort's --out folder (or its slurm/ plan folder).") var folder: String

    func run() throws {
        let (plan, tasks, finishes) = try SlurmCohort(folder: SlurmCommand.planFolder(folder)).status()
        for e in tasks + finishes {
            emit([e.name, e.job ?? "-", e.state, e.detail].joined(separator: "\t"))
        }
        let done = tasks.filter(\.isDone).count, merged = finishes.filter(\.isDone).count
        emit("\(done)/\(plan.tasks.count) tasks done, \(merged)/\(plan.inputs.count) outputs done")
    }
}

struct SlurmResume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Submit again only the tasks without a complete shard and the finishing jobs of outputs not yet written.")

    @Argument(help: "The cohort's --out folder (or its slurm/ plan folder).") var folder: String

    func run() throws {
        guard let s = try SlurmCohort(folder: SlurmCommand.planFolder(folder)).resume() else {
            return emit("nothing to resume: every task and output is done")
        }
        emit("resubmitted \(s.tasks.count) task\(s.tasks.count == 1 ? "" : "s") (\(s.tasks.map(String.init).joined(separator: ","))) as job array \(s.array ?? "-") "
             + "and \(s.finish.count) finishing job\(s.finish.count == 1 ? "" : "s")")
    }
}
