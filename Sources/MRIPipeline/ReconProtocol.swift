import DAPS
import Foundation

/// A DAPS reconstruction preset (`Protocols/<anatomy>-<R>x[-reference].json`): which prior,
/// the sampler configuration (annealing grid σ_max → σ_min with N_A steps, N_ODE Euler steps per
/// x̂0, the conditional step and its parameters; docs/DAPS.md), how many posterior draws, and
/// optionally the seed and the normalisation quantile.
///
/// JSON keys are snake_case and unknown keys are rejected (STYLE.md §4):
/// `name`, `anatomy` ("knee" | "brain"), `acceleration` (nominal R), `variant` ("fast" ≈ 100
/// network evaluations | "reference" ≈ 1000), `prior` ("knee" | "brain" | a file path), `daps`
/// (`DAPSConfiguration`), `samples`, optional `seed`, `normalisation_quantile` (default 0.99,
/// the training rule: the image is divided by that quantile of its magnitude), optional
/// `uncertainty_scale` (default 1: the factor k by which the across-draw standard deviation is
/// multiplied to give `posterior_std`, fitted on validation data by
/// `scripts/calibrate_uncertainty.py` so that |error| ≤ 1.96·posterior_std holds for ≈ 95 % of
/// in-object pixels; docs/evaluation.md), optional `coil_maps` ("auto" | "espirit" | "lowres",
/// the estimator used when `--maps` is not given; default auto), optional `virtual_coils` (SVD
/// coil compression to that many virtual coils before the coil maps when `--coils` is not given
/// and the scan has more coils; default none), optional `tau_noise_factor` (c: each slice's τ
/// becomes c·σ/s, σ the k-space noise per real coordinate — stated by prewhitened inputs or
/// estimated from the k-space corners — and s the slice's normalisation scale, kept within
/// [τ/3, 3τ] of the protocol's τ; without it τ is fixed, raised only to σ/s when the input states
/// σ), optional `prior_orientations` (1, 2, 4 or 8; default 1: draw k sees the prior's input
/// flipped by orientation k mod n — as is, left–right, up–down, both; for 8 the same four
/// transposed — and mapped back, so the draws average over the prior's orientations;
/// `OrientedDenoiser`) and `notes`.
public struct ReconProtocol: Codable, Sendable {
    /// Speed/quality tier of a preset.
    public enum Variant: String, Codable, Sendable, CaseIterable {
        /// ≈ 50 network evaluations per draw (the presets: N_A 50 × N_ODE 1 from σ_max 2).
        case fast
        /// ≈ 1000 network evaluations per draw (DAPS-1K; the presets use N_A 100 × N_ODE 10).
        case reference
    }

    public var name: String
    public var anatomy: String
    public var acceleration: Double
    public var variant: Variant
    /// Prior: a built-in name ("knee", "brain") or a path to a `.safetensors` file.
    public var prior: String
    public var daps: DAPSConfiguration
    /// Posterior draws per slice.
    public var samples: Int
    /// Sampler seed (nil: 0, or the command line's `--seed`).
    public var seed: UInt64?
    /// Quantile q of |x| that the image is divided by before sampling (nil: 0.99).
    public var normalisationQuantile: Double?
    /// Calibration factor k of the uncertainty map (nil: 1): posterior_std = k · (sample std).
    public var uncertaintyScale: Double?
    /// Coil-map estimator when `--maps` is not given (nil: auto).
    public var coilMaps: CoilMapMethod?
    /// SVD coil compression when `--coils` is not given (nil: none).
    public var virtualCoils: Int?
    /// c of the noise-adaptive likelihood temperature τ = c·σ/s (nil: fixed τ).
    public var tauNoiseFactor: Double?
    /// Orientations of the prior over the draws (nil: 1; `OrientedDenoiser`).
    public var priorOrientations: Int?
    /// Free text (e.g. where the parameters came from).
    public var notes: String?

    /// The calibration factor actually used.
    public var stdScale: Double { uncertaintyScale ?? 1 }

    /// The prior orientations actually used.
    public var orientations: Int { priorOrientations ?? 1 }

    /// The quantile actually used.
    public var quantile: Double { normalisationQuantile ?? Self.defaultQuantile }
    /// The training normalisation quantile (Training/README.md: ÷ quantile_0.99(|x|)).
    public static let defaultQuantile = 0.99

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, anatomy, acceleration, variant, prior, daps, samples, seed, notes
        case normalisationQuantile = "normalisation_quantile"
        case uncertaintyScale = "uncertainty_scale"
        case coilMaps = "coil_maps"
        case virtualCoils = "virtual_coils"
        case tauNoiseFactor = "tau_noise_factor"
        case priorOrientations = "prior_orientations"
    }

    public init(name: String, anatomy: String, acceleration: Double, variant: Variant, prior: String,
                daps: DAPSConfiguration, samples: Int, seed: UInt64? = nil, normalisationQuantile: Double? = nil,
                uncertaintyScale: Double? = nil, coilMaps: CoilMapMethod? = nil, virtualCoils: Int? = nil,
                notes: String? = nil) {
        self.name = name
        self.anatomy = anatomy
        self.acceleration = acceleration
        self.variant = variant
        self.prior = prior
        self.daps = daps
        self.samples = samples
        self.seed = seed
        self.normalisationQuantile = normalisationQuantile
        self.uncertaintyScale = uncertaintyScale
        self.coilMaps = coilMaps
        self.virtualCoils = virtualCoils
        self.notes = notes
    }

    /// Upper bound of posterior draws per slice.
    public static let maxSamples = 1024

    /// Checks every field; one-line errors naming the protocol and the field.
    public func validate() throws {
        func bad(_ field: String, _ reason: String) -> PipelineError {
            .invalidOption(name: "protocol", reason: "'\(name)': \(field) \(reason)")
        }
        guard ["knee", "brain"].contains(anatomy) else { throw bad("anatomy", "must be knee or brain (got '\(anatomy)')") }
        guard acceleration.isFinite, acceleration >= 1 else { throw bad("acceleration", "must be ≥ 1 (got \(acceleration))") }
        guard !prior.isEmpty else { throw bad("prior", "is empty") }
        guard (1...Self.maxSamples).contains(samples) else { throw bad("samples", "must lie in 1…\(Self.maxSamples) (got \(samples))") }
        if let q = normalisationQuantile, !(q > 0 && q <= 1) {
            throw bad("normalisation_quantile", "must lie in (0, 1] (got \(q))")
        }
        if let k = uncertaintyScale, !(k > 0 && k.isFinite) {
            throw bad("uncertainty_scale", "must be positive and finite (got \(k))")
        }
        if let v = virtualCoils, !(1...ReconOptions.maxCoils).contains(v) {
            throw bad("virtual_coils", "must lie in 1…\(ReconOptions.maxCoils) (got \(v))")
        }
        if let c = tauNoiseFactor, !(c > 0 && c.isFinite) {
            throw bad("tau_noise_factor", "must be positive and finite (got \(c))")
        }
        if let n = priorOrientations, !OrientedDenoiser.supported.contains(n) {
            throw bad("prior_orientations", "must be 1, 2, 4 or 8 (got \(n))")
        }
        do { try daps.validate() } catch { throw bad("daps", "\(error)") }
    }

    /// Decodes a protocol from JSON, rejecting unknown keys at the top level; `source` names
    /// the file in errors.
    public static func decode(_ data: Data, source: String) throws -> ReconProtocol {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PipelineError.unusableInput(file: source, reason: "not a JSON object")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw PipelineError.unusableInput(file: source, reason: "unknown protocol key '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        let p: ReconProtocol
        do {
            p = try JSONDecoder().decode(ReconProtocol.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw PipelineError.unusableInput(file: source, reason: "missing key '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw PipelineError.unusableInput(file: source, reason: "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            throw PipelineError.unusableInput(file: source, reason: "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)")
        } catch {
            throw PipelineError.unusableInput(file: source, reason: "\(error)")
        }
        do { try p.validate() } catch let e as PipelineError {
            if case .invalidOption(_, let reason) = e { throw PipelineError.unusableInput(file: source, reason: reason) }
            throw e
        }
        return p
    }

    /// Canonical JSON (sorted keys) of the whole protocol.
    public func jsonString(pretty: Bool = false) -> String {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: e.encode(self), as: UTF8.self)) ?? "{}"
    }

    // MARK: - Presets

    /// The folder of built-in presets (package resources `Resources/Protocols/`).
    public static var builtInDirectory: URL? {
        Bundle.module.resourceURL?.appendingPathComponent("Protocols")
    }

    /// Names of the built-in presets (file names without `.json`, sorted).
    public static var builtInNames: [String] {
        guard let dir = builtInDirectory,
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// A built-in preset by name (e.g. `knee-4x`, `brain-8x-reference`).
    public static func builtIn(named name: String) throws -> ReconProtocol {
        guard let dir = builtInDirectory, builtInNames.contains(name) else {
            throw PipelineError.invalidOption(
                name: "protocol", reason: "no built-in protocol '\(name)' (built in: \(builtInNames.joined(separator: ", ")); or give a .json path)")
        }
        let url = dir.appendingPathComponent(name + ".json")
        return try decode(try Data(contentsOf: url), source: url.path)
    }

    /// `--protocol NAME|PATH`: a path when the argument names an existing file or contains a
    /// `/` or ends in `.json`, else a built-in name.
    public static func load(_ nameOrPath: String) throws -> ReconProtocol {
        let looksLikePath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json")
        if looksLikePath || (FileManager.default.fileExists(atPath: nameOrPath) && !builtInNames.contains(nameOrPath)) {
            let url = URL(fileURLWithPath: nameOrPath)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw PipelineError.invalidOption(name: "protocol", reason: "\(nameOrPath): file not found")
            }
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw PipelineError.unusableInput(file: url.path, reason: "cannot be read (\(error.localizedDescription))")
            }
            return try decode(data, source: url.path)
        }
        return try builtIn(named: nameOrPath)
    }

    /// The built-in accelerations presets exist for.
    public static let presetAccelerations: [Double] = [4, 8]

    /// The preset accelerations' nearest to `r` on a log scale (4× up to √32 ≈ 5.66×, 8× above).
    public static func nearestPresetAcceleration(_ r: Double) -> Int {
        let x = r.isFinite && r > 0 ? r : 4
        let best = presetAccelerations.min { abs(log($0 / x)) < abs(log($1 / x)) } ?? 4
        return Int(best)
    }

    /// Name of the automatically chosen preset: `<anatomy>-<4|8>x` (fast) or `…-reference`.
    public static func automaticName(anatomy: String, acceleration: Double?, variant: Variant = .fast) -> String {
        let r = nearestPresetAcceleration(acceleration ?? 4)
        return "\(anatomy)-\(r)x" + (variant == .reference ? "-reference" : "")
    }
}
