import Foundation
import MRICore

/// Decoupled Annealed Posterior Sampling (Zhang et al., CVPR 2025, arXiv 2407.01521) for a
/// linear forward operator A: complex image [H, W] → measurements (DAPS.md "One DAPS run").
///
/// Model space: the denoiser sees x as a batch [B, 2, H, W] (channel 0 real, 1 imaginary);
/// the operator sees each draw as a complex image [H, W]. Measurements are in model units.
/// For every draw, independently but in lockstep:
/// 1. x ~ N(0, σ_max² I);
/// 2. for i = 0 … N_A−1 with σ = σ_i (poly-7 grid, `NoiseSchedule`):
///    (a) x̂₀ = N_ODE Euler steps of the probability-flow ODE dx/dσ = (x − D(x, σ))/σ on
///        `NoiseSchedule.odeGrid(from: σ_i, steps: N_ODE)`; the last step lands on D(x, 0.01);
///    (b) x₀ ~ p(x₀ | x̂₀, y) ∝ N(x₀; x̂₀, σ_i² I)·exp(−‖A x₀ − y‖²/(2τ²)) by `ConditionalStep`;
///    (c) x = x₀ + σ_{i+1} ε (σ_{N_A} = 0: the last x₀ is the draw).
///
/// All draws go through the denoiser together as one batch (per-item σ, all equal), so a run
/// costs N_A × N_ODE network evaluations whatever the number of draws. Draw k uses its own
/// random stream `SeededRNG(seed: drawSeed(seed: seed, draw: k))`, so draw k does not depend
/// on how many draws are requested (for a batch-invariant denoiser) and equal seeds give bitwise
/// equal output on the same machine. Conditional steps of different draws run concurrently.
public struct DAPSSampler: Sendable {
    /// The prior's denoiser D(x, σ).
    public let denoiser: any Denoiser
    /// The forward operator A (inputShape [H, W]).
    public let `operator`: any LinearOperator
    /// The run parameters (validated).
    public let configuration: DAPSConfiguration
    /// ‖A‖² estimated by power iteration on AᴴA (Langevin only; `nil` for Gaussian-CG), used for
    /// the stability check η·(‖A‖²/τ² + 1/σ²) < 2 at every annealing level.
    public let operatorNormSquared: Double?

    /// Checks the configuration, the denoiser's channel count (2) and the operator's input rank
    /// (2), and for Langevin the stability bound at every level (throws naming `conditional.lr`).
    public init(denoiser: any Denoiser, operator a: any LinearOperator, configuration: DAPSConfiguration) throws {
        try configuration.validate()
        guard denoiser.channels == 2 else {
            throw DAPSError.invalidInput(
                parameter: "denoiser", problem: "has \(denoiser.channels) channels; DAPS needs 2 (real, imaginary)")
        }
        guard a.inputShape.count == 2, a.inputShape.allSatisfy({ $0 > 0 }) else {
            throw DAPSError.invalidInput(parameter: "operator", problem: "input shape \(a.inputShape) is not [H, W]")
        }
        self.denoiser = denoiser
        self.operator = a
        self.configuration = configuration
        if case .langevin(_, let lr, let ratio, let tau) = configuration.conditional {
            let l = Self.estimateNormSquared(a)
            operatorNormSquared = l
            let grid = NoiseSchedule.poly7(
                sigmaMax: configuration.sigmaMax, sigmaMin: configuration.sigmaMin, count: configuration.annealingSteps)
            for (i, s) in grid.enumerated() {
                let eta = Double(Self.learningRate(lr: lr, minRatio: ratio, step: i, steps: grid.count))
                let bound = eta * (l / Double(tau * tau) + 1 / Double(s * s))
                if bound >= 2 {
                    throw DAPSError.invalidConfiguration(
                        key: "conditional.lr",
                        problem: "Langevin unstable: η·(‖A‖²/τ² + 1/σ²) = \(Float(bound)) ≥ 2 at annealing step \(i) "
                            + "(η = \(Float(eta)), σ = \(s), ‖A‖² ≈ \(Float(l))); lower lr or raise tau")
                }
            }
        } else {
            operatorNormSquared = nil
        }
    }

    /// η_i = lr·(1 + (i/N_A)·(lrMinRatio − 1)), the Langevin step size at annealing step i.
    public static func learningRate(lr: Float, minRatio: Float, step i: Int, steps n: Int) -> Float {
        lr * (1 + (Float(i) / Float(n)) * (minRatio - 1))
    }

    /// The seed of draw k's private stream: SplitMix64 finalisers of `seed` and k, so streams of
    /// different draws (and different seeds) are unrelated.
    public static func drawSeed(seed: UInt64, draw k: Int) -> UInt64 {
        func mix(_ v: UInt64) -> UInt64 {
            var z = v &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return mix(seed ^ mix(UInt64(k) &+ 0xD1B5_4A32_D192_ED03))
    }

    /// ‖A‖² by 30 power iterations on AᴴA from a fixed pseudo-random start (an estimate from
    /// below, accurate to a few per cent for the operators used here).
    static func estimateNormSquared(_ a: any LinearOperator) -> Double {
        var rng = SeededRNG(seed: 0xDA95)
        var v = ComplexArray(zeros: a.inputShape)
        for j in 0..<v.count { v[linear: j] = rng.complexGaussian() }
        var lambda = 0.0
        for _ in 0..<30 {
            let nv = v.norm
            if nv == 0 { return 0 }
            v.scale(by: Float(1 / nv))
            let w = a.normal(v)
            lambda = v.dot(w).re
            v = w
        }
        return lambda
    }

    /// Runs DAPS and returns `draws` posterior samples (complex [H, W], model units).
    ///
    /// - Parameters:
    ///   - y: measurements, shape `operator.outputShape`, in model units.
    ///   - draws: number of posterior draws (≥ 1), batched through the denoiser.
    ///   - seed: the run's seed; draw k uses `drawSeed(seed:draw:)`.
    ///   - progress: called after every annealing step (on the calling thread).
    public func sample(
        measurements y: ComplexArray, draws: Int, seed: UInt64, progress: (@Sendable (DAPSProgress) -> Void)? = nil
    ) throws -> DAPSResult {
        let start = DispatchTime.now().uptimeNanoseconds
        guard draws >= 1 else { throw DAPSError.invalidInput(parameter: "draws", problem: "must be ≥ 1, got \(draws)") }
        guard y.shape == self.operator.outputShape else {
            throw DAPSError.invalidInput(
                parameter: "measurements", problem: "shape \(y.shape) ≠ operator output \(self.operator.outputShape)")
        }
        guard y.isFinite else { throw DAPSError.invalidInput(parameter: "measurements", problem: "contains NaN or ∞") }
        let cfg = configuration
        let shape = self.operator.inputShape
        let n = shape[0] * shape[1]
        let grid = NoiseSchedule.annealingGrid(
            sigmaMax: cfg.sigmaMax, sigmaMin: cfg.sigmaMin, annealingSteps: cfg.annealingSteps)
        var rngs = (0..<draws).map { SeededRNG(seed: Self.drawSeed(seed: seed, draw: $0)) }
        var x = FloatArray(zeros: [draws, 2] + shape)
        // 1. x ~ N(0, σ_max² I), each draw from its own stream.
        x.withUnsafeMutableBufferPointer { xs in
            for b in 0..<draws {
                rngs[b].fillGaussian(xs.baseAddress! + b * 2 * n, count: 2 * n, scale: cfg.sigmaMax)
            }
        }
        let adjointY: ComplexArray? = self.operator.adjoint(y)
        var timings = DAPSTimings()
        var evaluations = 0
        var sigmas = [Float](repeating: 0, count: draws)
        for i in 0..<cfg.annealingSteps {
            // (a) x̂₀ by the probability-flow ODE (Euler), all draws batched.
            evaluations += try odeEstimate(&x, sigma: grid[i], sigmas: &sigmas, timings: &timings)
            guard Self.allFinite(x.storage) else { throw DAPSError.nonFinite(stage: "denoiser", annealingStep: i) }
            // (b) x₀ ~ p(x₀ | x̂₀, y) and (c) re-noise to σ_{i+1}, every draw concurrently.
            let t1 = DispatchTime.now().uptimeNanoseconds
            let sigma = grid[i], next = grid[i + 1]
            let step = cfg.conditional
            let a = self.operator
            let eta: Float = {
                if case .langevin(_, let lr, let ratio, _) = step {
                    return Self.learningRate(lr: lr, minRatio: ratio, step: i, steps: cfg.annealingSteps)
                }
                return 0
            }()
            x.withUnsafeMutableBufferPointer { xs in
                rngs.withUnsafeMutableBufferPointer { rs in
                    nonisolated(unsafe) let xp = xs.baseAddress!, rp = rs.baseAddress!
                    DispatchQueue.concurrentPerform(iterations: draws) { b in
                        let planes = xp + b * 2 * n
                        var estimate = ComplexArray(zeros: shape)
                        estimate.withUnsafeMutableBufferPointer { e in
                            for j in 0..<n { e[j] = ComplexFloat(planes[j], planes[n + j]) }
                        }
                        let x0 = Self.conditionalDraw(
                            step: step, operator: a, estimate: estimate, sigma: sigma, eta: eta, measurements: y,
                            adjointMeasurements: adjointY, rng: &rp[b])
                        x0.storage.withUnsafeBufferPointer { z in
                            for j in 0..<n {
                                planes[j] = z[j].re
                                planes[n + j] = z[j].im
                            }
                        }
                        if next > 0 { rp[b].fillGaussian(planes, count: 2 * n, scale: next, accumulate: true) }
                    }
                }
            }
            timings.conditional += Double(DispatchTime.now().uptimeNanoseconds - t1) * 1e-9
            guard Self.allFinite(x.storage) else { throw DAPSError.nonFinite(stage: "conditional step", annealingStep: i) }
            progress?(DAPSProgress(annealingStep: i + 1, annealingSteps: cfg.annealingSteps, networkEvaluations: evaluations))
        }
        var samples: [ComplexArray] = []
        samples.reserveCapacity(draws)
        x.storage.withUnsafeBufferPointer { xs in
            for b in 0..<draws {
                var s = ComplexArray(zeros: shape)
                s.withUnsafeMutableBufferPointer { z in
                    let base = b * 2 * n
                    for j in 0..<n { z[j] = ComplexFloat(xs[base + j], xs[base + n + j]) }
                }
                samples.append(s)
            }
        }
        timings.total = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return DAPSResult(samples: samples, networkEvaluations: evaluations, timings: timings)
    }

    /// Step (a) for a batch x [B, 2, H, W] at level σ: N_ODE Euler steps of the probability-flow
    /// ODE, x ← x + (1 − σ_{k+1}/σ_k)·(D(x, σ_k) − x) on `NoiseSchedule.odeGrid(from: σ, steps:)`;
    /// the final step (to 0) sets x = D(x, σ_last) exactly (σ_last = 0.01 when N_ODE ≥ 2).
    public func probabilityFlowEstimate(_ x: FloatArray, sigma: Float) throws -> FloatArray {
        var out = x
        var sigmas = [Float](repeating: 0, count: x.shape.first ?? 0)
        var timings = DAPSTimings()
        _ = try odeEstimate(&out, sigma: sigma, sigmas: &sigmas, timings: &timings)
        return out
    }

    /// In-place step (a); returns the number of network evaluations (N_ODE).
    func odeEstimate(_ x: inout FloatArray, sigma: Float, sigmas: inout [Float], timings: inout DAPSTimings) throws -> Int {
        let ode = NoiseSchedule.odeGrid(from: sigma, steps: configuration.odeSteps)
        for k in 0..<configuration.odeSteps {
            for b in 0..<sigmas.count { sigmas[b] = ode[k] }
            let t0 = DispatchTime.now().uptimeNanoseconds
            let d = try denoiser.denoise(x, sigma: sigmas)
            timings.network += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            guard d.shape == x.shape else {
                throw DAPSError.invalidInput(parameter: "denoiser", problem: "returned shape \(d.shape) for input \(x.shape)")
            }
            if ode[k + 1] == 0 {
                x = d
            } else {
                let c = 1 - ode[k + 1] / ode[k]
                x.withUnsafeMutableBufferPointer { xs in
                    d.storage.withUnsafeBufferPointer { ds in
                        for j in 0..<xs.count { xs[j] += c * (ds[j] - xs[j]) }
                    }
                }
            }
        }
        return configuration.odeSteps
    }

    /// One draw of step (b) for one image.
    static func conditionalDraw(
        step: ConditionalStep, operator a: any LinearOperator, estimate: ComplexArray, sigma: Float, eta: Float,
        measurements y: ComplexArray, adjointMeasurements: ComplexArray?, rng: inout SeededRNG
    ) -> ComplexArray {
        switch step {
        case .gaussianCG(let tau, let iterations, let tolerance):
            return GaussianConditional.draw(
                operator: a, estimate: estimate, sigma: sigma, tau: tau, adjointMeasurements: adjointMeasurements!,
                iterations: iterations, tolerance: tolerance, rng: &rng
            ).solution
        case .langevin(let steps, _, _, let tau):
            let ahy = adjointMeasurements!
            var z = estimate
            let invT2 = 1 / (tau * tau), invS2 = 1 / (sigma * sigma), noise = (2 * eta).squareRoot()
            for _ in 0..<steps {
                let g = a.normal(z)
                z.withUnsafeMutableBufferPointer { zp in
                    g.storage.withUnsafeBufferPointer { gp in
                        ahy.storage.withUnsafeBufferPointer { hp in
                            estimate.storage.withUnsafeBufferPointer { ep in
                                for j in 0..<zp.count {
                                    let (e1, e2) = rng.gaussianPairFast()
                                    let z0 = zp[j]
                                    let gr = (gp[j].re - hp[j].re) * invT2 + (z0.re - ep[j].re) * invS2
                                    let gi = (gp[j].im - hp[j].im) * invT2 + (z0.im - ep[j].im) * invS2
                                    zp[j] = ComplexFloat(z0.re - eta * gr + noise * e1, z0.im - eta * gi + noise * e2)
                                }
                            }
                        }
                    }
                }
            }
            return z
        }
    }

    static func allFinite(_ s: [Float]) -> Bool {
        s.withUnsafeBufferPointer { p in
            var ok = true
            for v in p where !v.isFinite { ok = false; break }
            return ok
        }
    }
}
