import Crypto
import Foundation
import MRIIO

/// The plan of a cohort run — inputs × slice ranges as tasks — written as `plan.json` into a
/// plan folder so that the run describes itself: `slurm submit` writes it beside its batch
/// scripts, `recon --jobs N` into a scratch folder. Every task runs `recon` with the options of
/// the command that made the plan (`arguments`, parsed again by the task) on one input's slice
/// range, into its own shard folder; a finishing step merges an input's shards (`ShardMerge`)
/// into the output a single `recon` writes.
///
/// The plan carries a SHA-256 digest of itself and of the scripts beside it: a plan folder
/// edited by hand is refused, not run.
public struct CohortPlan: Codable, Sendable, Equatable {
    /// One input and the output its merged shards become.
    public struct Input: Codable, Sendable, Equatable {
        /// Absolute path of the input.
        public var path: String
        /// Absolute path of the final output.
        public var output: String
        /// File name of each shard (recon's output name inside a shard folder).
        public var shardName: String
        public var sliceStart: Int
        public var sliceEnd: Int
    }

    /// One task: a slice range of one input.
    public struct Task: Codable, Sendable, Equatable {
        public var input: Int
        public var sliceStart: Int
        public var sliceEnd: Int
        public var slices: Range<Int> { sliceStart..<sliceEnd }
    }

    /// Slurm resources of the tasks (nil fields: the cluster's defaults).
    public struct SlurmSettings: Codable, Sendable, Equatable {
        public var partition: String?
        public var time: String?
        public var cpusPerTask: Int
        public var memory: String?
        public var arrayLimit: Int?
        public init(partition: String? = nil, time: String? = nil, cpusPerTask: Int = 1, memory: String? = nil, arrayLimit: Int? = nil) {
            self.partition = partition
            self.time = time
            self.cpusPerTask = cpusPerTask
            self.memory = memory
            self.arrayLimit = arrayLimit
        }
    }

    public static let format = "mri-daps cohort plan 1"
    public static let fileName = "plan.json"
    /// The report (`recon --report`) each task writes into its shard folder.
    public static let taskReportName = "report.json"

    public var format = CohortPlan.format
    public var software = ReconPipeline.softwareVersion
    /// The mri-daps executable the tasks run (absolute).
    public var executable: String
    /// The folder the command ran in; tasks run there, so relative paths in `arguments` resolve alike.
    public var workingDirectory: String
    /// The subcommand that set the options (`["recon"]` or `["slurm", "submit"]`) and its arguments.
    public var command: [String]
    public var arguments: [String]
    public var inputs: [Input]
    public var tasks: [Task]
    /// Threads of each task (`--threads`).
    public var threadsPerTask: Int
    public var slurm: SlurmSettings?
    /// SHA-256 of each script file in the plan folder, by name.
    public var scripts: [String: String] = [:]
    /// SHA-256 of this plan with `digest` empty.
    public var digest = ""

    /// Plans `inputs` (with the slice range each will run) in tasks of at most `slicesPerTask` slices.
    public init(executable: String, workingDirectory: String, command: [String], arguments: [String],
                inputs: [ReconPreflight.Planned], pipeline: ReconPipeline, slicesPerTask: Int, threadsPerTask: Int) {
        self.executable = executable
        self.workingDirectory = workingDirectory
        self.command = command
        self.arguments = arguments
        self.threadsPerTask = threadsPerTask
        var named = pipeline.options
        named.outputNamedByMethod = false  // a task writes into its shard folder (--out)
        let taskPipeline = ReconPipeline(options: named)
        self.inputs = inputs.map {
            Input(path: $0.input.standardizedFileURL.path, output: $0.output.standardizedFileURL.path,
                  shardName: taskPipeline.outputURL(for: $0.input, in: URL(fileURLWithPath: "/")).lastPathComponent,
                  sliceStart: $0.sliceRange.lowerBound, sliceEnd: $0.sliceRange.upperBound)
        }
        let k = max(1, slicesPerTask)
        tasks = self.inputs.enumerated().flatMap { n, input in
            stride(from: input.sliceStart, to: input.sliceEnd, by: k).map {
                Task(input: n, sliceStart: $0, sliceEnd: min($0 + k, input.sliceEnd))
            }
        }
    }

    /// This process's executable (what the tasks run).
    public static var currentExecutable: String {
        let link = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        return link == "/proc/self/exe" ? (Bundle.main.executablePath ?? CommandLine.arguments[0]) : link
    }

    // MARK: Folder layout

    /// The shard folder of task `index` inside `folder`.
    public func shardFolder(_ index: Int, in folder: URL) -> URL {
        folder.appendingPathComponent("shards").appendingPathComponent(String(index))
    }

    /// The shard file task `index` writes.
    public func shardFile(_ index: Int, in folder: URL) -> URL {
        shardFolder(index, in: folder).appendingPathComponent(inputs[tasks[index].input].shardName)
    }

    /// The tasks of input `n`.
    public func tasks(ofInput n: Int) -> [Int] { tasks.indices.filter { tasks[$0].input == n } }

    /// Whether task `index` has left a complete shard: a reconstruction written by mri-daps of
    /// exactly its slices (a killed task leaves only a hidden temporary file).
    public func isDone(_ index: Int, in folder: URL) -> Bool {
        guard let shard = try? ShardMerge.read(shardFile(index, in: folder)) else { return false }
        return shard.start == tasks[index].sliceStart && shard.count == tasks[index].slices.count
    }

    // MARK: Reading and writing

    /// Records the SHA-256 of each script (already written into `folder`), computes the digest,
    /// and writes `plan.json` (atomically).
    public mutating func write(to folder: URL, scripts names: [String] = []) throws {
        scripts = [:]
        for name in names { scripts[name] = try Self.sha256(of: folder.appendingPathComponent(name)) }
        digest = ""
        digest = Self.sha256(try Self.encoded(self))
        try Self.encoded(self).write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// Reads and verifies the plan in `folder`: its format, digest and scripts.
    public static func read(from folder: URL) throws -> CohortPlan {
        let file = folder.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: file) else {
            throw PipelineError.unusableInput(file: file.path, reason: "cannot be read (is \(folder.path) a plan folder written by mri-daps slurm submit?)")
        }
        guard var plan = try? JSONDecoder().decode(CohortPlan.self, from: data), plan.format == format else {
            throw PipelineError.unusableInput(file: file.path, reason: "is not a plan of this mri-daps (\(format))")
        }
        let recorded = plan.digest
        plan.digest = ""
        guard recorded == sha256(try encoded(plan)) else {
            throw PipelineError.unusableInput(file: file.path, reason: "was edited after it was written (its digest does not match); plan the run again into a new folder")
        }
        plan.digest = recorded
        for (name, hash) in plan.scripts.sorted(by: { $0.key < $1.key }) {
            let script = folder.appendingPathComponent(name)
            guard (try? sha256(of: script)) == hash else {
                throw PipelineError.unusableInput(file: script.path, reason: "was edited or removed after the plan was written; plan the run again into a new folder")
            }
        }
        return plan
    }

    static func encoded(_ plan: CohortPlan) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try e.encode(plan)
    }

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    static func sha256(of file: URL) throws -> String { sha256(try Data(contentsOf: file)) }
}
