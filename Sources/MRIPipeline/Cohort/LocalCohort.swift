import Cluster
import Foundation

/// `recon --jobs N`: a cohort plan run by N worker processes on this machine (each one task,
/// `mri-daps slurm task PLAN --index I`, with `threadsPerTask` threads), each input merged,
/// exported and delivered as soon as its last task ends.
public struct LocalCohort: Sendable {
    public var plan: CohortPlan
    /// The scratch plan folder (shards, logs).
    public var folder: URL
    public var workers: Int

    public init(plan: CohortPlan, folder: URL, workers: Int) {
        self.plan = plan
        self.folder = folder
        self.workers = workers
    }

    /// How `--jobs N` splits `threads` cores: N workers with threads / N each, except that a
    /// run with the prior keeps at least two threads per worker (the denoiser runs its batch on
    /// two network copies; two one-thread DAPS workers on 2 cores were 1.3× slower than one
    /// two-thread run, docs/scaling.md), so it may get fewer workers than asked for.
    public static func split(jobs: Int, threads: Int, usesPrior: Bool) -> (workers: Int, threadsPerWorker: Int) {
        let workers = usesPrior ? max(1, min(jobs, threads / 2)) : max(1, jobs)
        return (workers, max(1, threads / workers))
    }

    /// What the run reports as it goes.
    public enum Event: Sendable {
        /// Task `index` ended with a complete shard.
        case taskFinished(index: Int, seconds: Double)
        /// Input `index`'s shards became its output.
        case merged(index: Int, ShardMerge.Summary, seconds: Double)
    }

    /// Runs every task, then per input the merge and `job.publish`; `job` is the checked job of
    /// the whole run (its `plan`). Writes the job's report (one entry per task) when it has one.
    public func run(job: ReconJob, jobPlan: ReconJob.Plan, events: (Event) throws -> Void,
                    handle: (ReconJob.Event) throws -> Void) throws {
        let started = Date()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let jobs = plan.tasks.indices.map { i in
            WorkerPool.Job(executable: plan.executable, arguments: ["slurm", "task", folder.path, "--index", String(i)],
                           log: folder.appendingPathComponent("logs/task-\(i).out"),
                           name: "task \(i) (\(plan.inputs[plan.tasks[i].input].path), slices \(plan.tasks[i].sliceStart):\(plan.tasks[i].sliceEnd))")
        }
        var left = plan.inputs.indices.map { plan.tasks(ofInput: $0).count }
        do {
            try runTasks(jobs, left: &left, started: started, job: job, jobPlan: jobPlan, events: events, handle: handle)
        } catch ClusterError.commandFailed(let name, let status, let message) {
            // The worker's own one-line error, without its "mri-daps: error: " prefix.
            let reason = message.hasPrefix("mri-daps: error: ") ? String(message.dropFirst(17)) : message
            throw PipelineError.invalidOption(name: "jobs", reason: "\(name) failed (exit \(status)): \(reason)")
        }
        if let report = job.report {
            try ReconReport(parameters: job.pipeline.options.parameters, files: try taskReports()).write(to: report)
        }
    }

    func runTasks(_ jobs: [WorkerPool.Job], left: inout [Int], started: Date, job: ReconJob, jobPlan: ReconJob.Plan,
                  events: (Event) throws -> Void, handle: (ReconJob.Event) throws -> Void) throws {
        try WorkerPool(workers: workers).run(jobs) { i, seconds in
            try events(.taskFinished(index: i, seconds: seconds))
            let n = plan.tasks[i].input
            left[n] -= 1
            guard left[n] == 0 else { return }
            let merged = try CohortFinish.merge(input: n, plan: plan, folder: folder)
            try events(.merged(index: n, merged, seconds: Date().timeIntervalSince(started)))
            try job.publish(index: n, reconstruction: merged.output, plan: jobPlan, handle: handle)
        }
    }

    /// Every task's report entry, its output renamed to the merged output.
    func taskReports() throws -> [ReconReport.File] {
        try plan.tasks.indices.flatMap { i -> [ReconReport.File] in
            let url = plan.shardFolder(i, in: folder).appendingPathComponent(CohortPlan.taskReportName)
            var files = try JSONDecoder().decode(ReconReport.self, from: Data(contentsOf: url)).files
            for k in files.indices { files[k].output = plan.inputs[plan.tasks[i].input].output }
            return files
        }
    }

    /// Ends every running worker (for the command's signal handler).
    public static func terminateWorkers() { WorkerPool.terminateAll() }
}
