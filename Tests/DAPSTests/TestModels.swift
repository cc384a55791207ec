import DAPS
import Foundation
import MRICore

// Small operators, priors and the dense closed-form Gaussian posterior used by the DAPS tests.

/// Single-coil Cartesian sampling: A x = M ⊙ F x with F the centred orthonormal 2-D FFT and M a
/// 0/1 mask over columns (the phase-encode axis W). ‖A‖ = 1.
struct MaskedFourierOperator: LinearOperator {
    let inputShape: [Int]
    let columns: [Float]
    var outputShape: [Int] { inputShape }
    init(height: Int, columns: [Float]) {
        inputShape = [height, columns.count]
        self.columns = columns
    }
    func masked(_ k: ComplexArray) -> ComplexArray {
        var k = k
        applyColumnMask(&k, columns)
        return k
    }
    func apply(_ x: ComplexArray) -> ComplexArray { masked(CenteredFFT.forward(x)) }
    func adjoint(_ y: ComplexArray) -> ComplexArray { CenteredFFT.inverse(masked(y)) }
}

/// k[..., j] *= columns[j] over the last axis.
func applyColumnMask(_ k: inout ComplexArray, _ columns: [Float]) {
    let w = columns.count
    k.withUnsafeMutableBufferPointer { kp in
        columns.withUnsafeBufferPointer { cp in
            var i = 0
            while i < kp.count {
                for j in 0..<w where cp[j] == 0 { kp[i + j] = .zero }
                i += w
            }
        }
    }
}

/// A tiny SENSE model: (A x)_c = M ⊙ F(S_c x), Aᴴ r = Σ_c conj(S_c)·Fᴴ(M ⊙ r_c), with maps
/// normalised to Σ_c |S_c|² = 1 (so ‖A‖ ≤ 1). Output [C, H, W].
struct TinySENSEOperator: LinearOperator {
    let maps: ComplexArray  // [C, H, W]
    let columns: [Float]
    var inputShape: [Int] { Array(maps.shape.dropFirst()) }
    var outputShape: [Int] { maps.shape }

    /// Smooth pseudo-random coil maps (coil c peaks near a point on a circle, with a phase ramp).
    init(coils: Int, height h: Int, columns: [Float]) {
        let w = columns.count
        var m = ComplexArray(zeros: [coils, h, w])
        for c in 0..<coils {
            let angle = 2 * Double.pi * Double(c) / Double(coils)
            let cy = Double(h) / 2 * (1 + 0.9 * sin(angle)), cx = Double(w) / 2 * (1 + 0.9 * cos(angle))
            for i in 0..<h {
                for j in 0..<w {
                    let d2 = (Double(i) - cy) * (Double(i) - cy) + (Double(j) - cx) * (Double(j) - cx)
                    let mag = exp(-d2 / Double(h * w) * 2)
                    let ph = 0.3 * Double(c) + 0.15 * Double(i - j)
                    m[c, i, j] = ComplexFloat(Float(mag * cos(ph)), Float(mag * sin(ph)))
                }
            }
        }
        for i in 0..<h {
            for j in 0..<w {
                var s: Float = 0
                for c in 0..<coils { s += m[c, i, j].magnitudeSquared }
                let r = 1 / s.squareRoot()
                for c in 0..<coils { m[c, i, j] = m[c, i, j] * r }
            }
        }
        maps = m
        self.columns = columns
    }

    func apply(_ x: ComplexArray) -> ComplexArray {
        let n = x.count, coils = maps.shape[0]
        var s = ComplexArray(zeros: maps.shape)
        s.withUnsafeMutableBufferPointer { sp in
            maps.storage.withUnsafeBufferPointer { mp in
                x.storage.withUnsafeBufferPointer { xp in
                    for c in 0..<coils { for i in 0..<n { sp[c * n + i] = mp[c * n + i] * xp[i] } }
                }
            }
        }
        var k = CenteredFFT.forward(s)
        applyColumnMask(&k, columns)
        return k
    }

    func adjoint(_ y: ComplexArray) -> ComplexArray {
        let coils = maps.shape[0]
        var k = y
        applyColumnMask(&k, columns)
        let img = CenteredFFT.inverse(k)
        var x = ComplexArray(zeros: inputShape)
        let n = x.count
        x.withUnsafeMutableBufferPointer { xp in
            maps.storage.withUnsafeBufferPointer { mp in
                img.storage.withUnsafeBufferPointer { ip in
                    for c in 0..<coils { for i in 0..<n { xp[i] += mp[c * n + i].conjugate * ip[c * n + i] } }
                }
            }
        }
        return x
    }
}

/// A Gaussian prior with a non-constant complex mean and per-pixel variance (shared by the real
/// and imaginary parts) on an H×W image.
struct TestPrior {
    let mean: ComplexArray
    let pixelVariance: FloatArray

    init(height h: Int, width w: Int) {
        var m = ComplexArray(zeros: [h, w])
        var v = FloatArray(zeros: [h, w])
        for i in 0..<h {
            for j in 0..<w {
                let y = Double(i) / Double(h - 1), x = Double(j) / Double(w - 1)
                let mag = 0.4 + 0.6 * exp(-((x - 0.5) * (x - 0.5) + (y - 0.45) * (y - 0.45)) * 6)
                let ph = 0.8 * x - 0.5 * y
                m[i, j] = ComplexFloat(Float(mag * cos(ph)), Float(mag * sin(ph)))
                // Standard deviations from ≈0.22 to ≈0.71.
                v[i, j] = Float(0.05 + 0.45 * (0.5 + 0.5 * sin(3 * x + 2 * y)))
            }
        }
        mean = m
        pixelVariance = v
    }

    func denoiser() throws -> GaussianDenoiser { try GaussianDenoiser(complexMean: mean, pixelVariance: pixelVariance) }

    /// The deterministic stand-in for A x_true + τ·noise shared with make_daps_fixtures.py:
    /// x_true_j = μ_j + √v_j·(cos(1.3j + 0.2) + i·sin(0.7j + 1.1)), noise_k = τ·(cos(2.1k + 0.5) + i·sin(3.7k)).
    func measurements(_ a: any LinearOperator, tau: Double) -> ComplexArray {
        var truth = mean
        for j in 0..<truth.count {
            let s = Double(pixelVariance.storage[j]).squareRoot(), d = Double(j)
            truth[linear: j] += ComplexFloat(Float(s * cos(1.3 * d + 0.2)), Float(s * sin(0.7 * d + 1.1)))
        }
        var y = a.apply(truth)
        for k in 0..<y.count {
            let d = Double(k)
            y[linear: k] += ComplexFloat(Float(tau * cos(2.1 * d + 0.5)), Float(tau * sin(3.7 * d)))
        }
        return y
    }

    /// A draw from the prior.
    func draw(using rng: inout SeededRNG) -> ComplexArray {
        var x = mean
        for i in 0..<x.count {
            let s = pixelVariance.storage[i].squareRoot()
            x[linear: i] += ComplexFloat(Float(rng.gaussian()) * s, Float(rng.gaussian()) * s)
        }
        return x
    }
}

/// The exact posterior of x ~ N(μ, diag v) (each real coordinate) given
/// p(y | x) ∝ exp(−‖A x − y‖²/(2τ²)): with equal variance for real and imaginary parts the real
/// 2n-dimensional precision is the real form of the complex Hermitian P = AᴴA/τ² + diag(1/v), so
/// mean = P⁻¹(Aᴴy/τ² + μ/v) and Var(Re x_j) = Var(Im x_j) = (P⁻¹)_jj. Dense, double precision.
struct ExactGaussianPosterior {
    let mean: [ComplexDouble]
    /// Variance of the real (= of the imaginary) part of each pixel.
    let componentVariance: [Double]

    init(operator a: any LinearOperator, prior: TestPrior, measurements y: ComplexArray, tau: Double) {
        let n = prior.mean.count
        var p = [ComplexDouble](repeating: .zero, count: n * n)  // row-major P[r, c]
        for c in 0..<n {
            var e = ComplexArray(zeros: a.inputShape)
            e[linear: c] = ComplexFloat(1, 0)
            let col = a.normal(e)
            for r in 0..<n {
                p[r * n + c] = ComplexDouble(Double(col.storage[r].re), Double(col.storage[r].im)) * (1 / (tau * tau))
            }
        }
        for r in 0..<n {
            for c in 0..<r {  // Hermitian symmetrisation (removes float round-off)
                let s = (p[r * n + c] + p[c * n + r].conjugate) * 0.5
                p[r * n + c] = s
                p[c * n + r] = s.conjugate
            }
            p[r * n + r] = ComplexDouble(p[r * n + r].re + 1 / Double(prior.pixelVariance.storage[r]), 0)
        }
        let l = Self.cholesky(p, n: n)
        let ahy = a.adjoint(y)
        var b = [ComplexDouble](repeating: .zero, count: n)
        for j in 0..<n {
            let mu = prior.mean.storage[j], v = Double(prior.pixelVariance.storage[j])
            b[j] = ComplexDouble(Double(ahy.storage[j].re) / (tau * tau) + Double(mu.re) / v,
                                 Double(ahy.storage[j].im) / (tau * tau) + Double(mu.im) / v)
        }
        mean = Self.backward(l, Self.forward(l, b, n: n), n: n)
        // diag(P⁻¹)_j = ‖L⁻¹ e_j‖².
        var variance = [Double](repeating: 0, count: n)
        for j in 0..<n {
            var e = [ComplexDouble](repeating: .zero, count: n)
            e[j] = ComplexDouble(1, 0)
            variance[j] = Self.forward(l, e, n: n).reduce(0) { $0 + $1.magnitudeSquared }
        }
        componentVariance = variance
    }

    /// P = L Lᴴ (lower L, row-major).
    static func cholesky(_ a: [ComplexDouble], n: Int) -> [ComplexDouble] {
        var l = [ComplexDouble](repeating: .zero, count: n * n)
        for j in 0..<n {
            var d = a[j * n + j].re
            for k in 0..<j { d -= l[j * n + k].magnitudeSquared }
            precondition(d > 0, "matrix not positive definite")
            let ljj = d.squareRoot()
            l[j * n + j] = ComplexDouble(ljj, 0)
            for i in (j + 1)..<max(j + 1, n) {
                var s = a[i * n + j]
                for k in 0..<j { s = s - l[i * n + k] * l[j * n + k].conjugate }
                l[i * n + j] = s * (1 / ljj)
            }
        }
        return l
    }

    /// Solves L z = b.
    static func forward(_ l: [ComplexDouble], _ b: [ComplexDouble], n: Int) -> [ComplexDouble] {
        var z = b
        for i in 0..<n {
            var s = z[i]
            for k in 0..<i { s = s - l[i * n + k] * z[k] }
            z[i] = s * (1 / l[i * n + i].re)
        }
        return z
    }

    /// Solves Lᴴ x = z.
    static func backward(_ l: [ComplexDouble], _ z: [ComplexDouble], n: Int) -> [ComplexDouble] {
        var x = z
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<max(i + 1, n) { s = s - l[k * n + i].conjugate * x[k] }
            x[i] = s * (1 / l[i * n + i].re)
        }
        return x
    }
}

/// A double-precision complex number for the dense reference computations.
struct ComplexDouble {
    var re: Double
    var im: Double
    init(_ re: Double, _ im: Double) {
        self.re = re
        self.im = im
    }
    static let zero = ComplexDouble(0, 0)
    var conjugate: ComplexDouble { ComplexDouble(re, -im) }
    var magnitudeSquared: Double { re * re + im * im }
    static func + (a: ComplexDouble, b: ComplexDouble) -> ComplexDouble { ComplexDouble(a.re + b.re, a.im + b.im) }
    static func - (a: ComplexDouble, b: ComplexDouble) -> ComplexDouble { ComplexDouble(a.re - b.re, a.im - b.im) }
    static func * (a: ComplexDouble, b: ComplexDouble) -> ComplexDouble {
        ComplexDouble(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    static func * (a: ComplexDouble, s: Double) -> ComplexDouble { ComplexDouble(a.re * s, a.im * s) }
}

/// Per-pixel empirical mean and unbiased per-component variance of the draws (real and
/// imaginary parts separately), in double precision.
struct EmpiricalMoments {
    let mean: [ComplexDouble]
    let varianceReal: [Double]
    let varianceImaginary: [Double]

    init(_ samples: [ComplexArray]) {
        let n = samples[0].count, k = Double(samples.count)
        var m = [ComplexDouble](repeating: .zero, count: n)
        for s in samples { for j in 0..<n { m[j] = m[j] + ComplexDouble(Double(s.storage[j].re), Double(s.storage[j].im)) } }
        m = m.map { $0 * (1 / k) }
        var vr = [Double](repeating: 0, count: n), vi = [Double](repeating: 0, count: n)
        for s in samples {
            for j in 0..<n {
                let dr = Double(s.storage[j].re) - m[j].re, di = Double(s.storage[j].im) - m[j].im
                vr[j] += dr * dr
                vi[j] += di * di
            }
        }
        mean = m
        varianceReal = vr.map { $0 / (k - 1) }
        varianceImaginary = vi.map { $0 / (k - 1) }
    }
}
