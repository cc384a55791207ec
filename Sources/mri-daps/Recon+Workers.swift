import ArgumentParser
import Foundation
import MRIPipeline

extension Recon {
    /// `--jobs N`: the checked job planned as tasks (each input's slices split in N ranges at
    /// most), run by N worker processes in a scratch plan folder inside the output folder; each
    /// input is merged, exported and sent when its last task ends. The folder is removed after
    /// the run, and by the failure and signal paths.
    func runWorkers(job: ReconJob, plan: ReconJob.Plan, split: (workers: Int, threadsPerWorker: Int)) throws {
        guard CommandLine.arguments.dropFirst().first == "recon" else { throw ValidationError("--jobs: run as mri-daps recon … --jobs N") }
        let (workers, perWorker) = split
        let longest = plan.inputs.map(\.slices).max() ?? 1
        let cohort = CohortPlan(
            executable: CohortPlan.currentExecutable, workingDirectory: FileManager.default.currentDirectoryPath,
            command: ["recon"], arguments: Array(CommandLine.arguments.dropFirst(2)), inputs: plan.inputs, pipeline: job.pipeline,
            slicesPerTask: (longest + workers - 1) / workers, threadsPerTask: perWorker)
        let folder = job.outputDirectory.appendingPathComponent(".mri-daps-jobs-\(getpid())-\(UUID().uuidString.prefix(8))")
        try TemporaryOutputs.createFolders(job.outputDirectory)
        TemporaryOutputs.register(folder)
        defer {
            try? FileManager.default.removeItem(at: folder)
            TemporaryOutputs.forget(folder)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        var written = cohort
        try written.write(to: folder)
        status("\(cohort.tasks.count) tasks on \(workers) workers, \(perWorker) thread\(perWorker > 1 ? "s" : "") each"
               + (workers < jobs ? " (daps keeps 2 threads per worker)" : ""))
        try LocalCohort(plan: written, folder: folder, workers: workers).run(job: job, jobPlan: plan, events: { event in
            switch event {
            case .taskFinished(let i, let seconds):
                let t = cohort.tasks[i]
                status(String(format: "task %d/%d: %@ slices %d:%d, %.1f s", i + 1, cohort.tasks.count, files[t.input], t.sliceStart, t.sliceEnd, seconds))
            case .merged(let n, let m, let seconds):
                emit(String(format: "%@ → %@: %@, %d slices merged from %d tasks, %.1f s", files[n], m.output.path, method.rawValue,
                            m.slices, m.shards, seconds))
            }
        }) { event in try handle(event) }
    }
}
