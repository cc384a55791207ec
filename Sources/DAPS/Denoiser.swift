import MRICore

/// A Gaussian denoiser: the Tweedie estimate D(x, σ) ≈ E[x₀ | x₀ + σ·n = x], n ~ N(0, I).
///
/// The score of the noisy marginal is (D(x, σ) − x)/σ² (DAPS.md). Inputs are batches
/// `[batch, channels, height, width]` (for MRI priors channels = 2: real, imaginary), and every
/// batch item carries its own noise level: `sigma.count == batch`, all σ > 0.
public protocol Denoiser: Sendable {
    /// Number of image channels the denoiser expects (axis 1 of the batch).
    var channels: Int { get }

    /// D(x, σ_b) for every batch item b; returns an array of the same shape as `x`.
    /// Throws when the shape, the channel count or σ are unacceptable.
    func denoise(_ x: FloatArray, sigma: [Float]) throws -> FloatArray
}
