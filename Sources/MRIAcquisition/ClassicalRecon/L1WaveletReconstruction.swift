import Foundation
import MRICore

/// L1-wavelet compressed-sensing reconstruction (Lustig et al., MRM 2007), solved with FISTA
/// (Beck & Teboulle, SIAM J. Imaging Sci. 2009) as BART `pics -R W:3:0:λ -S`:
///
///   minimise ½‖A x − y/s‖² + λ‖Ψx‖₁,   image = s·x,
///
/// A the `SENSEOperator`, s the BART intensity scale (`IntensityScaling`), Ψ the orthogonal
/// Daubechies-2 wavelet (`OrthogonalWavelet2D`) with a random circular shift per iteration
/// (cycle spinning, seeded), and the proximal step a complex soft threshold
/// z ↦ z·max(0, 1 − τ/|z|) of every coefficient with τ = λ·step. Iteration:
///   x⁺ = Ψᴴ soft(Ψ(z − step·(AᴴA z − Aᴴy)), λ·step),  t⁺ = (1 + √(1 + 4t²))/2,
///   z = x⁺ + (t − 1)/t⁺ · (x⁺ − x).
/// step = 0.95/L with L = max(1, max_r Σ_c|S_c(r)|²·max M²) ≥ ‖AᴴA‖ (BART's default 0.95 for
/// normalised maps).
public struct L1WaveletReconstruction: Sendable {
    /// Regularisation weight λ (on scaled data; BART `W:3:0:λ`).
    public var lambda: Float
    /// FISTA iterations (BART `-i`).
    public var iterations: Int
    /// Seed of the random wavelet shifts.
    public var seed: UInt64
    /// Multiply the result back by the intensity scale (BART `-S`).
    public var rescale: Bool

    public init(lambda: Float = 0.01, iterations: Int = 100, seed: UInt64 = 0, rescale: Bool = true) {
        self.lambda = lambda
        self.iterations = iterations
        self.seed = seed
        self.rescale = rescale
    }

    /// Complex image `[H, W]` from k-space `[coils, H, W]`.
    public func reconstruct(kspace: ComplexArray, operator a: SENSEOperator) throws -> ComplexArray {
        guard kspace.shape == a.outputShape else {
            throw ReconError.shapeMismatch(parameter: "kspace", expected: "\(a.outputShape)", got: kspace.shape)
        }
        guard lambda >= 0 else { throw ReconError.invalidParameter(name: "lambda", reason: "must be ≥ 0") }
        guard iterations >= 0 else { throw ReconError.invalidParameter(name: "iterations", reason: "must be ≥ 0") }
        let scale = try IntensityScaling.estimate(kspace: kspace)
        let b = a.adjoint(kspace.scaled(by: 1 / scale))
        // Lipschitz bound of AᴴA.
        let n = a.height * a.width
        var maxS: Float = 0
        a.sensitivityMaps.storage.withUnsafeBufferPointer { sp in
            var s2 = [Float](repeating: 0, count: n)
            for c in 0..<a.coils { for i in 0..<n { s2[i] += sp[c * n + i].magnitudeSquared } }
            maxS = s2.max() ?? 0
        }
        let maxM = a.mask.map { $0 * $0 }.max() ?? 0
        let step = 0.95 / max(1, maxS * maxM)
        let threshold = lambda * step
        let wavelet = OrthogonalWavelet2D(height: a.height, width: a.width, compute: a.compute)
        var rng = SeededRNG(seed: seed)
        let maxShift = 1 << wavelet.levels

        var x = ComplexArray(zeros: a.inputShape)
        var z = x
        var t: Float = 1
        var coefficients = [ComplexFloat](repeating: .zero, count: wavelet.paddedHeight * wavelet.paddedWidth)
        for _ in 0..<iterations {
            // Gradient step v = z − step·(AᴴA z − b).
            var v = a.normal(z)
            v.withUnsafeMutableBufferPointer { vp in
                z.storage.withUnsafeBufferPointer { zp in
                    b.storage.withUnsafeBufferPointer { bp in
                        for i in 0..<n { vp[i] = zp[i] - (vp[i] - bp[i]) * step }
                    }
                }
            }
            // Proximal step with a random circular shift.
            let sy = Int(rng.next() % UInt64(maxShift)), sx = Int(rng.next() % UInt64(maxShift))
            let xNew = shrink(v, wavelet: wavelet, shiftY: sy, shiftX: sx, threshold: threshold, buffer: &coefficients)
            let tNew = (1 + (1 + 4 * t * t).squareRoot()) / 2
            let momentum = (t - 1) / tNew
            xNew.storage.withUnsafeBufferPointer { np in
                x.storage.withUnsafeBufferPointer { xp in
                    z.withUnsafeMutableBufferPointer { zp in
                        for i in 0..<n { zp[i] = np[i] + (np[i] - xp[i]) * momentum }
                    }
                }
            }
            x = xNew
            t = tNew
        }
        return rescale ? x.scaled(by: scale) : x
    }

    /// Ψᴴ soft(Ψ shift(v)) shifted back; the padded area is zero on input and cropped on output.
    func shrink(_ v: ComplexArray, wavelet: OrthogonalWavelet2D, shiftY: Int, shiftX: Int, threshold: Float,
                buffer: inout [ComplexFloat]) -> ComplexArray {
        let h = wavelet.height, w = wavelet.width, ph = wavelet.paddedHeight, pw = wavelet.paddedWidth
        buffer.withUnsafeMutableBufferPointer { bp in
            for i in 0..<(ph * pw) { bp[i] = .zero }
            v.storage.withUnsafeBufferPointer { vp in
                for i in 0..<h {
                    let di = (i + shiftY) % ph
                    for j in 0..<w { bp[di * pw + (j + shiftX) % pw] = vp[i * w + j] }
                }
            }
        }
        wavelet.forwardInPlace(&buffer)
        buffer.withUnsafeMutableBufferPointer { bp in
            for i in 0..<bp.count {
                let z = bp[i]
                let m = z.magnitude
                bp[i] = m > threshold ? z * ((m - threshold) / m) : .zero
            }
        }
        wavelet.inverseInPlace(&buffer)
        var out = ComplexArray(zeros: [h, w])
        buffer.withUnsafeBufferPointer { bp in
            out.withUnsafeMutableBufferPointer { op in
                for i in 0..<h {
                    let si = (i + shiftY) % ph
                    for j in 0..<w { op[i * w + j] = bp[si * pw + (j + shiftX) % pw] }
                }
            }
        }
        return out
    }
}
