import Foundation
import MRICore

/// ESPIRiT coil-sensitivity estimation, one set of maps (Uecker et al., "ESPIRiT — an eigenvalue
/// approach to autocalibrating parallel MRI: where SENSE meets GRAPPA", MRM 71:990–1001, 2014),
/// following BART `ecalib -m1` (`src/calib/calib.c`) with its defaults.
///
/// 1. Calibration region: the centred `calibrationSize × calibrationSize` block of k-space
///    (BART `-r`; default the ACS width `numLowFrequencies`), rows starting at H/2 − r/2 and
///    columns at W/2 − r/2 (the fastMRI ACS block).
/// 2. Casorati matrix of all k×k patches (k = `kernelSize`, BART `-k 6`) over coils; its right
///    singular vectors with σᵢ/σ₀ > √t (t = `singularValueThreshold`, BART `-t 0.001`) span the
///    signal subspace, P = V∥V∥ᴴ.
/// 3. Image-space operator per pixel r: G(r) = (1/k²) Σⱼ ŵⱼ(r) ŵⱼ(r)ᴴ, ŵⱼ(r)_c = Σₒ vⱼ[c, o] e^{+2πi o·r/N}
///    (the zero-padded kernels' inverse DFT). G is a trigonometric polynomial of degree k−1, so it
///    is computed exactly on a 2k×2k grid and sinc-interpolated (zero-padding its Fourier
///    coefficients), as BART's `caltwo` does. Consistent data has eigenvalue 1.
/// 4. Top eigenvector per pixel: power iteration on a coarse grid (`coarseFactor` smaller per
///    axis), phase-aligned to the first principal component of the calibration data (BART
///    `fixphase2`), bilinearly interpolated to full size and refined there by
///    `refinementIterations` power iterations on the exact full-resolution G.
/// 5. Crop: maps are zero where the top eigenvalue is ≤ `eigenvalueCrop` (BART `-c 0.8`).
/// Maps are unit-norm over coils inside the crop: Σ_c |S_c|² = 1.
public struct ESPIRiT: Sendable {
    /// Kernel width k (BART `-k`, default 6).
    public var kernelSize: Int
    /// Singular-value threshold t; kernels with σᵢ/σ₀ > √t are kept (BART `-t`, default 0.001).
    public var singularValueThreshold: Float
    /// Eigenvalue crop threshold (BART `-c`, default 0.8).
    public var eigenvalueCrop: Float
    /// Calibration size r in both axes (BART `-r`); nil uses `numLowFrequencies`.
    public var calibrationSize: Int?
    /// Readout rows of the calibration block when it should be taller than it is wide (every
    /// row of a fully sampled column is acquired, so a column-undersampled acquisition with few
    /// centre lines can still calibrate on a tall block); nil uses the square size r.
    public var calibrationRows: Int?
    /// Coarse eigen-decomposition grid: H and W divided by this factor (at least 24 points).
    public var coarseFactor: Int
    /// Power iterations on the coarse grid (BART's orthogonal iteration uses 30).
    public var coarseIterations: Int
    /// Power iterations at full resolution after interpolation (0 = interpolation only).
    public var refinementIterations: Int
    /// Lanes of the per-pixel power iterations and threads of the FFTs.
    public var compute: ComputeSettings

    public init(kernelSize: Int = 6, singularValueThreshold: Float = 0.001, eigenvalueCrop: Float = 0.8,
                calibrationSize: Int? = nil, coarseFactor: Int = 4, coarseIterations: Int = 30,
                refinementIterations: Int = 3, compute: ComputeSettings = .machine) {
        self.compute = compute
        self.kernelSize = kernelSize
        self.singularValueThreshold = singularValueThreshold
        self.eigenvalueCrop = eigenvalueCrop
        self.calibrationSize = calibrationSize
        self.calibrationRows = nil
        self.coarseFactor = coarseFactor
        self.coarseIterations = coarseIterations
        self.refinementIterations = refinementIterations
    }

    /// Result: maps `[coils, H, W]` and the top eigenvalue map `[H, W]` (before cropping).
    public struct Result: Sendable {
        public var sensitivityMaps: ComplexArray
        public var eigenvalues: FloatArray
        /// Number of kernels (singular vectors) kept.
        public var kernelCount: Int
    }

    /// Sensitivity maps `[coils, H, W]` from (under-sampled) k-space `[coils, H, W]` whose
    /// centred `numLowFrequencies` phase-encode columns are fully sampled.
    public func sensitivityMaps(kspace: ComplexArray, numLowFrequencies: Int) throws -> ComplexArray {
        try estimate(kspace: kspace, numLowFrequencies: numLowFrequencies).sensitivityMaps
    }

    /// Full ESPIRiT result (maps, eigenvalues, kernel count).
    public func estimate(kspace: ComplexArray, numLowFrequencies: Int) throws -> Result {
        guard kspace.rank == 3 else { throw CoilMapError.badShape(kspace.shape) }
        let nc = kspace.shape[0], h = kspace.shape[1], w = kspace.shape[2]
        let k = kernelSize
        guard k >= 1 else { throw CoilMapError.invalidParameter(name: "kernelSize", reason: "must be ≥ 1") }
        guard numLowFrequencies >= 1 else {
            throw CoilMapError.invalidParameter(name: "numLowFrequencies", reason: "must be ≥ 1")
        }
        guard h >= 2 * k, w >= 2 * k else {
            throw CoilMapError.invalidParameter(name: "kspace", reason: "image \(h)×\(w) smaller than 2·kernelSize")
        }
        let r = calibrationSize ?? numLowFrequencies
        let cw = min(r, w), cr = min(calibrationRows ?? r, h)
        guard cw >= k + 1, cr >= k + 1 else { throw CoilMapError.calibrationTooSmall(width: min(cw, cr), needed: k + 1) }
        guard cw <= numLowFrequencies || calibrationSize == nil else {
            throw CoilMapError.invalidParameter(name: "calibrationSize", reason: "\(r) exceeds the fully sampled \(numLowFrequencies) columns")
        }
        let r0 = h / 2 - cr / 2, c0 = w / 2 - cw / 2

        // Calibration block [nc, cr, cw].
        var cal = [ComplexFloat](repeating: .zero, count: nc * cr * cw)
        for c in 0..<nc { for i in 0..<cr { for j in 0..<cw {
            cal[(c * cr + i) * cw + j] = kspace.storage[(c * h + r0 + i) * w + c0 + j]
        } } }

        // Casorati matrix (patches × (coil, dy, dx)) and its Gram matrix.
        let pr = cr - k + 1, pc = cw - k + 1, rows = pr * pc, cols = nc * k * k
        var casorati = [ComplexFloat](repeating: .zero, count: rows * cols)
        for pi in 0..<pr { for pj in 0..<pc {
            let row = (pi * pc + pj) * cols
            for c in 0..<nc { for dy in 0..<k { for dx in 0..<k {
                casorati[row + (c * k + dy) * k + dx] = cal[(c * cr + pi + dy) * cw + pj + dx]
            } } }
        } }
        let gram = BLAS.complexMatrixMultiply(casorati, casorati, m: cols, n: cols, k: rows, conjugateTransposeA: true)
        let eig = try BLAS.hermitianEigen(gram, n: cols)
        let sv = eig.values.reversed().map { max($0, 0).squareRoot() }
        guard let s0 = sv.first, s0 > 0 else { throw CoilMapError.noSignal }
        let cut = singularValueThreshold.squareRoot()
        let nk = max(1, sv.prefix(rows).filter { $0 / s0 > cut }.count)

        // Image-space operator on the exact 2k × 2k grid: packed upper triangle G[c][c'] (c ≤ c').
        let g = 2 * k, gg = g * g
        var wk = ComplexArray(zeros: [nk * nc, g, g])
        let off = g / 2 - k / 2
        for j in 0..<nk {
            let col = cols - 1 - j
            for c in 0..<nc { for dy in 0..<k { for dx in 0..<k {
                wk[linear: ((j * nc + c) * g + off + dy) * g + off + dx] = eig.vectors[((c * k + dy) * k + dx) * cols + col]
            } } }
        }
        CenteredFFT.transform(&wk, axes: .image, inverse: false, compute: compute)
        let pairs = nc * (nc + 1) / 2
        var small = ComplexArray(zeros: [pairs, g, g])
        let norm = Float(gg) / Float(k * k)
        wk.storage.withUnsafeBufferPointer { wp in
            small.withUnsafeMutableBufferPointer { sp in
                for s in 0..<gg {
                    var p = 0
                    for c in 0..<nc {
                        for c2 in c..<nc {
                            var re: Float = 0, im: Float = 0
                            for j in 0..<nk {
                                let a = wp[(j * nc + c) * gg + s], b = wp[(j * nc + c2) * gg + s]
                                re += a.re * b.re + a.im * b.im
                                im += a.re * b.im - a.im * b.re
                            }
                            sp[p * gg + s] = ComplexFloat(re * norm, im * norm)
                            p += 1
                        }
                    }
                }
            }
        }
        CenteredFFT.transform(&small, axes: .image, inverse: true, compute: compute)  // Fourier coefficients of G

        // Phase reference: first principal component of the calibration data.
        var cov = [ComplexFloat](repeating: .zero, count: nc * nc)
        let calN = cr * cw
        for a in 0..<nc { for b in 0..<nc {
            var re: Float = 0, im: Float = 0
            for i in 0..<calN {
                let x = cal[a * calN + i], y = cal[b * calN + i]
                re += x.re * y.re + x.im * y.im
                im += x.im * y.re - x.re * y.im
            }
            cov[a * nc + b] = ComplexFloat(re, im)
        } }
        let ce = try BLAS.hermitianEigen(cov, n: nc)
        let reference = (0..<nc).map { ce.vectors[$0 * nc + nc - 1] }

        // Coarse grid eigenvectors.
        let lh = max(24, (h + coarseFactor - 1) / coarseFactor + 1) & ~1
        let lw = max(24, (w + coarseFactor - 1) / coarseFactor + 1) & ~1
        let coarseG = resample(small, g: g, toHeight: lh, width: lw)
        var coarse = [ComplexFloat](repeating: .zero, count: lh * lw * nc)
        var coarseVal = [Float](repeating: 0, count: lh * lw)
        Self.powerIterations(planes: coarseG, pixels: lh * lw, coils: nc, iterations: coarseIterations,
                             lanes: compute.lanes, start: nil, vectors: &coarse, values: &coarseVal, reference: reference)

        // Interpolate to full size (periodic bilinear; G is periodic).
        var vectors = [ComplexFloat](repeating: .zero, count: h * w * nc)
        var values = [Float](repeating: 0, count: h * w)
        for i in 0..<h {
            let y = Double(i - h / 2) * Double(lh) / Double(h) + Double(lh / 2)
            let y0 = Int(floor(y)), fy = Float(y - floor(y))
            let ya = ((y0 % lh) + lh) % lh, yb = (ya + 1) % lh
            for j in 0..<w {
                let x = Double(j - w / 2) * Double(lw) / Double(w) + Double(lw / 2)
                let x0 = Int(floor(x)), fx = Float(x - floor(x))
                let xa = ((x0 % lw) + lw) % lw, xb = (xa + 1) % lw
                let w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx
                let p00 = ya * lw + xa, p01 = ya * lw + xb, p10 = yb * lw + xa, p11 = yb * lw + xb
                let o = (i * w + j) * nc
                for c in 0..<nc {
                    let a: ComplexFloat = coarse[p00 * nc + c] * w00 + coarse[p01 * nc + c] * w01
                    let b: ComplexFloat = coarse[p10 * nc + c] * w10 + coarse[p11 * nc + c] * w11
                    vectors[o + c] = a + b
                }
                let va: Float = coarseVal[p00] * w00 + coarseVal[p01] * w01
                values[i * w + j] = va + coarseVal[p10] * w10 + coarseVal[p11] * w11
            }
        }
        if refinementIterations > 0 {
            let fullG = resample(small, g: g, toHeight: h, width: w)
            let start = vectors
            Self.powerIterations(planes: fullG, pixels: h * w, coils: nc, iterations: refinementIterations,
                                 lanes: compute.lanes, start: start, vectors: &vectors, values: &values, reference: reference)
        }

        // Crop and lay out as [coils, H, W].
        var maps = ComplexArray(zeros: [nc, h, w])
        let n = h * w
        for i in 0..<n where values[i] > eigenvalueCrop {
            for c in 0..<nc { maps[linear: c * n + i] = vectors[i * nc + c] }
        }
        return Result(sensitivityMaps: maps, eigenvalues: FloatArray(shape: [h, w], storage: values), kernelCount: nk)
    }

    /// G on an `lh × lw` grid from its Fourier coefficients on the g × g grid (sinc zero-padding):
    /// G_L = fft2c(pad(coefficients)) · √(lh·lw)/g.
    func resample(_ coefficients: ComplexArray, g: Int, toHeight lh: Int, width lw: Int) -> ComplexArray {
        let pairs = coefficients.shape[0]
        var out = ComplexArray(zeros: [pairs, lh, lw])
        let oy = lh / 2 - g / 2, ox = lw / 2 - g / 2
        let scale = Float(Double(lh * lw).squareRoot() / Double(g))
        for p in 0..<pairs { for i in 0..<g { for j in 0..<g {
            out[linear: (p * lh + oy + i) * lw + ox + j] = coefficients.storage[(p * g + i) * g + j] * scale
        } } }
        CenteredFFT.transform(&out, axes: .image, inverse: false, compute: compute)
        return out
    }

    /// Per-pixel power iteration on packed Hermitian planes; writes unit vectors (pixel-major,
    /// phase-aligned so that ⟨reference, v⟩ is real positive) and Rayleigh quotients.
    static func powerIterations(planes: ComplexArray, pixels n: Int, coils nc: Int, iterations: Int, lanes: Int,
                                start: [ComplexFloat]?, vectors: inout [ComplexFloat], values: inout [Float],
                                reference: [ComplexFloat]) {
        planes.storage.withUnsafeBufferPointer { gp in
            vectors.withUnsafeMutableBufferPointer { vp in
                values.withUnsafeMutableBufferPointer { ep in
                    nonisolated(unsafe) let G = gp.baseAddress!, V = vp.baseAddress!, E = ep.baseAddress!
                    let hasStart = start != nil
                    parallelChunks(n, chunks: lanes) { range in
                        var m = [ComplexFloat](repeating: .zero, count: nc * nc)
                        var v = [ComplexFloat](repeating: .zero, count: nc)
                        var u = [ComplexFloat](repeating: .zero, count: nc)
                        for i in range {
                            var p = 0
                            for c in 0..<nc {
                                for c2 in c..<nc {
                                    let z = G[p * n + i]
                                    m[c * nc + c2] = z
                                    m[c2 * nc + c] = z.conjugate
                                    p += 1
                                }
                            }
                            if hasStart {
                                for c in 0..<nc { v[c] = V[i * nc + c] }
                            } else {
                                var best = 0
                                for c in 1..<max(1, nc) where m[c * nc + c].re > m[best * nc + best].re { best = c }
                                for c in 0..<nc { v[c] = m[c * nc + best] }
                            }
                            var nv: Float = 0
                            for c in 0..<nc { nv += v[c].magnitudeSquared }
                            if !(nv > 0) { v[0] = ComplexFloat(1, 0); nv = 1 }
                            var inv = 1 / nv.squareRoot()
                            for c in 0..<nc { v[c] = v[c] * inv }
                            var lambda: Float = 0
                            for _ in 0..<max(1, iterations) {
                                var nu: Float = 0, rq: Float = 0
                                for a in 0..<nc {
                                    var re: Float = 0, im: Float = 0
                                    let row = a * nc
                                    for b in 0..<nc {
                                        let x = m[row + b], y = v[b]
                                        re += x.re * y.re - x.im * y.im
                                        im += x.re * y.im + x.im * y.re
                                    }
                                    u[a] = ComplexFloat(re, im)
                                    nu += re * re + im * im
                                    rq += v[a].re * re + v[a].im * im
                                }
                                lambda = rq
                                if !(nu > 0) { break }
                                inv = 1 / nu.squareRoot()
                                for c in 0..<nc { v[c] = u[c] * inv }
                            }
                            // Phase alignment to the reference coil combination.
                            var ipr: Float = 0, ipi: Float = 0
                            for c in 0..<nc {
                                ipr += reference[c].re * v[c].re + reference[c].im * v[c].im
                                ipi += reference[c].re * v[c].im - reference[c].im * v[c].re
                            }
                            let mag = (ipr * ipr + ipi * ipi).squareRoot()
                            let rot = mag > 0 ? ComplexFloat(ipr / mag, -ipi / mag) : ComplexFloat(1, 0)
                            for c in 0..<nc { V[i * nc + c] = v[c] * rot }
                            E[i] = lambda
                        }
                    }
                }
            }
        }
    }
}
