import Foundation
import MRIIO

/// Everything `recon` can check before the first slice of its first input, so that a typo or an
/// impossible request costs seconds, not a reconstruction, and leaves nothing behind: the options,
/// each input (layout, attributes, mask, slice range), the protocol and the prior, the output
/// folder (writable), each output file (not an input, not another input's output, replaceable:
/// `OutputOwnership`), the memory one slice needs (`ResourceEstimate`) against what is available
/// or `memoryLimit`, and the disk space of all outputs.
public struct ReconPreflight: Sendable {
    /// One input as it will run.
    public struct Planned: Sendable {
        public var input: URL
        public var output: URL
        /// The slices the run reconstructs (`--slices`, else all).
        public var sliceRange: Range<Int>
        public var slices: Int { sliceRange.count }
        /// Estimated peak memory of the run (bytes).
        public var memoryBytes: Int
        /// Size of the output file (bytes).
        public var outputBytes: Int
    }

    public var pipeline: ReconPipeline
    /// Memory the run may use (bytes); nil: what the system has available now.
    public var memoryLimit: Int?

    public init(pipeline: ReconPipeline, memoryLimit: Int? = nil) {
        self.pipeline = pipeline
        self.memoryLimit = memoryLimit
    }

    /// Checks every input and output; throws the first problem as a one-line error.
    public func check(inputs: [URL], outputDirectory: URL) throws -> [Planned] {
        let options = pipeline.options
        try options.validate()
        try Self.checkOutputFolder(outputDirectory)
        let outputs = inputs.map { pipeline.outputURL(for: $0, in: outputDirectory).standardizedFileURL }
        for (i, o) in outputs.enumerated() {
            if let j = outputs[..<i].firstIndex(of: o) {
                throw PipelineError.invalidOption(
                    name: "out", reason: "inputs \(inputs[j].path) and \(inputs[i].path) would both write \(o.path); rename one or run them separately")
            }
        }
        let resolvedInputs = Set(inputs.map { OutputOwnership.resolvedPath($0) })
        var planned = [Planned]()
        for (input, output) in zip(inputs, outputs) {
            if resolvedInputs.contains(OutputOwnership.resolvedPath(output)) {
                throw PipelineError.invalidOption(name: "out", reason: "\(output.path) is an input of this run; choose another --out folder")
            }
            planned.append(try plan(input, output: output))
        }
        let limit = memoryLimit ?? SystemResources.availableMemory()
        if let limit, let worst = planned.max(by: { $0.memoryBytes < $1.memoryBytes }), worst.memoryBytes > limit {
            throw PipelineError.unusableInput(
                file: worst.input.path,
                reason: "needs about \(SystemResources.format(worst.memoryBytes)) of memory, \(SystemResources.format(limit)) available (--memory-limit)")
        }
        let total = planned.reduce(0) { $0 + $1.outputBytes }
        if let free = SystemResources.freeDiskSpace(at: outputDirectory), total > free {
            throw PipelineError.invalidOption(
                name: "out", reason: "\(outputDirectory.path): the outputs need \(SystemResources.format(total)), \(SystemResources.format(free)) free")
        }
        return planned
    }

    /// Opens `input` and checks what its run will need.
    func plan(_ input: URL, output: URL) throws -> Planned {
        let options = pipeline.options
        let file = try FastMRIFile(contentsOf: try pipeline.readable(input))
        defer { file.close() }
        let info = file.info
        let range = try pipeline.slices(of: info)
        let sampling = try ReconPipeline.sampling(info: info, plan: options.mask, fileName: input.lastPathComponent)
        let geometry = ReconPipeline.geometry(info: info)
        let setup = options.method == .daps ? try pipeline.dapsSetup(info: info, sampling: sampling) : nil
        try ReconstructionWriter.checkDestination(output, overwrite: options.overwrite)
        let draws = setup?.reconProtocol.samples ?? 0
        let estimate = ResourceEstimate(
            slice: info.sliceShape, geometry: geometry, method: options.method,
            virtualCoils: options.virtualCoils(for: setup?.reconProtocol), draws: draws, lanes: options.compute.lanes,
            coilMaps: options.coilMaps(for: setup?.reconProtocol))
        let perSlice = geometry.outputHeight * geometry.outputWidth * 4 * (setup == nil ? 1 : 3 + (options.saveSamples ? draws : 0))
        return Planned(input: input, output: output, sliceRange: range, memoryBytes: estimate.peakBytes,
                       outputBytes: range.count * perSlice + (1 << 20))
    }

    /// The output folder exists as a writable directory, or its nearest existing ancestor is one
    /// (the run creates it).
    static func checkOutputFolder(_ folder: URL) throws {
        do { try OutputFolder.checkCreatable(folder) } catch MRIIOError.writeFailed(_, let reason) {
            throw PipelineError.invalidOption(name: "out", reason: "\(folder.path): \(reason)")
        }
    }
}
