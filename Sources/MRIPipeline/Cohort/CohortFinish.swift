import Foundation

/// The finishing step of one input of a cohort: its shards merged (`ShardMerge`) into the output
/// a single `recon` writes, once every one of its tasks has left a complete shard. Its DICOM
/// study and delivery follow through `ReconJob.publish`.
public enum CohortFinish {
    /// Merges input `n`'s shards into its output (an earlier output written by mri-daps is
    /// replaced: the plan's preflight checked it when the run was planned).
    public static func merge(input n: Int, plan: CohortPlan, folder: URL) throws -> ShardMerge.Summary {
        let tasks = plan.tasks(ofInput: n)
        let missing = tasks.filter { !plan.isDone($0, in: folder) }
        guard missing.isEmpty else {
            throw PipelineError.unusableInput(
                file: plan.inputs[n].path,
                reason: "task\(missing.count > 1 ? "s" : "") \(missing.map(String.init).joined(separator: ", ")) left no complete shard in \(folder.path)/shards; nothing merged (mri-daps slurm resume runs them again)")
        }
        return try ShardMerge.merge(tasks.map { plan.shardFile($0, in: folder) }, into: URL(fileURLWithPath: plan.inputs[n].output),
                                    overwrite: true)
    }
}
