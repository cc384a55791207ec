import DAPS
import Foundation
import MRIAcquisition
import MRICore
import MRIIO

extension ReconPipeline {
    /// What a DAPS run of one file uses: the protocol (after overrides), the loaded prior, the
    /// seed, and how each was chosen.
    public struct DAPSSetup: Sendable {
        public var reconProtocol: ReconProtocol
        public var protocolChoice: String
        public var prior: LoadedPrior
        public var priorChoice: String
        /// The denoiser the sampler runs: the prior's, in the protocol's orientations over the
        /// draws (`prior_orientations`, `OrientedDenoiser`).
        public var samplerDenoiser: any Denoiser {
            reconProtocol.orientations > 1
                ? OrientedDenoiser(prior.denoiser, orientations: reconProtocol.orientations) : prior.denoiser
        }
        /// Base sampler seed (`--seed`, else the protocol's, else 0); slice k uses `sliceSeed(seed, k)`.
        public var seed: UInt64
        /// Standard deviation of the k-space noise per real coordinate, in input units, when the
        /// input states it (prewhitened raw data: 1); otherwise each slice estimates its own
        /// (`KSpaceNoiseEstimate`). The likelihood temperature of slice k follows it
        /// (`configuration(_:noise:scale:factor:)`).
        public var measurementNoise: Float? = nil
        /// Whether τ follows the noise; false when `--tau` was given (then τ is used as is).
        public var noiseAdaptiveTau = true

        public init(reconProtocol: ReconProtocol, protocolChoice: String, prior: LoadedPrior, priorChoice: String,
                    seed: UInt64) {
            self.reconProtocol = reconProtocol
            self.protocolChoice = protocolChoice
            self.prior = prior
            self.priorChoice = priorChoice
            self.seed = seed
        }

        /// Root attributes recording every DAPS parameter and the prior's identity.
        public var attributes: [String: HDF5AttributeValue] {
            let p = reconProtocol
            var a: [String: HDF5AttributeValue] = [
                "protocol": .string(p.name),
                "protocol_choice": .string(protocolChoice),
                "protocol_json": .string(p.jsonString()),
                "daps_configuration": .string(Self.json(p.daps)),
                "samples": .integer(Int64(p.samples)),
                "daps_seed": .integer(Int64(bitPattern: seed)),
                "normalisation_quantile": .real(p.quantile),
                "uncertainty_scale": .real(p.stdScale),
                "network_evaluations_per_draw": .integer(Int64(p.daps.networkEvaluations)),
                "prior": .string(prior.identity.name),
                "prior_choice": .string(priorChoice),
                "prior_requested": .string(prior.identity.requested),
                "prior_path": .string(prior.identity.path),
                "prior_sha256": .string(prior.identity.sha256),
                "prior_card": .string(prior.identity.card),
                "prior_config": .string(prior.identity.configuration),
            ]
            a["anatomy"] = .string(p.anatomy)
            if let n = measurementNoise { a["measurement_noise_std"] = .real(Double(n)) }
            let source = measurementNoise == nil ? "the k-space corners (KSpaceNoiseEstimate)" : "measurement_noise_std"
            a["tau_rule"] = .string(!noiseAdaptiveTau ? "--tau as given"
                : p.tauNoiseFactor.map { "per slice: tau_noise_factor \($0) x noise std / normalisation scale, within [tau/3, 3 tau]; noise std per real coordinate from " + source }
                ?? (measurementNoise == nil ? "protocol tau" : "per slice: max(protocol tau, measurement_noise_std / normalisation scale)"))
            a["posterior_std_definition"] = .string(
                "uncertainty_scale x the across-draw standard deviation of the magnitude (calibrated: |error| <= 1.96 std for 95 % of object pixels on validation)")
            a["posterior_variance_definition"] = .string(
                "unbiased across-draw variance of the magnitude, image units squared, not rescaled by uncertainty_scale")
            return a
        }

        /// The sampler configuration as canonical JSON (sorted keys).
        public static func json(_ c: DAPSConfiguration) -> String {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            return (try? String(decoding: e.encode(c), as: UTF8.self)) ?? "{}"
        }
    }

    /// One slice's DAPS result, in image units and cropped to the output geometry.
    public struct DAPSSliceResult: Sendable {
        /// Posterior mean magnitude `[H, W]`.
        public var mean: FloatArray
        /// Per-pixel standard deviation of the magnitude across draws × the protocol's
        /// `uncertainty_scale` `[H, W]`.
        public var standardDeviation: FloatArray
        /// Unbiased variance of the magnitude across draws in image units² `[H, W]` (not
        /// rescaled by `uncertainty_scale`).
        public var variance: FloatArray
        /// Every draw's magnitude `[draws, H, W]`.
        public var samples: FloatArray
        /// Normalisation scale s.
        public var scale: Float
        /// Network evaluations of the slice (all draws batched together).
        public var networkEvaluations: Int
        /// Noise standard deviation per real coordinate in input units (stated or estimated; nil
        /// when neither) and the likelihood temperature τ the slice was sampled with.
        public var noiseStd: Float? = nil
        public var tau: Float = 0
    }

    /// Seed of slice `slice` (absolute index in the file, so `--slices a:b` reproduces a full
    /// run's slices): seed + slice·φ (φ = 2⁶⁴/golden ratio, wrapping).
    public static func sliceSeed(_ seed: UInt64, slice: Int) -> UInt64 {
        seed &+ UInt64(slice) &* 0x9E37_79B9_7F4A_7C15
    }

    /// Resolves the protocol and the prior for a file and loads the prior.
    ///
    /// Anatomy: the file's `acquisition` (CORPD*/knee → knee, AX*/brain → brain), else a
    /// built-in `--prior` name, else knee. Protocol: `--protocol`, else the fast preset of that
    /// anatomy at the preset acceleration nearest (log scale) to the mask's nominal acceleration
    /// (4× for fully sampled data). Prior: `--prior`, else the file's anatomy, else the protocol's.
    public func dapsSetup(info: FastMRIFileInfo, sampling: Sampling) throws -> DAPSSetup {
        let fileAnatomy = PriorCatalog.anatomy(acquisition: info.acquisition)
        var p: ReconProtocol
        let protocolChoice: String
        if let name = options.protocolName {
            p = try ReconProtocol.load(name)
            protocolChoice = "--protocol \(name)"
        } else {
            let priorAnatomy = options.prior.flatMap { PriorCatalog.builtInNames.contains($0) ? $0 : nil }
            let anatomy = fileAnatomy ?? priorAnatomy ?? "knee"
            let source = fileAnatomy != nil ? "acquisition \(info.acquisition ?? "")" : priorAnatomy != nil ? "--prior" : "default"
            let r = sampling.nominalAcceleration ?? Double(info.sliceShape.width) / Double(max(1, sampling.sampledColumns))
            let name = ReconProtocol.automaticName(anatomy: anatomy, acceleration: r)
            p = try ReconProtocol.builtIn(named: name)
            protocolChoice = String(format: "auto: %@ (anatomy from %@, R %.2f)", name, source, r)
        }
        p = try p.applying(options.protocolOverrides)
        let priorName: String, priorChoice: String
        if let given = options.prior {
            (priorName, priorChoice) = (given, "--prior")
        } else if let a = fileAnatomy {
            (priorName, priorChoice) = (a, "acquisition \(info.acquisition ?? "")")
        } else {
            (priorName, priorChoice) = (p.prior, "protocol \(p.name)")
        }
        let prior = try priors.prior(priorName, compute: options.compute)
        guard prior.denoiser.channels == 2 else {
            throw PipelineError.unusableInput(file: prior.identity.path, reason: "the prior has \(prior.denoiser.channels) channels; DAPS needs 2 (real, imaginary)")
        }
        var setup = DAPSSetup(reconProtocol: p, protocolChoice: protocolChoice, prior: prior, priorChoice: priorChoice,
                              seed: p.seed ?? 0)
        // Prewhitened raw data has unit noise per real coordinate (ISMRMRDConversion, NoiseWhitening).
        if info.otherAttributes["prewhitened"]?.doubleValue == 1 { setup.measurementNoise = 1 }
        setup.noiseAdaptiveTau = options.protocolOverrides.tau == nil
        return setup
    }

    /// The sampler's problem for one raw slice: the prepared, normalised measurements y/s, the
    /// SENSE operator they belong to and the normalisation scale s.
    public struct DAPSProblem: Sendable {
        public var measurements: ComplexArray
        public var sense: SENSEOperator
        public var scale: Float
    }

    /// Prepare (mask, the protocol's coil compression, coil maps on the oversampled FOV, readout
    /// oversampling removal: `prepareWithMaps`) → SENSE operator → normalisation scale s, for one
    /// raw slice `[coils, H, W]`. Stage times (preprocess, maps, normalisation) are added to `timings`.
    public func prepareDAPSSlice(_ raw: ComplexArray, sampling: Sampling, geometry: Geometry, setup: DAPSSetup,
                                 timings: inout StageTimings, mapsUsed: inout [String]) throws -> DAPSProblem {
        var clock = Date()
        func lap() -> Double {
            let now = Date()
            defer { clock = now }
            return now.timeIntervalSince(clock)
        }
        let (k, maps, preprocess) = try prepareWithMaps(raw, sampling: sampling, geometry: geometry,
                                                        virtualCoils: options.virtualCoils(for: setup.reconProtocol),
                                                        method: options.coilMaps(for: setup.reconProtocol), mapsUsed: &mapsUsed)
        timings.preprocess += preprocess
        // The sampler runs its draws concurrently: one FFTW thread per transform inside them.
        let op = try Self.senseOperator(maps: maps, sampling: sampling, compute: options.compute.insideParallelLoop)
        timings.maps += lap() - preprocess
        let scale = try NormalisationScale.estimate(kspace: k, operator: op, quantile: setup.reconProtocol.quantile,
                                                    estimate: options.normalisationEstimate)
        let y = k.scaled(by: 1 / scale)
        timings.normalisation += lap()
        return DAPSProblem(measurements: y, sense: op, scale: scale)
    }

    /// `daps` with the likelihood temperature τ₀ set from the noise of the normalised data, σ/s:
    /// with a `factor` c, τ = c·σ/s kept within [τ₀/3, 3τ₀]; without, τ = max(τ₀, σ/s). Unchanged
    /// without a noise level.
    public static func configuration(_ daps: DAPSConfiguration, noise: Float?, scale: Float, factor: Double? = nil)
        -> DAPSConfiguration
    {
        guard let noise, noise > 0, scale > 0 else { return daps }
        let tau0 = daps.conditional.tau
        let tau = factor.map { Swift.min(3 * tau0, Swift.max(tau0 / 3, Float($0) * noise / scale)) } ?? Swift.max(tau0, noise / scale)
        var c = daps
        c.conditional = c.conditional.with(tau: tau)
        return c
    }

    /// DAPS for one raw slice `[coils, H, W]`: `prepareDAPSSlice`, then draws of y/s →
    /// statistics × s → crop. Stage times are added to `timings`; `onStep` receives the
    /// annealing step after each one.
    public func reconstructDAPSSlice(_ raw: ComplexArray, sampling: Sampling, geometry: Geometry, setup: DAPSSetup,
                                     seed: UInt64, timings: inout StageTimings, mapsUsed: inout [String],
                                     onStep: (@Sendable (Int) -> Void)? = nil) throws -> DAPSSliceResult {
        let problem = try prepareDAPSSlice(raw, sampling: sampling, geometry: geometry, setup: setup,
                                           timings: &timings, mapsUsed: &mapsUsed)
        let (y, op, scale, p) = (problem.measurements, problem.sense, problem.scale, setup.reconProtocol)
        var clock = Date()
        func lap() -> Double {
            let now = Date()
            defer { clock = now }
            return now.timeIntervalSince(clock)
        }
        // y = k/s, so the corner estimate of y is σ/s; × s gives input units.
        let noise = setup.measurementNoise ?? KSpaceNoiseEstimate.standardDeviation(y).map { $0 * scale }
        // An estimated σ sets τ only through tau_noise_factor; a stated one also raises a fixed τ.
        let governing = p.tauNoiseFactor != nil ? noise : setup.measurementNoise
        let configuration = setup.noiseAdaptiveTau
            ? Self.configuration(p.daps, noise: governing, scale: scale, factor: p.tauNoiseFactor) : p.daps
        let sampler = try DAPSSampler(denoiser: setup.samplerDenoiser, operator: op, configuration: configuration)
        let result = try sampler.sample(
            measurements: y, draws: p.samples, seed: seed,
            progress: onStep.map { f in { @Sendable (s: DAPSProgress) in f(s.annealingStep) } })
        timings.sampling += lap()
        timings.network += result.timings.network
        timings.conditional += result.timings.conditional
        let stats = PosteriorStatistics(samples: result.samples)
        var mean = stats.meanMagnitude, std = stats.standardDeviation, variance = stats.variance
        let stdFactor = scale * Float(p.stdScale), varianceFactor = scale * scale
        for i in 0..<mean.count {
            mean[linear: i] *= scale
            std[linear: i] *= stdFactor
            variance[linear: i] *= varianceFactor
        }
        mean = try Self.fitToOutput(mean, geometry: geometry)
        std = try Self.fitToOutput(std, geometry: geometry)
        variance = try Self.fitToOutput(variance, geometry: geometry)
        var draws = [FloatArray]()
        if options.saveSamples {
            for x in result.samples {
                var m = x.magnitude
                for i in 0..<m.count { m[linear: i] *= scale }
                draws.append(try Self.fitToOutput(m, geometry: geometry))
            }
        }
        timings.statistics += lap()
        return DAPSSliceResult(
            mean: mean, standardDeviation: std, variance: variance,
            samples: draws.isEmpty ? FloatArray(zeros: [0, geometry.outputHeight, geometry.outputWidth]) : FloatArray.stacked(draws),
            scale: scale, networkEvaluations: result.networkEvaluations, noiseStd: noise,
            tau: configuration.conditional.tau)
    }
}
