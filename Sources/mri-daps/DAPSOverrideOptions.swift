import ArgumentParser
import MRIPipeline

extension ReconMethod: ExpressibleByArgument {}
extension CoilMapMethod: ExpressibleByArgument {}
extension ConditionalMethod: ExpressibleByArgument {}

/// The `recon` flags that override fields of the DAPS protocol; `overrides(seed:)` turns them
/// into the one `ReconProtocol.Overrides` value the pipeline applies (and validates again
/// against the protocol, e.g. `--lr` with a gaussian-cg protocol).
struct DAPSOverrideOptions: ParsableArguments {
    @Option(help: "daps: posterior draws per slice.") var samples: Int?
    @Option(help: "daps: annealing steps N_A.") var annealingSteps: Int?
    @Option(help: "daps: probability-flow ODE steps N_ODE per annealing step.") var odeSteps: Int?
    @Option(help: "daps: conditional step.") var conditional: ConditionalMethod?
    @Option(help: "daps (langevin): step size lr.") var lr: Double?
    @Option(help: "daps (langevin): final lr as a fraction of lr (linear decay).") var lrMinRatio: Double?
    @Option(help: "daps (langevin): Langevin steps N_L per annealing step.") var langevinSteps: Int?
    @Option(help: "daps: likelihood temperature τ (fixed: turns the noise-adaptive τ off).") var tau: Double?
    @Option(help: "daps: noise-adaptive τ = c·σ/s per slice (σ: k-space noise, s: normalisation scale; default: the protocol's c; 0: fixed τ).")
    var tauNoiseFactor: Double?
    @Option(help: "daps (gaussian-cg): CG iterations.") var cgIterations: Int?
    @Option(help: "daps: largest noise level σ_max.") var sigmaMax: Double?
    @Option(help: "daps: smallest annealing noise level σ_min.") var sigmaMin: Double?
    @Option(help: "daps: calibration factor k of posterior_std (k × the across-draw std; default: the protocol's).")
    var uncertaintyScale: Double?
    @Option(help: "daps: orientations of the prior over the draws (1, 2, 4 or 8: draw k sees its input flipped — and for 8, transposed — by k mod n and mapped back; default: the protocol's).")
    var orientations: Int?

    func validate() throws {
        for (flag, value) in [("samples", samples), ("annealing-steps", annealingSteps), ("ode-steps", odeSteps),
                              ("langevin-steps", langevinSteps), ("cg-iterations", cgIterations)] {
            if let v = value, v < 1 { throw ValidationError("--\(flag) must be ≥ 1 (got \(v))") }
        }
        for (flag, value) in [("lr", lr), ("lr-min-ratio", lrMinRatio), ("tau", tau), ("sigma-max", sigmaMax),
                              ("sigma-min", sigmaMin), ("uncertainty-scale", uncertaintyScale)] {
            if let v = value, !(v > 0 && v.isFinite) { throw ValidationError("--\(flag) must be > 0 (got \(v))") }
        }
        if let v = tauNoiseFactor, !(v >= 0 && v.isFinite) { throw ValidationError("--tau-noise-factor must be ≥ 0 (got \(v))") }
        if let v = orientations, ![1, 2, 4, 8].contains(v) { throw ValidationError("--orientations must be 1, 2, 4 or 8 (got \(v))") }
    }

    /// The overrides, with the sampler `seed` (nil: the protocol's).
    func overrides(seed: UInt64?) -> ReconProtocol.Overrides {
        var v = ReconProtocol.Overrides()
        (v.samples, v.annealingSteps, v.odeSteps, v.conditional) = (samples, annealingSteps, odeSteps, conditional)
        (v.lr, v.lrMinRatio, v.langevinSteps, v.tau, v.cgIterations) = (lr, lrMinRatio, langevinSteps, tau, cgIterations)
        (v.sigmaMax, v.sigmaMin, v.uncertaintyScale, v.seed) = (sigmaMax, sigmaMin, uncertaintyScale, seed)
        v.tauNoiseFactor = tauNoiseFactor
        v.priorOrientations = orientations
        return v
    }
}
