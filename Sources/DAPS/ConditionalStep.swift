import Foundation

/// Step (b) of DAPS: drawing x₀ from the conditional
/// p(x₀ | x_σ, y) ∝ N(x₀; x̂₀, σ² I) · exp(−‖A x₀ − y‖² / (2τ²)),
/// with x₀ seen as 2n real coordinates (real and imaginary parts, as the denoiser sees them).
///
/// Both methods target exactly this density (the reference DAPS convention *with* the ½ in the
/// likelihood; τ is a likelihood temperature in model units, not necessarily the noise level).
///
/// JSON (inside `DAPSConfiguration.conditional`):
/// `{"method":"langevin","steps":100,"lr":1e-4,"lr_min_ratio":0.01,"tau":0.01}` or
/// `{"method":"gaussian-cg","tau":0.01,"iterations":8,"tolerance":1e-5}`. Every key is required;
/// unknown keys or methods are decoding errors naming the key.
public enum ConditionalStep: Sendable, Equatable, Codable {
    /// Unadjusted Langevin dynamics with N_L = `steps` steps, started at x̂₀. The potential is
    /// U(x) = ‖A x − y‖²/(2τ²) + ‖x − x̂₀‖²/(2σ²) over the real coordinates, so one step is
    /// x ← x − η·[Aᴴ(A x − y)/τ² + (x − x̂₀)/σ²] + √(2η)·ε, ε ~ N(0, I) per real coordinate,
    /// with η = lr·(1 + (i/N_A)·(lrMinRatio − 1)) at annealing step i (linear decay).
    /// Stable (the drift a contraction) only if η·(‖A‖²/τ² + 1/σ²) < 2; the sampler checks this.
    case langevin(steps: Int, lr: Float, lrMinRatio: Float, tau: Float)
    /// The exact Gaussian conditional by perturb-and-solve: x̃ = x̂₀ + σ ε₁, ỹ = y + τ ε₂
    /// (ε per real coordinate), then (I/σ² + AᴴA/τ²) x = x̃/σ² + Aᴴỹ/τ² by conjugate gradients
    /// (warm start x̂₀, at most `iterations`, stop at relative residual `tolerance`). The exact
    /// solution is an exact draw from the conditional (DAPS.md "Beyond the reference").
    case gaussianCG(tau: Float, iterations: Int, tolerance: Float)

    /// The likelihood temperature τ of either method.
    public var tau: Float {
        switch self {
        case .langevin(_, _, _, let t), .gaussianCG(let t, _, _): return t
        }
    }

    /// This step with likelihood temperature `tau` (everything else unchanged).
    public func with(tau: Float) -> ConditionalStep {
        switch self {
        case .langevin(let steps, let lr, let ratio, _): return .langevin(steps: steps, lr: lr, lrMinRatio: ratio, tau: tau)
        case .gaussianCG(_, let iterations, let tolerance): return .gaussianCG(tau: tau, iterations: iterations, tolerance: tolerance)
        }
    }

    /// The JSON `method` string: `langevin` or `gaussian-cg`.
    public var method: String {
        switch self {
        case .langevin: return "langevin"
        case .gaussianCG: return "gaussian-cg"
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case method, steps, lr, lrMinRatio = "lr_min_ratio", tau, iterations, tolerance
    }

    public init(from decoder: Decoder) throws {
        let any = try decoder.container(keyedBy: DAPSAnyKey.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func bad(_ k: String, _ p: String) -> DAPSError { .invalidConfiguration(key: "conditional.\(k)", problem: p) }
        func req<T: Decodable>(_ t: T.Type, _ k: CodingKeys) throws -> T {
            guard c.contains(k) else { throw bad(k.rawValue, "missing") }
            do { return try c.decode(T.self, forKey: k) } catch { throw bad(k.rawValue, "wrong type (expected \(T.self))") }
        }
        let method = try req(String.self, .method)
        let allowed: [CodingKeys]
        switch method {
        case "langevin": allowed = [.method, .steps, .lr, .lrMinRatio, .tau]
        case "gaussian-cg": allowed = [.method, .tau, .iterations, .tolerance]
        default: throw bad("method", "unknown method '\(method)' (expected langevin or gaussian-cg)")
        }
        let known = Set(allowed.map(\.rawValue))
        for k in any.allKeys where !known.contains(k.stringValue) {
            throw bad(k.stringValue, "unknown key for method \(method)")
        }
        if method == "langevin" {
            self = .langevin(
                steps: try req(Int.self, .steps), lr: try req(Float.self, .lr),
                lrMinRatio: try req(Float.self, .lrMinRatio), tau: try req(Float.self, .tau))
        } else {
            self = .gaussianCG(
                tau: try req(Float.self, .tau), iterations: try req(Int.self, .iterations),
                tolerance: try req(Float.self, .tolerance))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        switch self {
        case .langevin(let steps, let lr, let ratio, let tau):
            try c.encode(steps, forKey: .steps)
            try c.encode(lr, forKey: .lr)
            try c.encode(ratio, forKey: .lrMinRatio)
            try c.encode(tau, forKey: .tau)
        case .gaussianCG(let tau, let iterations, let tolerance):
            try c.encode(tau, forKey: .tau)
            try c.encode(iterations, forKey: .iterations)
            try c.encode(tolerance, forKey: .tolerance)
        }
    }

    /// Throws `invalidConfiguration` naming the first bad field (`conditional.<key>`).
    public func validate() throws {
        func bad(_ k: String, _ p: String) -> DAPSError { .invalidConfiguration(key: "conditional.\(k)", problem: p) }
        switch self {
        case .langevin(let steps, let lr, let ratio, let tau):
            guard (1...DAPSConfiguration.maxSteps).contains(steps) else {
                throw bad("steps", "must lie in 1…\(DAPSConfiguration.maxSteps), got \(steps)")
            }
            guard lr > 0, lr.isFinite else { throw bad("lr", "must be positive and finite, got \(lr)") }
            guard ratio > 0, ratio.isFinite else { throw bad("lr_min_ratio", "must be positive and finite, got \(ratio)") }
            guard tau > 0, tau.isFinite else { throw bad("tau", "must be positive and finite, got \(tau)") }
        case .gaussianCG(let tau, let iterations, let tolerance):
            guard tau > 0, tau.isFinite else { throw bad("tau", "must be positive and finite, got \(tau)") }
            guard (1...DAPSConfiguration.maxSteps).contains(iterations) else {
                throw bad("iterations", "must lie in 1…\(DAPSConfiguration.maxSteps), got \(iterations)")
            }
            guard tolerance >= 0, tolerance.isFinite else { throw bad("tolerance", "must be ≥ 0 and finite, got \(tolerance)") }
        }
    }
}

/// Any JSON key (to find unknown keys while decoding).
struct DAPSAnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
