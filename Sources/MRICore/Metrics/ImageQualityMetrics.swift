/// Image-quality metrics with fastMRI's semantics (`fastmri/evaluate.py`), computed per volume.
///
/// A volume is a `FloatArray` of shape `[slices, H, W]` (magnitude images); a single image
/// `[H, W]` is a one-slice volume. Both inputs must have the same shape (crop first).
/// - NMSE = ‖gt − pred‖² / ‖gt‖² over the whole volume.
/// - PSNR = 10·log10(R² / MSE), R = `dataRange` (default: gt.max() of the volume).
/// - SSIM = mean over slices of scikit-image `structural_similarity` with a 7×7 uniform window,
///   K1 = 0.01, K2 = 0.03, sample covariance (N/(N−1)), data range R, averaged over the
///   pixels whose window lies inside the image (skimage crops (7−1)/2 = 3 pixels per side).
/// Reference: Wang et al., "Image quality assessment: from error visibility to structural
/// similarity", IEEE TIP 2004.
public enum ImageQualityMetrics {
    /// Normalised mean squared error ‖gt − pred‖²/‖gt‖².
    public static func nmse(target gt: FloatArray, prediction pred: FloatArray) -> Double {
        precondition(gt.shape == pred.shape, "nmse: \(gt.shape) vs \(pred.shape)")
        var num = 0.0, den = 0.0
        for i in 0..<gt.count {
            let d = Double(gt.storage[i]) - Double(pred.storage[i])
            num += d * d
            den += Double(gt.storage[i]) * Double(gt.storage[i])
        }
        return num / den
    }

    /// Peak signal-to-noise ratio in dB with the volume maximum of `gt` as data range.
    public static func psnr(target gt: FloatArray, prediction pred: FloatArray, dataRange: Double? = nil) -> Double {
        precondition(gt.shape == pred.shape, "psnr: \(gt.shape) vs \(pred.shape)")
        let range = dataRange ?? Double(gt.max)
        var mse = 0.0
        for i in 0..<gt.count {
            let d = Double(gt.storage[i]) - Double(pred.storage[i])
            mse += d * d
        }
        mse /= Double(gt.count)
        return 10 * log10(range * range / mse)
    }

    /// Structural similarity averaged over slices (fastMRI `ssim`).
    public static func ssim(target gt: FloatArray, prediction pred: FloatArray, dataRange: Double? = nil) -> Double {
        precondition(gt.shape == pred.shape, "ssim: \(gt.shape) vs \(pred.shape)")
        precondition(gt.shape.count == 2 || gt.shape.count == 3, "ssim expects [H, W] or [slices, H, W]")
        let range = dataRange ?? Double(gt.max)
        let slices = gt.shape.count == 3 ? gt.shape[0] : 1
        let h = gt.shape[gt.shape.count - 2], w = gt.shape[gt.shape.count - 1]
        var total = 0.0
        for s in 0..<slices {
            total += gt.storage.withUnsafeBufferPointer { g in
                pred.storage.withUnsafeBufferPointer { p in
                    sliceSSIM(g.baseAddress! + s * h * w, p.baseAddress! + s * h * w, h: h, w: w, range: range)
                }
            }
        }
        return total / Double(slices)
    }

    /// Mean SSIM of one H×W slice (7×7 window, valid region only).
    static func sliceSSIM(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, h: Int, w: Int, range: Double) -> Double {
        let win = 7, pad = 3
        precondition(h >= win && w >= win, "ssim needs at least 7×7 pixels")
        let np = Double(win * win)
        let covNorm = np / (np - 1)
        let c1 = (0.01 * range) * (0.01 * range)
        let c2 = (0.03 * range) * (0.03 * range)
        // Summed-area tables of x, y, x², y², xy (double precision).
        let sw = w + 1
        var tables = [[Double]](repeating: [Double](repeating: 0, count: (h + 1) * sw), count: 5)
        for i in 0..<h {
            var row = [Double](repeating: 0, count: 5)
            for j in 0..<w {
                let a = Double(x[i * w + j]), b = Double(y[i * w + j])
                row[0] += a; row[1] += b; row[2] += a * a; row[3] += b * b; row[4] += a * b
                for t in 0..<5 { tables[t][(i + 1) * sw + j + 1] = tables[t][i * sw + j + 1] + row[t] }
            }
        }
        func boxMean(_ t: Int, _ i: Int, _ j: Int) -> Double {
            let i0 = i - pad, j0 = j - pad, i1 = i + pad + 1, j1 = j + pad + 1
            let tb = tables[t]
            return (tb[i1 * sw + j1] - tb[i0 * sw + j1] - tb[i1 * sw + j0] + tb[i0 * sw + j0]) / np
        }
        var sum = 0.0
        var n = 0
        for i in pad..<(h - pad) {
            for j in pad..<(w - pad) {
                let ux = boxMean(0, i, j), uy = boxMean(1, i, j)
                let vx = covNorm * (boxMean(2, i, j) - ux * ux)
                let vy = covNorm * (boxMean(3, i, j) - uy * uy)
                let vxy = covNorm * (boxMean(4, i, j) - ux * uy)
                let a1 = 2 * ux * uy + c1, a2 = 2 * vxy + c2
                let b1 = ux * ux + uy * uy + c1, b2 = vx + vy + c2
                sum += (a1 * a2) / (b1 * b2)
                n += 1
            }
        }
        return sum / Double(n)
    }
}

import Foundation
