import Foundation
import MRICore

/// Noise prewhitening of multi-coil data from noise-only samples (Pruessmann et al., MRM 2001,
/// appendix; Gadgetron `NoiseAdjustGadget`; BART `whiten`).
///
/// From noise samples n (C coils × N samples) the coil noise covariance is
/// Ψ = Σ_s n_s n_sᴴ / (N − 1) (Hermitian, estimated in double precision) with Cholesky factor
/// Ψ = L Lᴴ. Data y (C coils per sample) map to W y with
///
///   W = √(2 · Δt_data / Δt_noise · B) · L⁻¹,
///
/// Gadgetron's convention: Δt are the sample dwell times of the data and of the noise scan
/// (noise power scales with the sampled bandwidth 1/Δt), B the receiver's relative noise
/// bandwidth (`relativeReceiverNoiseBandwidth`, 1 if unknown). Noise with covariance Ψ·Δt_noise/
/// (Δt_data·B) then comes out white with unit variance per real and imaginary part (E|·|² = 2
/// per coil) and uncorrelated between coils. W is lower triangular, so coil c of the result
/// mixes coils 0…c.
public struct NoiseWhitening: Sendable {
    /// Number of coils C.
    public let coils: Int
    /// W, row-major C × C.
    public let matrix: [ComplexFloat]
    /// The estimated Ψ, row-major C × C.
    public let covariance: [ComplexFloat]
    /// Noise samples per coil N the estimate used.
    public let samples: Int

    /// Fits W to `noise` `[coils, N]` (N ≥ 2 samples per coil).
    /// - Throws: `AcquisitionError.invalidParameter` when there are too few samples or Ψ is not
    ///   positive definite (a dead or duplicated channel).
    public init(noise: ComplexArray, dataDwellTime: Double = 1, noiseDwellTime: Double = 1,
                relativeNoiseBandwidth: Double = 1) throws {
        guard noise.rank == 2, noise.shape[0] >= 1, noise.shape[1] >= 2 else {
            throw AcquisitionError.invalidParameter(name: "noise", value: "\(noise.shape)", reason: "needs [coils, N] with N ≥ 2 samples")
        }
        guard dataDwellTime > 0, noiseDwellTime > 0, relativeNoiseBandwidth > 0 else {
            throw AcquisitionError.invalidParameter(name: "dwell time", value: "\(dataDwellTime), \(noiseDwellTime)", reason: "must be positive")
        }
        let c = noise.shape[0], n = noise.shape[1]
        var psi = [(re: Double, im: Double)](repeating: (0, 0), count: c * c)
        noise.storage.withUnsafeBufferPointer { p in
            for i in 0..<c {
                for j in 0...i {
                    var re = 0.0, im = 0.0
                    for s in 0..<n {
                        let a = p[i * n + s], b = p[j * n + s]  // a · conj(b)
                        re += Double(a.re) * Double(b.re) + Double(a.im) * Double(b.im)
                        im += Double(a.im) * Double(b.re) - Double(a.re) * Double(b.im)
                    }
                    psi[i * c + j] = (re / Double(n - 1), im / Double(n - 1))
                    psi[j * c + i] = (re / Double(n - 1), -im / Double(n - 1))
                }
            }
        }
        let l = try Self.cholesky(psi, c)
        let inverse = Self.invertLower(l, c)
        let scale = (2 * dataDwellTime / noiseDwellTime * relativeNoiseBandwidth).squareRoot()
        coils = c
        samples = n
        covariance = psi.map { ComplexFloat(Float($0.re), Float($0.im)) }
        matrix = inverse.map { ComplexFloat(Float($0.re * scale), Float($0.im * scale)) }
    }

    /// W applied to every sample of `data` `[coils, ...]` or `[slices, coils, ...]` (the coil
    /// axis is the first whose extent is `coils`: axis 0 for rank ≤ 3, axis 1 for rank 4).
    public func apply(_ data: ComplexArray) throws -> ComplexArray {
        let axis = data.rank == 4 ? 1 : 0
        guard data.rank >= 2, data.shape[axis] == coils else {
            throw AcquisitionError.shapeMismatch(what: "NoiseWhitening.apply", expected: "\(coils) coils", actual: data.shape)
        }
        let outer = data.shape[..<axis].reduce(1, *), inner = data.shape[(axis + 1)...].reduce(1, *)
        var out = data
        out.withUnsafeMutableBufferPointer { o in
            data.storage.withUnsafeBufferPointer { x in
                for b in 0..<outer {
                    let base = b * coils * inner
                    for r in 0..<coils {
                        for i in 0..<inner { o[base + r * inner + i] = .zero }
                        for k in 0...r {
                            let w = matrix[r * coils + k]
                            for i in 0..<inner { o[base + r * inner + i] += w * x[base + k * inner + i] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Lower L with Ψ = L Lᴴ (complex Cholesky–Banachiewicz in double precision).
    static func cholesky(_ a: [(re: Double, im: Double)], _ n: Int) throws -> [(re: Double, im: Double)] {
        var l = [(re: Double, im: Double)](repeating: (0, 0), count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var re = a[i * n + j].re, im = a[i * n + j].im
                for k in 0..<j {  // − L_ik · conj(L_jk)
                    let x = l[i * n + k], y = l[j * n + k]
                    re -= x.re * y.re + x.im * y.im
                    im -= x.im * y.re - x.re * y.im
                }
                if i == j {
                    guard re > 1e-30 * max(1, abs(a[0].re)), re.isFinite else {
                        throw AcquisitionError.invalidParameter(
                            name: "noise covariance", value: "coil \(i)",
                            reason: "is not positive definite (a silent or duplicated channel?)")
                    }
                    l[i * n + i] = (re.squareRoot(), 0)
                } else {
                    let d = l[j * n + j].re
                    l[i * n + j] = (re / d, im / d)
                }
            }
        }
        return l
    }

    /// L⁻¹ of a lower-triangular L with a real positive diagonal (forward substitution).
    static func invertLower(_ l: [(re: Double, im: Double)], _ n: Int) -> [(re: Double, im: Double)] {
        var inv = [(re: Double, im: Double)](repeating: (0, 0), count: n * n)
        for col in 0..<n {
            inv[col * n + col] = (1 / l[col * n + col].re, 0)
            for i in (col + 1)..<max(col + 1, n) {
                var re = 0.0, im = 0.0
                for k in col..<i {  // Σ L_ik · inv_k,col
                    let a = l[i * n + k], b = inv[k * n + col]
                    re += a.re * b.re - a.im * b.im
                    im += a.re * b.im + a.im * b.re
                }
                let d = l[i * n + i].re
                inv[i * n + col] = (-re / d, -im / d)
            }
        }
        return inv
    }
}
