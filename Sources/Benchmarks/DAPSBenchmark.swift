import DAPS
import Foundation
import MRIAcquisition
import MRIIO
import MRIPipeline
import MRICore
import NeuralPrior

/// `mri-daps bench daps`: the speed of one DAPS slice through the pipeline `recon` runs, on the
/// geometry users have. The slice is read from a fastMRI-layout file — a given one, a built-in
/// fastMRI-knee-like one (640×368, 15 coils, 2× readout oversampling, 4× random mask with 8 %
/// centre: the default), or the square synthetic slice of earlier figures — then prepared
/// exactly as by `recon` (`ReconPipeline.prepareDAPSSlice`: mask, readout oversampling, the
/// protocol's coil compression, coil maps, normalisation), and sampled with 1 draw and with
/// `batchDraws` draws batched (nil: the protocol's `samples`), each split into network, operator (A, Aᴴ, AᴴA, Aᴴε) and the rest
/// of the conditional step (Langevin / CG vector arithmetic), plus the peak resident memory.
public enum DAPSBenchmark {
    /// Where the slice comes from.
    public enum Input: Sendable {
        /// fastMRI knee geometry: 640×368 k-space, 15 coils, 2× readout oversampling (a
        /// 320×368 image, 320×320 target), acquisition CORPD_FBK.
        case fastMRIKnee
        /// A square `size`² slice without oversampling (the synthetic case of earlier figures).
        case synthetic(size: Int, coils: Int)
        /// Slice `slice` of a fastMRI-layout file (nil: the middle slice).
        case file(URL, slice: Int?)
    }

    /// One sampler run.
    public struct Run: Sendable, Codable {
        public var draws: Int
        public var seconds: Double
        public var secondsPerDraw: Double
        public var network: Double
        public var conditional: Double
        /// Time inside the SENSE operator (part of `conditional`), summed over calls; the draws'
        /// conditional steps run concurrently, so with several draws this is thread time.
        public var operatorSeconds: Double
        public var operatorCalls: Int
        public var networkEvaluations: Int

        enum CodingKeys: String, CodingKey {
            case draws, seconds, network, conditional
            case secondsPerDraw = "seconds_per_draw"
            case operatorSeconds = "operator_seconds"
            case operatorCalls = "operator_calls"
            case networkEvaluations = "network_evaluations"
        }
    }

    public struct Report: Sendable, Codable {
        /// The input (file path or built-in case) and its raw slice shape.
        public var input: String
        public var rawCoils: Int, rawHeight: Int, width: Int
        /// Rows of the image the sampler works on (after readout oversampling removal).
        public var height: Int
        public var sampledColumns: Int
        public var protocolName: String
        public var dapsConfiguration: String
        public var prior: String
        public var priorConfiguration: String
        public var threads: Int
        /// OpenBLAS's kernels in this process (`BLAS.coreName`) and the 3×3 convolution's
        /// instruction set ("avx512", "avx2" or "im2col").
        public var blasKernels: String
        public var convolutionKernel: String
        /// Coils the sampler ran with (after the protocol's compression).
        public var virtualCoils: Int
        /// `recon --report`'s stages before the sampler: preprocess (mask, readout
        /// oversampling, coil compression), coil maps, normalisation estimate.
        public var preprocessSeconds: Double
        public var mapsSeconds: Double
        public var mapsMethod: String
        public var normalisationSeconds: Double
        public var single: Run
        public var batched: Run
        public var peakRSSMB: Double?

        enum CodingKeys: String, CodingKey {
            case input, width, height, prior, threads, single, batched
            case blasKernels = "blas_kernels"
            case convolutionKernel = "convolution_kernel"
            case rawCoils = "raw_coils"
            case rawHeight = "raw_height"
            case sampledColumns = "sampled_columns"
            case protocolName = "protocol"
            case dapsConfiguration = "daps_configuration"
            case priorConfiguration = "prior_configuration"
            case preprocessSeconds = "preprocess_seconds"
            case mapsSeconds = "maps_seconds"
            case mapsMethod = "maps_method"
            case normalisationSeconds = "normalisation_seconds"
            case virtualCoils = "virtual_coils"
            case peakRSSMB = "peak_rss_mb"
        }
    }

    /// Runs the benchmark on `input` with `prior` (nil: the default architecture with random
    /// weights, `PriorBenchmark.defaultConfigurationJSON`) and protocol `protocolName` (name or
    /// path). `mask` generates the mask of a file without one (the built-in cases: 4× random,
    /// 8 % centre, seed 0); `virtualCoils` replaces the protocol's `virtual_coils`.
    public static func run(input: Input = .fastMRIKnee, prior: String?, protocolName: String = "knee-4x",
                           overrides: ReconProtocol.Overrides = .init(),
                           mask: MaskPlan = MaskPlan(acceleration: 4, kind: .random, centerFraction: 0.08),
                           batchDraws: Int? = nil, virtualCoils: Int? = nil, compute: ComputeSettings = .machine,
                           log: (String) -> Void = { _ in }) throws -> Report {
        let (url, requestedSlice, cleanup) = try source(input)
        defer { cleanup() }
        let file = try FastMRIFile(contentsOf: url)
        defer { file.close() }
        let info = file.info
        let sliceIndex = requestedSlice ?? info.slices / 2
        guard (0..<info.slices).contains(sliceIndex) else {
            throw PipelineError.invalidOption(name: "slice", reason: "\(url.path) has \(info.slices) slices (got \(sliceIndex))")
        }
        var options = ReconOptions()
        options.virtualCoils = virtualCoils
        options.compute = compute
        let pipeline = ReconPipeline(options: options)
        let sampling = try ReconPipeline.sampling(info: info, plan: mask, fileName: url.lastPathComponent)
        let geometry = ReconPipeline.geometry(info: info)
        let setup = ReconPipeline.DAPSSetup(
            reconProtocol: try ReconProtocol.load(protocolName).applying(overrides), protocolChoice: protocolName,
            prior: try loadPrior(prior, compute: compute), priorChoice: prior ?? "default", seed: 1)
        let raw = try file.readSlice(sliceIndex)
        var timings = StageTimings(), mapsUsed: [String] = []
        let problem = try pipeline.prepareDAPSSlice(raw, sampling: sampling, geometry: geometry, setup: setup,
                                                    timings: &timings, mapsUsed: &mapsUsed)
        let mapsMethod = mapsUsed.first ?? options.coilMaps(for: setup.reconProtocol).rawValue
        log(String(format: "preprocess %.2f s, coil maps (%@) %.2f s, normalisation %.2f s", timings.preprocess,
                   mapsMethod as NSString, timings.maps, timings.normalisation))
        let op = TimedOperator(problem.sense)
        let sampler = try DAPSSampler(denoiser: setup.samplerDenoiser, operator: op, configuration: setup.reconProtocol.daps)
        func measure(_ draws: Int) throws -> Run {
            op.reset()
            let start = Date()
            let r = try sampler.sample(measurements: problem.measurements, draws: draws, seed: 1, progress: nil)
            let seconds = Date().timeIntervalSince(start)
            let run = Run(draws: draws, seconds: seconds, secondsPerDraw: seconds / Double(draws), network: r.timings.network,
                          conditional: r.timings.conditional, operatorSeconds: op.seconds, operatorCalls: op.calls,
                          networkEvaluations: r.networkEvaluations)
            log(String(format: "%d draw(s): %.1f s (network %.1f s, conditional %.1f s of which operator %.1f s)",
                       draws, seconds, run.network, run.conditional, run.operatorSeconds))
            return run
        }
        let single = try measure(1)
        let batched = try measure(batchDraws ?? setup.reconProtocol.samples)
        let s = info.sliceShape
        return Report(input: describe(input), rawCoils: s.coils, rawHeight: s.height, width: s.width,
                      height: problem.sense.height, sampledColumns: sampling.sampledColumns,
                      protocolName: setup.reconProtocol.name,
                      dapsConfiguration: ReconPipeline.DAPSSetup.json(setup.reconProtocol.daps),
                      prior: setup.prior.identity.name, priorConfiguration: setup.prior.identity.configuration,
                      threads: compute.threads, blasKernels: BLAS.coreName,
                      convolutionKernel: Convolution.directKernelInstructionSet(compute), virtualCoils: problem.sense.coils,
                      preprocessSeconds: timings.preprocess, mapsSeconds: timings.maps, mapsMethod: mapsMethod,
                      normalisationSeconds: timings.normalisation, single: single, batched: batched,
                      peakRSSMB: UNetBenchmark.peakResidentBytes().map { Double($0) / 1e6 })
    }

    /// The file and slice to read, and what removes a generated file afterwards.
    static func source(_ input: Input) throws -> (URL, Int?, () -> Void) {
        switch input {
        case .file(let url, let slice):
            return (url, slice, {})
        case .fastMRIKnee, .synthetic:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mri-daps-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let url = dir.appendingPathComponent("slice.h5")
            if case .synthetic(let size, let coils) = input {
                try SyntheticScan.writeFile(to: url, height: size, width: size, coils: coils, readoutOversampling: 1,
                                            targetWidth: size, acquisition: "CORPD_FBK")
            } else {
                try SyntheticScan.writeFile(to: url, height: 640, width: 368, coils: 15, readoutOversampling: 2,
                                            targetWidth: 320, acquisition: "CORPD_FBK")
            }
            return (url, 0, { try? FileManager.default.removeItem(at: dir) })
        }
    }

    static func describe(_ input: Input) -> String {
        switch input {
        case .fastMRIKnee: return "built-in fastMRI knee geometry (640×368, 15 coils, 2× readout oversampling)"
        case .synthetic(let size, let coils): return "synthetic \(size)×\(size), \(coils) coils"
        case .file(let url, let slice): return "\(url.path), slice \(slice.map(String.init) ?? "middle")"
        }
    }

    /// `prior` loaded (name or path), or the default architecture with random weights.
    static func loadPrior(_ prior: String?, compute: ComputeSettings) throws -> LoadedPrior {
        if let prior { return try LoadedPrior(prior, compute: compute) }
        let cfg = try UNetConfiguration.decode(json: PriorBenchmark.defaultConfigurationJSON)
        let net = try UNet.random(configuration: cfg, seed: 0, compute: compute)
        return try LoadedPrior(network: net, identity: .init(
            name: "default architecture, random weights", requested: "default", path: "", sha256: "", card: "{}",
            configuration: cfg.jsonString()))
    }
}
