import Foundation
import MRICore

/// The thermal noise level of a k-space slice, estimated from the data alone (for inputs
/// without a noise scan).
///
/// Far from the centre, MR k-space holds little signal, so its samples are close to pure complex
/// Gaussian noise: with σ per real coordinate, |n| is Rayleigh distributed and its median is
/// σ·√(2 ln 2). The estimate is median|k| / √(2 ln 2) over the acquired samples (non-zero: the
/// undersampling mask leaves zeros) of the four k-space corners |k_x| > 3/4·k_x,max and
/// |k_y| > 3/4·k_y,max, over all coils. Any signal left there raises the median, so the estimate
/// errs on the high side: within 0–11 % of the simulated σ on the knee validation and
/// fastMRI-geometry files and up to 50 % high on brains whose images fill their small matrix
/// (docs/evaluation.md, "Noise-adaptive τ"). Coil compression by an SVD (orthonormal) and
/// readout-oversampling removal (orthonormal FFTs) keep white noise white with the same σ, so it
/// can be applied after them.
public enum KSpaceNoiseEstimate {
    /// Fewer acquired corner samples than this give no estimate.
    public static let minimumSamples = 256
    /// The corners: beyond this fraction of the largest |k| on both axes.
    public static let cornerFraction = 0.75

    /// σ per real coordinate of `kspace` `[coils, H, W]` (or `[H, W]`); nil without enough
    /// acquired corner samples or when they are all zero.
    public static func standardDeviation(_ kspace: ComplexArray) -> Float? {
        let h = kspace.shape[kspace.rank - 2], w = kspace.shape[kspace.rank - 1]
        let planes = kspace.count / max(1, h * w)
        func outer(_ i: Int, _ n: Int) -> Bool { abs(Double(i - n / 2)) > cornerFraction * Double(n) / 2 }
        let rows = (0..<h).filter { outer($0, h) }, cols = (0..<w).filter { outer($0, w) }
        var magnitudes = [Float]()
        magnitudes.reserveCapacity(planes * rows.count * cols.count)
        for p in 0..<planes {
            for i in rows {
                let base = (p * h + i) * w
                for j in cols {
                    let v = kspace.storage[base + j]
                    if v.re != 0 || v.im != 0 { magnitudes.append(v.magnitude) }
                }
            }
        }
        guard magnitudes.count >= minimumSamples else { return nil }
        magnitudes.sort()
        let n = magnitudes.count
        let median = n % 2 == 1 ? magnitudes[n / 2] : (magnitudes[n / 2 - 1] + magnitudes[n / 2]) / 2
        guard median > 0 else { return nil }
        return median / Float((2 * log(2.0)).squareRoot())
    }
}
