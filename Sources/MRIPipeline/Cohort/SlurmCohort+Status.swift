import Cluster
import Foundation

extension SlurmCohort {
    /// How one task or finishing job stands.
    public struct Entry: Sendable, Equatable {
        /// "task I" or "finish N".
        public var name: String
        /// Its latest Slurm job id ("1234_5"), if it was submitted.
        public var job: String?
        /// done (its output is present and complete), else the queue's state (PENDING, RUNNING,
        /// …), else the accounting's final state (FAILED, CANCELLED, TIMEOUT, …), else "missing"
        /// (it ended, or never ran, without leaving its output).
        public var state: String
        public var detail: String
        public var isDone: Bool { state == "done" }
        public var isQueued: Bool { ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED"].contains(state) }
    }

    /// The state of every task and finishing job of the plan in the folder.
    public func status() throws -> (plan: CohortPlan, tasks: [Entry], finishes: [Entry]) {
        let plan = try CohortPlan.read(from: folder)
        let subs = try submissions()
        var taskJob = [Int: String](), finishJob = [Int: String]()
        for s in subs {
            if let a = s.array { for t in s.tasks { taskJob[t] = "\(a)_\(t)" } }
            for (n, id) in s.finish { if let n = Int(n) { finishJob[n] = id } }
        }
        let ids = Set(subs.flatMap { [$0.array].compactMap { $0 } + Array($0.finish.values) })
        let queue = ids.isEmpty ? [:] : try slurm.queue(jobs: Array(ids))
        let accounting = slurm.accounting(jobs: Array(ids)) ?? [:]
        func state(job: String?, done: Bool) -> String {
            if done { return "done" }
            guard let job else { return "missing" }
            // A pending array is listed as "1234_[3-5]" until its elements start.
            if let q = queue[job] ?? pendingArrayState(job, queue) { return q }
            return accounting[job]?.state ?? "missing"
        }
        let tasks = plan.tasks.indices.map { i in
            let t = plan.tasks[i]
            return Entry(name: "task \(i)", job: taskJob[i], state: state(job: taskJob[i], done: plan.isDone(i, in: folder)),
                         detail: "\(plan.inputs[t.input].path) slices \(t.sliceStart):\(t.sliceEnd)")
        }
        let finishes = plan.inputs.indices.map { n in
            let out = URL(fileURLWithPath: plan.inputs[n].output)
            let done = (try? ShardMerge.read(out)).map { $0.start == plan.inputs[n].sliceStart && $0.count == plan.inputs[n].sliceEnd - plan.inputs[n].sliceStart } ?? false
            return Entry(name: "finish \(n)", job: finishJob[n], state: state(job: finishJob[n], done: done), detail: out.path)
        }
        return (plan, tasks, finishes)
    }

    /// The state of a pending array's line ("1234_[3-5%2]") that holds element `job` ("1234_4").
    func pendingArrayState(_ job: String, _ queue: [String: String]) -> String? {
        let parts = job.split(separator: "_")
        guard parts.count == 2, let k = Int(parts[1]) else { return nil }
        for (id, state) in queue where id.hasPrefix(parts[0] + "_[") {
            let spec = id.dropFirst(parts[0].count + 2).prefix { $0 != "]" && $0 != "%" }
            for r in spec.split(separator: ",") {
                let b = r.split(separator: "-").compactMap { Int($0) }
                if b.count == 1 && b[0] == k || b.count == 2 && (b[0]...b[1]).contains(k) { return state }
            }
        }
        return nil
    }

    /// Submits again the tasks without a complete shard and the finishing jobs of inputs without
    /// their output; refuses while any job of the plan is still queued or running. Returns nil
    /// when everything is done.
    public func resume() throws -> Submission? {
        try slurm.checkAvailable()
        let (plan, tasks, finishes) = try status()
        if let busy = (tasks + finishes).first(where: \.isQueued) {
            throw PipelineError.invalidOption(
                name: "resume", reason: "\(busy.name) (job \(busy.job ?? "?")) is still \(busy.state); wait for the run to end or scancel it first")
        }
        let redo = tasks.indices.filter { !tasks[$0].isDone }
        let inputs = finishes.indices.filter { !finishes[$0].isDone }
        guard !redo.isEmpty || !inputs.isEmpty else { return nil }
        for i in redo { try? FileManager.default.removeItem(at: plan.shardFolder(i, in: folder)) }
        return try submit(plan, tasks: redo, inputs: inputs)
    }
}
