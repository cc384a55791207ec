import Foundation

/// Noise-level grids of DAPS (DAPS.md "Noise levels"): the EDM "poly-7" schedule
/// σ(r) = (σ_max^{1/7} + r·(σ_min^{1/7} − σ_max^{1/7}))^7, r ∈ [0, 1] (Karras et al. 2022, ρ = 7).
public enum NoiseSchedule {
    /// The σ at which every probability-flow ODE of step (a) stops before its final jump to 0,
    /// so the ODE's last value is exactly D(x, 0.01) (reference DAPS).
    public static let odeEndSigma: Float = 0.01

    /// `count` poly-7 levels from σ_max down to σ_min at r = linspace(0, 1, count)
    /// (r_i = i/(count−1); a single point is σ_max). Computed in double precision.
    public static func poly7(sigmaMax: Float, sigmaMin: Float, count: Int) -> [Float] {
        precondition(count >= 1, "poly7: count must be ≥ 1")
        let a = pow(Double(sigmaMax), 1.0 / 7.0), b = pow(Double(sigmaMin), 1.0 / 7.0)
        if count == 1 { return [sigmaMax] }
        return (0..<count).map { i in
            if i == count - 1 { return sigmaMin }
            let r = Double(i) / Double(count - 1)
            return Float(pow(a + r * (b - a), 7))
        }
    }

    /// The annealing grid σ_0 … σ_{N_A−1} (poly-7 from σ_max to σ_min) followed by a final 0:
    /// `annealingSteps + 1` values; step i re-noises its x₀ to level σ_{i+1}.
    public static func annealingGrid(sigmaMax: Float, sigmaMin: Float, annealingSteps: Int) -> [Float] {
        poly7(sigmaMax: sigmaMax, sigmaMin: sigmaMin, count: annealingSteps) + [0]
    }

    /// The Euler grid of the probability-flow ODE of step (a) that starts at σ: `steps` poly-7
    /// levels from σ down to `odeEndSigma` (min(σ, 0.01) when σ is already smaller), then 0.
    /// Returns `steps + 1` values. With steps ≥ 2 the last Euler step goes from 0.01 to 0, so the
    /// ODE returns exactly D(x, 0.01); with steps = 1 it returns D(x, σ) (Tweedie).
    public static func odeGrid(from sigma: Float, steps: Int) -> [Float] {
        precondition(steps >= 1, "odeGrid: steps must be ≥ 1")
        return poly7(sigmaMax: sigma, sigmaMin: min(odeEndSigma, sigma), count: steps) + [0]
    }
}
