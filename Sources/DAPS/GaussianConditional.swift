import MRICore

/// The exact Gaussian conditional of DAPS step (b) for a linear operator, by perturb-and-solve.
///
/// Target: p(x₀) ∝ N(x₀; x̂₀, σ² I) · exp(−‖A x₀ − y‖²/(2τ²)) over the real coordinates, a
/// Gaussian with precision P = I/σ² + AᴴA/τ² and mean P⁻¹(x̂₀/σ² + Aᴴy/τ²). Given perturbed
/// x̃ = x̂₀ + σ ε₁ and ỹ = y + τ ε₂ (ε standard normal per real coordinate), the solution of
/// P x = x̃/σ² + Aᴴỹ/τ² has exactly that mean and covariance P⁻¹ (Papandreou & Yuille 2010).
/// Solved as (I + λ AᴴA) x = x̃ + λ Aᴴỹ with λ = σ²/τ² by conjugate gradients, warm-started at
/// x̂₀. For A = M·F (single coil, Cartesian mask M, unitary F) the matrix has the two
/// eigenvalues 1 and 1 + λ, so CG is exact after at most 2 iterations and the solution is the
/// k-space closed form X_k = (X̃_k + λ m_k Ỹ_k)/(1 + λ m_k).
public enum GaussianConditional {
    /// Solves (I + λ AᴴA) x = x̃ + λ Aᴴỹ, λ = σ²/τ²; returns x and the CG iterations run.
    /// `estimate` (x̂₀) is the warm start; `perturbedImage` is x̃ and `perturbedMeasurements` ỹ.
    public static func solve(
        operator a: any LinearOperator, estimate: ComplexArray, sigma: Float, tau: Float,
        perturbedImage: ComplexArray, perturbedMeasurements: ComplexArray, iterations: Int, tolerance: Float
    ) -> (solution: ComplexArray, iterations: Int) {
        let lambda = (sigma * sigma) / (tau * tau)
        var rhs = a.adjoint(perturbedMeasurements)
        rhs.scale(by: lambda)
        rhs.add(perturbedImage)
        return solveSystem(operator: a, lambda: lambda, rhs: rhs, start: estimate, iterations: iterations, tolerance: tolerance)
    }

    /// One exact draw from the conditional given the precomputed Aᴴy: x̃ = x̂₀ + σ ε₁ and
    /// Aᴴỹ = Aᴴy + Aᴴ(τ ε₂) (`adjointOfNoise`: the operator's own sampler when it conforms to
    /// `NoiseAdjointSampling`, which draws only the variates Aᴴ does not annihilate), then the
    /// same CG solve as `solve`. Same law as `solve` with perturbed inputs; the operator's draw
    /// comes first from `rng`, then ε₁.
    public static func draw(
        operator a: any LinearOperator, estimate: ComplexArray, sigma: Float, tau: Float,
        adjointMeasurements ahy: ComplexArray, iterations: Int, tolerance: Float,
        rng: inout some RandomNumberGenerator
    ) -> (solution: ComplexArray, iterations: Int) {
        let lambda = (sigma * sigma) / (tau * tau)
        var rhs = a.adjointOfNoise(scale: tau, rng: &rng)
        rhs.add(ahy)
        rhs.scale(by: lambda)
        var xt = estimate
        xt.withUnsafeMutableBufferPointer { p in
            p.withMemoryRebound(to: Float.self) { f in
                rng.fillGaussian(f.baseAddress!, count: f.count, scale: sigma, accumulate: true)
            }
        }
        rhs.add(xt)
        return solveSystem(operator: a, lambda: lambda, rhs: rhs, start: estimate, iterations: iterations, tolerance: tolerance)
    }

    /// (I + λ AᴴA) x = rhs by CG from `start`.
    static func solveSystem(
        operator a: any LinearOperator, lambda: Float, rhs: ComplexArray, start: ComplexArray, iterations: Int,
        tolerance: Float
    ) -> (solution: ComplexArray, iterations: Int) {
        return ConjugateGradient.solve(
            normal: { v in
                var r = a.normal(v)
                r.scale(by: lambda)
                r.add(v)
                return r
            }, rhs: rhs, initial: start, maxIterations: iterations, tolerance: Double(tolerance))
    }
}
