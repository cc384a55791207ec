import Foundation
import MRICore
import MRIIO

/// A deterministic synthetic multi-coil slice for benchmarks and end-to-end tests: a modified
/// Shepp–Logan phantom (Toft's intensities) with a smooth phase, seen by birdcage-like coils
/// placed on a circle around the field of view, plus complex Gaussian noise, in k-space.
public enum SyntheticScan {
    /// k-space `[coils, H, W]` and the noiseless complex image `[H, W]`. With
    /// `readoutOversampling` r > 1 the object fills only the central H/r rows, as on a scanner
    /// that oversamples the readout (fastMRI knees: r = 2, 640 rows for a 320-row image).
    public static func make(height h: Int, width w: Int, coils: Int, noise: Float = 0.002, seed: UInt64 = 7,
                            readoutOversampling r: Int = 1)
        -> (kspace: ComplexArray, image: ComplexArray)
    {
        let objectRows = h / max(1, r), firstRow = (h - objectRows) / 2
        // (intensity, a, b, x0, y0, angle in degrees), coordinates in [-1, 1].
        let ellipses: [(Double, Double, Double, Double, Double, Double)] = [
            (1.0, 0.69, 0.92, 0, 0, 0), (-0.8, 0.6624, 0.874, 0, -0.0184, 0),
            (-0.2, 0.11, 0.31, 0.22, 0, -18), (-0.2, 0.16, 0.41, -0.22, 0, 18),
            (0.1, 0.21, 0.25, 0, 0.35, 0), (0.1, 0.046, 0.046, 0, 0.1, 0),
            (0.1, 0.046, 0.046, 0, -0.1, 0), (0.1, 0.046, 0.023, -0.08, -0.605, 0),
            (0.1, 0.023, 0.023, 0, -0.606, 0), (0.1, 0.023, 0.046, 0.06, -0.605, 0),
        ]
        var image = ComplexArray(zeros: [h, w])
        for i in firstRow..<(firstRow + objectRows) {
            let y = 2 * (Double(i - firstRow) + 0.5) / Double(objectRows) - 1
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

    /// Writes a one-slice fastMRI-layout file (train layout) of `make`'s k-space, with a
    /// `reconstruction_rss` target of the central `height/r × min(width, targetWidth)` (so the
    /// pipeline removes the readout oversampling as for a fastMRI knee) and `acquisition`.
    public static func writeFile(to url: URL, height h: Int, width w: Int, coils: Int, readoutOversampling r: Int,
                                 targetWidth: Int, acquisition: String) throws {
        let (k, _) = make(height: h, width: w, coils: coils, readoutOversampling: r)
        let th = h / max(1, r), tw = min(w, targetWidth)
        let images = CenteredFFT.inverse(k)
        var rss = FloatArray(zeros: [1, th, tw])
        let (i0, j0) = ((h - th) / 2, (w - tw) / 2)
        for i in 0..<th {
            for j in 0..<tw {
                var sum: Float = 0
                for c in 0..<coils { sum += images[c, i0 + i, j0 + j].magnitudeSquared }
                rss[0, i, j] = sum.squareRoot()
            }
        }
        var attributes = FastMRIAttributes()
        attributes.acquisition = acquisition
        try FastMRIWriter.write(kspace: k.reshaped([1] + k.shape), to: url, layout: .train,
                                targets: ["reconstruction_rss": rss], attributes: attributes, overwrite: true)
    }
}
