import Foundation
import MRIIO

/// The `--report run.json` of `mri-daps recon`: the software, every option, and per input file
/// what was done (mask, protocol, prior, normalisation scales) and how long each stage took.
public struct ReconReport: Sendable, Codable {
    /// One input file.
    public struct File: Sendable, Codable {
        public var input: String
        public var output: String
        public var method: String
        public var sliceStart: Int
        public var slices: Int
        public var outputShape: [Int]
        public var maskSource: String
        public var maskType: String
        public var sampledColumns: Int
        public var width: Int
        public var numLowFrequencies: Int
        public var effectiveAcceleration: Double
        /// DAPS only: the protocol after overrides.
        public var reconProtocol: ReconProtocol?
        /// DAPS only: how the protocol was chosen ("--protocol" or "auto: <anatomy> from <source>, R").
        public var protocolChoice: String?
        /// DAPS only: the prior.
        public var prior: LoadedPrior.Identity?
        /// DAPS only: how the prior was chosen ("--prior", "acquisition <name>", "protocol").
        public var priorChoice: String?
        /// DAPS only: the per-slice seeds and normalisation scales s (image = model units × s).
        public var seeds: [UInt64]?
        public var scales: [Float]?
        /// DAPS only: per slice, the k-space noise σ per real coordinate in input units (stated by
        /// the input or estimated from the k-space corners; null when neither) and the τ used.
        public var noiseStd: [Float?]?
        public var taus: [Float]?
        public var normalisationEstimate: String?
        /// DAPS only: network evaluations per slice (all draws together, batched).
        public var networkEvaluations: Int?
        public var timings: StageTimings
        public var seconds: Double

        enum CodingKeys: String, CodingKey {
            case input, output, method, slices, width, seeds, scales, timings, seconds, prior, taus
            case noiseStd = "noise_std"
            case sliceStart = "slice_start"
            case outputShape = "output_shape"
            case maskSource = "mask_source"
            case maskType = "mask_type"
            case sampledColumns = "sampled_columns"
            case numLowFrequencies = "num_low_frequency"
            case effectiveAcceleration = "effective_acceleration"
            case reconProtocol = "protocol"
            case protocolChoice = "protocol_choice"
            case priorChoice = "prior_choice"
            case normalisationEstimate = "normalisation_estimate"
            case networkEvaluations = "network_evaluations"
        }
    }

    public var software: String
    public var parameters: [String: String]
    public var files: [File]
    /// Stage timings summed over all files.
    public var timings: StageTimings

    public init(parameters: [String: String], files: [File]) {
        software = ReconPipeline.softwareVersion
        self.parameters = parameters
        self.files = files
        var t = StageTimings()
        for f in files { t.add(f.timings) }
        timings = t
    }

    /// Pretty JSON with sorted keys.
    public func json() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(self), as: UTF8.self)
    }

    /// Writes the JSON to `url` (temporary file + rename).
    /// Checks, before a run, that a report can be written to `url`: its folder, or the nearest
    /// existing ancestor that `write` creates it in, is a writable directory, and an existing
    /// file is replaced only with `overwrite` and only when it is a report mri-daps wrote (a JSON
    /// object whose `software` starts with "mri-daps").
    public static func checkDestination(_ url: URL, overwrite: Bool) throws {
        do { try OutputFolder.checkCreatable(url.standardizedFileURL.deletingLastPathComponent()) } catch MRIIOError.writeFailed(_, let reason) {
            throw PipelineError.invalidOption(name: "report", reason: "\(url.path): \(reason)")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else { return }
        if isDir.boolValue { throw PipelineError.invalidOption(name: "report", reason: "\(url.path) is a directory") }
        guard overwrite else { throw MRIIOError.exists(file: url.path) }
        let object = (try? Data(contentsOf: url)).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        guard let software = object?["software"] as? String, software.hasPrefix(OutputOwnership.softwarePrefix) else {
            throw MRIIOError.notOwned(file: url.path, item: url.path)
        }
    }

    public func write(to url: URL) throws {
        do {
            try TemporaryOutputs.createFolders(url.deletingLastPathComponent())
            try Data((try json() + "\n").utf8).write(to: url, options: .atomic)
        } catch {
            throw PipelineError.unusableInput(file: url.path, reason: "cannot write the report (\(error.localizedDescription))")
        }
    }
}
