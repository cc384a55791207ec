import DAPS
import Foundation

/// The conditional step of DAPS as `--conditional` names it.
public enum ConditionalMethod: String, CaseIterable, Sendable, Codable {
    case langevin
    case gaussianCG = "gaussian-cg"
}

extension ReconProtocol {
    /// Command-line overrides of a protocol's fields (nil: keep the protocol's value).
    ///
    /// `conditional` switches the conditional step; parameters of the other method are then
    /// taken from `defaultLangevin` / `defaultGaussianCG` unless given. A parameter that does
    /// not belong to the resulting method (e.g. `lr` with gaussian-cg) is an error.
    public struct Overrides: Sendable, Equatable {
        public var annealingSteps: Int?
        public var odeSteps: Int?
        public var conditional: ConditionalMethod?
        public var lr: Double?
        public var lrMinRatio: Double?
        public var langevinSteps: Int?
        public var tau: Double?
        /// c of τ = c·σ/s (0: fixed τ). `tau` fixes τ and turns the adaptation off.
        public var tauNoiseFactor: Double?
        public var cgIterations: Int?
        public var sigmaMax: Double?
        public var sigmaMin: Double?
        public var samples: Int?
        public var seed: UInt64?
        public var normalisationQuantile: Double?
        public var uncertaintyScale: Double?
        public var priorOrientations: Int?

        public init() {}

        /// True when nothing is overridden.
        public var isEmpty: Bool { self == Overrides() }

        /// Every field that is set, by its command-line flag (without `--`) and as text: the one
        /// list reports, output parameters and the "applies only to daps" check read.
        public var fields: [(flag: String, value: String)] {
            let all: [(String, String?)] = [
                ("samples", samples.map { String($0) }), ("annealing-steps", annealingSteps.map { String($0) }),
                ("ode-steps", odeSteps.map { String($0) }), ("conditional", conditional?.rawValue),
                ("lr", lr.map { String($0) }), ("lr-min-ratio", lrMinRatio.map { String($0) }),
                ("langevin-steps", langevinSteps.map { String($0) }), ("tau", tau.map { String($0) }),
                ("tau-noise-factor", tauNoiseFactor.map { String($0) }),
                ("cg-iterations", cgIterations.map { String($0) }), ("sigma-max", sigmaMax.map { String($0) }),
                ("sigma-min", sigmaMin.map { String($0) }), ("uncertainty-scale", uncertaintyScale.map { String($0) }),
                ("normalisation-quantile", normalisationQuantile.map { String($0) }),
                ("orientations", priorOrientations.map { String($0) }), ("seed", seed.map { String($0) }),
            ]
            return all.compactMap { flag, value in value.map { (flag, $0) } }
        }
    }

    /// Langevin parameters used when switching a gaussian-cg protocol to Langevin: the DAPS
    /// reference values (docs/DAPS.md: lr 1e-4, lr_min_ratio 0.01, τ 0.01) with 10 steps.
    public static let defaultLangevin = ConditionalStep.langevin(steps: 10, lr: 1e-4, lrMinRatio: 0.01, tau: 0.01)
    /// Gaussian-CG parameters used when switching a Langevin protocol to gaussian-cg.
    public static let defaultGaussianCG = ConditionalStep.gaussianCG(tau: 0.01, iterations: 10, tolerance: 1e-6)

    /// This protocol with `overrides` applied and validated. The name gets a `+overrides`
    /// suffix when anything but the seed changed, so outputs never claim an unmodified preset.
    public func applying(_ o: Overrides) throws -> ReconProtocol {
        var p = self
        if let v = o.annealingSteps { p.daps.annealingSteps = v }
        if let v = o.odeSteps { p.daps.odeSteps = v }
        if let v = o.sigmaMax { p.daps.sigmaMax = Float(v) }
        if let v = o.sigmaMin { p.daps.sigmaMin = Float(v) }
        if let v = o.samples { p.samples = v }
        if let v = o.seed { p.seed = v }
        if let v = o.normalisationQuantile { p.normalisationQuantile = v }
        if let v = o.uncertaintyScale { p.uncertaintyScale = v }
        if let v = o.priorOrientations { p.priorOrientations = v }
        if let v = o.tauNoiseFactor { p.tauNoiseFactor = v > 0 ? v : nil }
        if o.tau != nil { p.tauNoiseFactor = nil }
        var step = p.daps.conditional
        if let m = o.conditional {
            switch (m, step) {
            case (.langevin, .langevin), (.gaussianCG, .gaussianCG): break
            case (.langevin, .gaussianCG(let tau, _, _)):
                step = Self.defaultLangevin
                if case .langevin(let s, let lr, let r, _) = step { step = .langevin(steps: s, lr: lr, lrMinRatio: r, tau: tau) }
            case (.gaussianCG, .langevin(_, _, _, let tau)):
                step = Self.defaultGaussianCG
                if case .gaussianCG(_, let it, let tol) = step { step = .gaussianCG(tau: tau, iterations: it, tolerance: tol) }
            }
        }
        switch step {
        case .langevin(var steps, var lr, var ratio, var tau):
            if o.cgIterations != nil {
                throw PipelineError.invalidOption(name: "cg-iterations", reason: "applies only to --conditional gaussian-cg (protocol '\(name)' uses langevin)")
            }
            if let v = o.langevinSteps { steps = v }
            if let v = o.lr { lr = Float(v) }
            if let v = o.lrMinRatio { ratio = Float(v) }
            if let v = o.tau { tau = Float(v) }
            step = .langevin(steps: steps, lr: lr, lrMinRatio: ratio, tau: tau)
        case .gaussianCG(var tau, var iterations, let tolerance):
            for (flag, given) in [("lr", o.lr != nil), ("lr-min-ratio", o.lrMinRatio != nil), ("langevin-steps", o.langevinSteps != nil)] where given {
                throw PipelineError.invalidOption(name: flag, reason: "applies only to --conditional langevin (protocol '\(name)' uses gaussian-cg)")
            }
            if let v = o.tau { tau = Float(v) }
            if let v = o.cgIterations { iterations = v }
            step = .gaussianCG(tau: tau, iterations: iterations, tolerance: tolerance)
        }
        p.daps.conditional = step
        var changed = o
        changed.seed = nil
        if !changed.isEmpty { p.name = name + "+overrides" }
        do { try p.validate() } catch let e as PipelineError {
            if case .invalidOption(_, let reason) = e { throw PipelineError.invalidOption(name: "protocol", reason: reason + " (after command-line overrides)") }
            throw e
        }
        return p
    }
}
