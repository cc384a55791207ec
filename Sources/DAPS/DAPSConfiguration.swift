import Foundation

/// Parameters of one DAPS run (DAPS.md "One DAPS run").
///
/// JSON form (snake_case keys, as in protocol presets):
/// `{"sigma_max":100,"sigma_min":0.1,"annealing_steps":50,"ode_steps":2,"conditional":{…}}`
/// (see `ConditionalStep` for `conditional`). `sigma_max` and `sigma_min` may be omitted
/// (defaults 100 and 0.1); the other keys are required; unknown keys are decoding errors
/// (`DAPSError.invalidConfiguration` naming the key). Decoding validates.
public struct DAPSConfiguration: Sendable, Codable, Equatable {
    /// σ_max, the first annealing level (model units).
    public var sigmaMax: Float
    /// σ_min, the last annealing level before the final 0.
    public var sigmaMin: Float
    /// N_A, the number of annealing levels (one x₀ draw each).
    public var annealingSteps: Int
    /// N_ODE, Euler steps (= network evaluations) of the probability-flow ODE per level.
    public var odeSteps: Int
    /// How step (b) draws x₀.
    public var conditional: ConditionalStep

    /// A configuration; call `validate()` (the sampler does).
    public init(
        sigmaMax: Float = 100, sigmaMin: Float = 0.1, annealingSteps: Int, odeSteps: Int,
        conditional: ConditionalStep
    ) {
        self.sigmaMax = sigmaMax
        self.sigmaMin = sigmaMin
        self.annealingSteps = annealingSteps
        self.odeSteps = odeSteps
        self.conditional = conditional
    }

    /// Network evaluations of one run: N_A × N_ODE (each evaluation denoises every draw at once).
    public var networkEvaluations: Int { annealingSteps * odeSteps }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sigmaMax = "sigma_max", sigmaMin = "sigma_min", annealingSteps = "annealing_steps"
        case odeSteps = "ode_steps", conditional
    }

    public init(from decoder: Decoder) throws {
        let any = try decoder.container(keyedBy: DAPSAnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        for k in any.allKeys where !known.contains(k.stringValue) {
            throw DAPSError.invalidConfiguration(key: k.stringValue, problem: "unknown key")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func get<T: Decodable>(_ t: T.Type, _ k: CodingKeys, default d: T?) throws -> T {
            guard c.contains(k) else {
                if let d { return d }
                throw DAPSError.invalidConfiguration(key: k.rawValue, problem: "missing")
            }
            do { return try c.decode(T.self, forKey: k) } catch let e as DAPSError { throw e } catch {
                throw DAPSError.invalidConfiguration(key: k.rawValue, problem: "wrong type (expected \(T.self))")
            }
        }
        sigmaMax = try get(Float.self, .sigmaMax, default: 100)
        sigmaMin = try get(Float.self, .sigmaMin, default: 0.1)
        annealingSteps = try get(Int.self, .annealingSteps, default: nil)
        odeSteps = try get(Int.self, .odeSteps, default: nil)
        conditional = try get(ConditionalStep.self, .conditional, default: nil)
        try validate()
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sigmaMax, forKey: .sigmaMax)
        try c.encode(sigmaMin, forKey: .sigmaMin)
        try c.encode(annealingSteps, forKey: .annealingSteps)
        try c.encode(odeSteps, forKey: .odeSteps)
        try c.encode(conditional, forKey: .conditional)
    }

    /// Parses a JSON object (throws `DAPSError.invalidConfiguration` naming the key).
    public static func decode(json: Data) throws -> DAPSConfiguration {
        do { return try JSONDecoder().decode(DAPSConfiguration.self, from: json) } catch let e as DAPSError {
            throw e
        } catch {
            throw DAPSError.invalidConfiguration(key: "sampler", problem: "not a JSON object")
        }
    }

    /// Upper bound of every step or iteration count (annealing, ODE, Langevin, CG): far above any
    /// useful schedule, low enough that a typo cannot allocate or run for days.
    public static let maxSteps = 100_000

    /// Throws `invalidConfiguration` naming the first inconsistent field.
    public func validate() throws {
        func bad(_ k: CodingKeys, _ p: String) -> DAPSError { .invalidConfiguration(key: k.rawValue, problem: p) }
        guard sigmaMax.isFinite, sigmaMax > 0 else { throw bad(.sigmaMax, "must be positive and finite, got \(sigmaMax)") }
        guard sigmaMin.isFinite, sigmaMin > 0 else { throw bad(.sigmaMin, "must be positive and finite, got \(sigmaMin)") }
        guard sigmaMin <= sigmaMax else { throw bad(.sigmaMin, "\(sigmaMin) exceeds sigma_max \(sigmaMax)") }
        guard (1...Self.maxSteps).contains(annealingSteps) else {
            throw bad(.annealingSteps, "must lie in 1…\(Self.maxSteps), got \(annealingSteps)")
        }
        guard (1...Self.maxSteps).contains(odeSteps) else { throw bad(.odeSteps, "must lie in 1…\(Self.maxSteps), got \(odeSteps)") }
        try conditional.validate()
    }
}
