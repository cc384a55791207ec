import DAPS
import Foundation
import MRIPipeline
import MRIAcquisition
import MRICore
import NeuralPrior

/// `mri-daps bench daps`: the speed of one DAPS slice with a protocol (default the fast
/// `knee-4x`) on the synthetic 320×320, 15-coil slice of `SyntheticScan` (4× random mask, 8 %
/// centre, as `Benchmark`): the protocol's coil compression (`virtual_coils`, SVD), coil maps
/// (`AutoCoilMaps`, ESPIRiT), the normalisation estimate, then
/// the sampler with 1 draw and with `batchDraws` draws batched, each split into network,
/// operator (FFT + coil maps: A, Aᴴ, AᴴA) and the rest of the conditional step (Langevin / CG
/// vector arithmetic), plus the process's peak resident memory.
public enum DAPSBenchmark {
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
        public var height: Int, width: Int, coils: Int
        public var protocolName: String
        public var dapsConfiguration: String
        public var prior: String
        public var priorConfiguration: String
        public var threads: Int
        /// Coils the sampler ran with (after the protocol's compression) and the compression time.
        public var virtualCoils: Int
        public var compressionSeconds: Double
        /// Coil maps (`AutoCoilMaps`: ESPIRiT first) and the method used.
        public var mapsSeconds: Double
        public var mapsMethod: String
        public var normalisationSeconds: Double
        public var single: Run
        public var batched: Run
        public var peakRSSMB: Double?

        enum CodingKeys: String, CodingKey {
            case height, width, coils, prior, threads, single, batched
            case protocolName = "protocol"
            case dapsConfiguration = "daps_configuration"
            case priorConfiguration = "prior_configuration"
            case mapsSeconds = "maps_seconds"
            case mapsMethod = "maps_method"
            case normalisationSeconds = "normalisation_seconds"
            case virtualCoils = "virtual_coils"
            case compressionSeconds = "compression_seconds"
            case peakRSSMB = "peak_rss_mb"
        }
    }

    /// Runs the benchmark with `prior` (nil: the default architecture with random weights,
    /// `PriorBenchmark.defaultConfigurationJSON`) and protocol `protocolName` (name or path);
    /// `virtualCoils` replaces the protocol's `virtual_coils` (≥ `coils`: no compression).
    public static func run(prior: String?, protocolName: String = "knee-4x", overrides: ReconProtocol.Overrides = .init(),
                           height: Int = 320, width: Int = 320, coils: Int = 15, batchDraws: Int = 4,
                           virtualCoils: Int? = nil, compute: ComputeSettings = .machine,
                           log: (String) -> Void = { _ in }) throws -> Report {
        let p = try ReconProtocol.load(protocolName).applying(overrides)
        let loaded: LoadedPrior
        if let prior {
            loaded = try LoadedPrior(prior, compute: compute)
        } else {
            let cfg = try UNetConfiguration.decode(json: PriorBenchmark.defaultConfigurationJSON)
            let net = try UNet.random(configuration: cfg, seed: 0, compute: compute)
            loaded = try LoadedPrior(network: net, identity: .init(
                name: "default architecture, random weights", requested: "default", path: "", sha256: "", card: "{}",
                configuration: cfg.jsonString()))
        }
        let (full, _) = SyntheticScan.make(height: height, width: width, coils: coils)
        var rng = SeededRNG(seed: 0)
        let mask = try RandomMask(acceleration: 4, centerFraction: 0.08).generate(width: width, using: &rng)
        var k = try mask.apply(to: full)
        var t = Date()
        if let v = virtualCoils ?? p.virtualCoils, v < coils {
            k = try CoilCompression(calibration: k, virtualCoils: v).apply(k)
        }
        let compressionSeconds = Date().timeIntervalSince(t)
        if k.shape[0] < coils { log(String(format: "coil compression %d → %d: %.2f s", coils, k.shape[0], compressionSeconds)) }
        t = Date()
        let maps = try AutoCoilMaps(compute: compute).estimate(kspace: k, numLowFrequencies: mask.numLowFrequencies)
        let mapsSeconds = Date().timeIntervalSince(t)
        log(String(format: "coil maps (%@): %.2f s", maps.method.rawValue, mapsSeconds))
        let sense = try SENSEOperator(sensitivityMaps: maps.maps, columnMask: mask.columns,
                                      compute: compute.insideParallelLoop)
        t = Date()
        let scale = try NormalisationScale.estimate(kspace: k, operator: sense, quantile: p.quantile)
        let normalisationSeconds = Date().timeIntervalSince(t)
        let y = k.scaled(by: 1 / scale)
        let op = TimedOperator(sense)
        let sampler = try DAPSSampler(denoiser: loaded.denoiser, operator: op, configuration: p.daps)
        func measure(_ draws: Int) throws -> Run {
            op.reset()
            let start = Date()
            let r = try sampler.sample(measurements: y, draws: draws, seed: 1, progress: nil)
            let seconds = Date().timeIntervalSince(start)
            let run = Run(draws: draws, seconds: seconds, secondsPerDraw: seconds / Double(draws), network: r.timings.network,
                          conditional: r.timings.conditional, operatorSeconds: op.seconds, operatorCalls: op.calls,
                          networkEvaluations: r.networkEvaluations)
            log(String(format: "%d draw(s): %.1f s (network %.1f s, conditional %.1f s of which operator %.1f s)",
                       draws, seconds, run.network, run.conditional, run.operatorSeconds))
            return run
        }
        let single = try measure(1)
        let batched = try measure(batchDraws)
        return Report(height: height, width: width, coils: coils, protocolName: p.name,
                      dapsConfiguration: ReconPipeline.DAPSSetup.json(p.daps), prior: loaded.identity.name,
                      priorConfiguration: loaded.identity.configuration,
                      threads: compute.threads, virtualCoils: k.shape[0],
                      compressionSeconds: compressionSeconds, mapsSeconds: mapsSeconds,
                      mapsMethod: maps.method.rawValue, normalisationSeconds: normalisationSeconds,
                      single: single, batched: batched,
                      peakRSSMB: UNetBenchmark.peakResidentBytes().map { Double($0) / 1e6 })
    }
}
