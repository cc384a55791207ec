import ArgumentParser
import Foundation
import MRIPipeline

/// The recon command line a plan was made with, parsed again.
func plannedRecon(_ plan: CohortPlan) throws -> Recon {
    switch plan.command {
    case ["recon"]: return try Recon.parse(plan.arguments)
    case ["slurm", "submit"]: return try SlurmSubmit.parse(plan.arguments).recon
    default: throw ValidationError("plan.json: unknown command \(plan.command.joined(separator: " "))")
    }
}

struct SlurmTask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Run one task of a plan: recon of one slice range of one input into its shard folder (what tasks.sbatch and recon --jobs run).")

    @Argument(help: "The plan folder.") var folder: String
    @Option(help: "Task index (default: $SLURM_ARRAY_TASK_ID).") var index: Int?
    @Option(help: "Threads (default: the plan's threads per task).") var threads: Int?

    func run() throws {
        let dir = URL(fileURLWithPath: folder).standardizedFileURL
        let plan = try CohortPlan.read(from: dir)
        guard let i = index ?? ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"].flatMap({ Int($0) }) else {
            throw ValidationError("--index is required outside a Slurm array task")
        }
        guard plan.tasks.indices.contains(i) else { throw ValidationError("--index \(i): the plan has tasks 0..<\(plan.tasks.count)") }
        let t = plan.tasks[i], shards = plan.shardFolder(i, in: dir)
        var recon = try plannedRecon(plan)
        recon.files = [plan.inputs[t.input].path]
        recon.slices = "\(t.sliceStart):\(t.sliceEnd)"
        recon.out = shards.path
        recon.report = shards.appendingPathComponent(CohortPlan.taskReportName).path
        (recon.dicom, recon.send, recon.preview, recon.force, recon.jobs) = (nil, nil, nil, true, 1)
        recon.compute.threads = threads ?? plan.threadsPerTask
        try? FileManager.default.removeItem(at: shards)  // an earlier attempt's leftovers
        try recon.execute()  // the input was probed when the plan was made
    }
}

struct SlurmFinish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finish",
        abstract: "Merge one input's shards into its output, then write and send its DICOM study when planned (what finish.sbatch runs).")

    @Argument(help: "The plan folder.") var folder: String
    @Option(help: "Input index in the plan.") var input: Int

    func run() throws {
        let dir = URL(fileURLWithPath: folder).standardizedFileURL
        let plan = try CohortPlan.read(from: dir)
        guard plan.inputs.indices.contains(input) else { throw ValidationError("--input \(input): the plan has inputs 0..<\(plan.inputs.count)") }
        var recon = try plannedRecon(plan)
        recon.files = plan.inputs.map(\.path)
        recon.report = nil
        // Idempotent: a finishing job run again (resume, or by hand) replaces the output, study and
        // previews its earlier attempt wrote (submit checked those folders were new or --force).
        recon.force = true
        let job = try recon.makeJob()
        defer { job.pipeline.removeConversions() }
        let merged = try CohortFinish.merge(input: input, plan: plan, folder: dir)
        emit("\(plan.inputs[input].path) → \(merged.output.path): \(merged.slices) slices merged from \(merged.shards) shards")
        try job.publish(index: input, reconstruction: merged.output, plan: try job.studyPlan()) { try recon.handle($0) }
    }
}
