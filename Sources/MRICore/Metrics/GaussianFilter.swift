import Foundation

/// Separable Gaussian smoothing of 2-D images, as SciPy's
/// `scipy.ndimage.gaussian_filter(x, sigma, mode="nearest", truncate=3.0)`: the kernel
/// exp(−k²/2σ²) for |k| ≤ r = ⌊3σ + 0.5⌋, normalised to sum 1, applied along columns then rows,
/// with the edge pixel repeated beyond the border.
public enum GaussianFilter {
    /// The normalised 1-D kernel (2r + 1 taps).
    public static func kernel(sigma: Double, truncate: Double = 3) -> [Double] {
        precondition(sigma > 0, "GaussianFilter: sigma must be > 0")
        let r = Int(truncate * sigma + 0.5)
        let taps = (-r...r).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let sum = taps.reduce(0, +)
        return taps.map { $0 / sum }
    }

    /// `image` (row-major `height × width`) smoothed with standard deviation `sigma` pixels.
    public static func smooth(_ image: [Double], height: Int, width: Int, sigma: Double) -> [Double] {
        precondition(image.count == height * width, "GaussianFilter: \(image.count) values for \(height)×\(width)")
        let k = kernel(sigma: sigma), r = k.count / 2
        var rows = [Double](repeating: 0, count: image.count)
        for y in 0..<height {  // along the row (x)
            for x in 0..<width {
                var acc = 0.0
                for t in -r...r { acc += k[t + r] * image[y * width + Swift.min(width - 1, Swift.max(0, x + t))] }
                rows[y * width + x] = acc
            }
        }
        var out = [Double](repeating: 0, count: image.count)
        for y in 0..<height {  // along the column (y)
            for x in 0..<width {
                var acc = 0.0
                for t in -r...r { acc += k[t + r] * rows[Swift.min(height - 1, Swift.max(0, y + t)) * width + x] }
                out[y * width + x] = acc
            }
        }
        return out
    }
}
