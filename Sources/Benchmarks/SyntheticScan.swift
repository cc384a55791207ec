import Foundation
import MRICore

/// A deterministic synthetic multi-coil slice for benchmarks and end-to-end tests: a modified
/// Shepp–Logan phantom (Toft's intensities) with a smooth phase, seen by birdcage-like coils
/// placed on a circle around the field of view, plus complex Gaussian noise, in k-space.
public enum SyntheticScan {
    /// k-space `[coils, H, W]` and the noiseless complex image `[H, W]`.
    public static func make(height h: Int, width w: Int, coils: Int, noise: Float = 0.002, seed: UInt64 = 7)
        -> (kspace: ComplexArray, image: ComplexArray)
    {
        // (intensity, a, b, x0, y0, angle in degrees), coordinates in [-1, 1].
        let ellipses: [(Double, Double, Double, Double, Double, Double)] = [
            (1.0, 0.69, 0.92, 0, 0, 0), (-0.8, 0.6624, 0.874, 0, -0.0184, 0),
            (-0.2, 0.11, 0.31, 0.22, 0, -18), (-0.2, 0.16, 0.41, -0.22, 0, 18),
            (0.1, 0.21, 0.25, 0, 0.35, 0), (0.1, 0.046, 0.046, 0, 0.1, 0),
            (0.1, 0.046, 0.046, 0, -0.1, 0), (0.1, 0.046, 0.023, -0.08, -0.605, 0),
            (0.1, 0.023, 0.023, 0, -0.606, 0), (0.1, 0.023, 0.046, 0.06, -0.605, 0),
        ]
        var image = ComplexArray(zeros: [h, w])
        for i in 0..<h {
            let y = 2 * (Double(i) + 0.5) / Double(h) - 1
            for j in 0..<w {
                let x = 2 * (Double(j) + 0.5) / Double(w) - 1
                var v = 0.0
                for (a, ea, eb, x0, y0, deg) in ellipses {
                    let t = deg * .pi / 180
                    let xr = (x - x0) * cos(t) + (y - y0) * sin(t)
                    let yr = -(x - x0) * sin(t) + (y - y0) * cos(t)
                    if (xr * xr) / (ea * ea) + (yr * yr) / (eb * eb) <= 1 { v += a }
                }
                let phase = 0.6 * x - 0.4 * y + 0.3 * x * y
                image[i, j] = ComplexFloat(Float(v * cos(phase)), Float(v * sin(phase)))
            }
        }
        var coilImages = ComplexArray(zeros: [coils, h, w])
        for c in 0..<coils {
            let a = 2 * Double.pi * Double(c) / Double(coils)
            let cx = 1.4 * cos(a), cy = 1.4 * sin(a)
            for i in 0..<h {
                let y = 2 * (Double(i) + 0.5) / Double(h) - 1
                for j in 0..<w {
                    let x = 2 * (Double(j) + 0.5) / Double(w) - 1
                    let d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy)
                    let mag = 1 / (1 + d2 / 1.2)
                    let ph = a + (x * sin(a) - y * cos(a))
                    let s = ComplexFloat(Float(mag * cos(ph)), Float(mag * sin(ph)))
                    coilImages[c, i, j] = s * image[i, j]
                }
            }
        }
        var k = CenteredFFT.forward(coilImages)
        var rng = SeededRNG(seed: seed)
        for i in 0..<k.count { k[linear: i] += rng.complexGaussian() * noise }
        return (k, image)
    }
}
