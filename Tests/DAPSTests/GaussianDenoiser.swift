import DAPS
import MRICore

/// The exact denoiser of a Gaussian prior x ~ N(μ, diag v) on the 2-channel model image
/// (channel 0 real, 1 imaginary; every real coordinate independent).
///
/// For x_σ = x + σ n, n ~ N(0, I): E[x | x_σ] = μ + v/(v + σ²)·(x_σ − μ) element-wise. Used as
/// the analytic prior for tests and development: with a linear operator the DAPS target
/// posterior is then Gaussian and known in closed form. Batch-invariant (each item independent).
struct GaussianDenoiser: Denoiser {
    /// μ, shape [2, H, W].
let mean: FloatArray
    /// v > 0, shape [2, H, W].
let variance: FloatArray

var channels: Int { 2 }

    /// A prior with per-coordinate mean and variance, both [2, H, W]; v must be positive.
init(mean: FloatArray, variance: FloatArray) throws {
        guard mean.shape.count == 3, mean.shape[0] == 2 else {
            throw DAPSError.invalidInput(parameter: "mean", problem: "shape \(mean.shape) is not [2, H, W]")
        }
        guard variance.shape == mean.shape else {
            throw DAPSError.invalidInput(parameter: "variance", problem: "shape \(variance.shape) ≠ mean shape \(mean.shape)")
        }
        guard variance.storage.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw DAPSError.invalidInput(parameter: "variance", problem: "must be positive and finite everywhere")
        }
        self.mean = mean
        self.variance = variance
    }

    /// A prior with complex mean μ [H, W] and per-pixel variance v [H, W] shared by the real and
    /// imaginary parts (each part has variance v; E|x − μ|² = 2v).
init(complexMean: ComplexArray, pixelVariance: FloatArray) throws {
        guard complexMean.rank == 2 else {
            throw DAPSError.invalidInput(parameter: "complexMean", problem: "shape \(complexMean.shape) is not [H, W]")
        }
        guard pixelVariance.shape == complexMean.shape else {
            throw DAPSError.invalidInput(
                parameter: "pixelVariance", problem: "shape \(pixelVariance.shape) ≠ mean shape \(complexMean.shape)")
        }
        let n = complexMean.count
        var m = [Float](repeating: 0, count: 2 * n)
        for i in 0..<n {
            m[i] = complexMean.storage[i].re
            m[n + i] = complexMean.storage[i].im
        }
        try self.init(
            mean: FloatArray(shape: [2] + complexMean.shape, storage: m),
            variance: FloatArray(shape: [2] + complexMean.shape, storage: pixelVariance.storage + pixelVariance.storage))
    }

    /// D(x, σ_b) = μ + v/(v + σ_b²)·(x_b − μ) for x of shape [B, 2, H, W].
func denoise(_ x: FloatArray, sigma: [Float]) throws -> FloatArray {
        guard x.shape.count == 4, Array(x.shape.dropFirst()) == mean.shape else {
            throw DAPSError.invalidInput(parameter: "x", problem: "shape \(x.shape) is not [B] + \(mean.shape)")
        }
        let batch = x.shape[0], n = mean.count
        guard sigma.count == batch else {
            throw DAPSError.invalidInput(parameter: "sigma", problem: "\(sigma.count) levels for batch \(batch)")
        }
        guard sigma.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw DAPSError.invalidInput(parameter: "sigma", problem: "must be positive and finite")
        }
        var out = x
        out.withUnsafeMutableBufferPointer { o in
            mean.storage.withUnsafeBufferPointer { mu in
                variance.storage.withUnsafeBufferPointer { v in
                    for b in 0..<batch {
                        let s2 = sigma[b] * sigma[b], base = b * n
                        for j in 0..<n {
                            o[base + j] = mu[j] + v[j] / (v[j] + s2) * (o[base + j] - mu[j])
                        }
                    }
                }
            }
        }
        return out
    }
}
