import Foundation
import MRICore

/// The fast path of `SENSEOperator` for a phase-encode column mask: AᴴA and the noise term
/// Aᴴε computed one image row at a time with 1-D FFTs along the phase-encode axis, no
/// coil-sized temporaries and no centring copies.
///
/// With a column mask M the readout FFT cancels in AᴴA, and the centring shifts fold into the
/// data: writing P = ifftshift along W (Pᵀ = fftshift), F_c = Pᵀ F P/√W and
///
///   AᴴA x = Pᵀ Σ_c conj(S̃_c) ⊙ B(M̃² ⊙ F(S̃_c ⊙ x̃)) / W,   x̃ = P x, S̃_c = P S_c, M̃ = P M,
///
/// with F, B FFTW's unnormalised forward and backward DFTs along W. Each row of the output
/// needs only that row of x and of the maps, so a row is expanded, transformed, masked,
/// transformed back and accumulated over coils while it sits in cache; rows are split over
/// the lanes. The masked round trip B(M̃² ⊙ F ·)/W is a `RowFourierMultiplier`, which runs it on
/// `FactoredRowDFT` when W has a prime factor FFTW handles slowly (368 = 23·16), or embeds it in
/// a longer power-of-two-like transform where that does not apply.
/// For the noise term, F_Hᴴ and the centring permutations map circular white noise
/// to circular white noise and commute with M, so Aᴴε has the law of
/// Pᵀ Σ_c conj(S̃_c) ⊙ B(M̃ ⊙ ε′_c)/√W with ε′ drawn only on the sampled columns.
final class ColumnSENSEKernel: @unchecked Sendable {
    let coils: Int, height: Int, width: Int
    /// S̃ = P S, `[coils, H, W]`.
    private let maps: [ComplexFloat]
    /// x ↦ B(M̃²/W ⊙ F x) along a row (native order): the masked round trip of AᴴA.
    private let normalMultiplier: RowFourierMultiplier
    /// Native-order columns with M̃ ≠ 0 (as `noiseDFT.spectrumPosition`s) and their weights M̃/√W.
    private let sampledColumns: [Int]
    private let noiseWeights: [Float]
    /// The backward DFT along W of the noise path (factored or Bluestein for widths like 368; the
    /// noise is drawn straight into its spectrum order).
    private let noiseDFT: RowDFT

    init(maps s: ComplexArray, columnWeights m: [Float], lanes: Int) {
        self.lanes = max(1, lanes)
        coils = s.shape[0]
        height = s.shape[1]
        width = s.shape[2]
        let w = width, half = width / 2
        var shifted = [ComplexFloat](repeating: .zero, count: s.count)
        for line in 0..<(coils * height) {
            let base = line * w
            for j in 0..<w { shifted[base + j] = s.storage[base + (j + half) % w] }
        }
        maps = shifted
        var nw = [Float](repeating: 0, count: w), cols: [Int] = [], weights: [Float] = []
        for j in 0..<w {
            let mj = m[(j + half) % w]
            nw[j] = mj * mj / Float(w)
            if mj != 0 {
                cols.append(j)
                weights.append(mj / Float(w).squareRoot())
            }
        }
        normalMultiplier = RowFourierMultiplier(weights: nw)
        noiseWeights = weights
        let dft = RowDFT(length: w)
        noiseDFT = dft
        sampledColumns = cols.map { dft.spectrumPosition($0) }
        lineLength = max(dft.transformLength, normalMultiplier.transformLength)
    }

    /// Rows are split into this many contiguous ranges processed concurrently.
    let lanes: Int
    /// Length of the scratch lines (both transforms' `transformLength`).
    private let lineLength: Int

    /// AᴴA x for x `[H, W]` (centred order) into `out` (centred order).
    func normal(_ x: UnsafePointer<ComplexFloat>, into out: UnsafeMutablePointer<ComplexFloat>) {
        forEachRow { i, xs, acc, line, maps in
            let w = self.width, n = self.height * w
            Self.ifftshift(x + i * w, into: xs, width: w)
            for j in 0..<w { acc[j] = .zero }
            for c in 0..<self.coils {
                let s = maps + c * n + i * w
                ComplexRowKernels.multiply(s, xs, into: line, count: w)
                self.normalMultiplier.apply(line)
                ComplexRowKernels.conjugateMultiplyAdd(s, line, into: acc, count: w)
            }
            Self.fftshift(acc, into: out + i * w, width: w)
        }
    }

    /// One draw of Aᴴε (see the type's documentation); row i uses its own stream derived from
    /// (`seed`, i), so the result does not depend on how rows are split over threads.
    func adjointOfNoise(scale: Float, seed: UInt64, into out: UnsafeMutablePointer<ComplexFloat>) {
        forEachRow { i, _, acc, line, maps in
            let w = self.width, n = self.height * w
            var rng = SeededRNG(seed: Self.rowSeed(seed, i))
            for j in 0..<w { acc[j] = .zero }
            self.sampledColumns.withUnsafeBufferPointer { cols in
                self.noiseWeights.withUnsafeBufferPointer { wts in
                    for c in 0..<self.coils {
                        for j in 0..<w { line[j] = .zero }
                        var k = 0
                        while k < cols.count {
                            let (a, b) = rng.gaussianPairFast()
                            let f = scale * wts[k]
                            line[cols[k]] = ComplexFloat(f * a, f * b)
                            k += 1
                        }
                        self.noiseDFT.backwardFromSpectrumOrder(line)
                        ComplexRowKernels.conjugateMultiplyAdd(maps + c * n + i * w, line, into: acc, count: w)
                    }
                }
            }
            Self.fftshift(acc, into: out + i * w, width: w)
        }
    }

    /// A 64-bit finaliser (MurmurHash3 fmix64) of (seed, row): unrelated streams per row.
    static func rowSeed(_ seed: UInt64, _ row: Int) -> UInt64 {
        var z = seed ^ (UInt64(row) &* 0xD1B5_4A32_D192_ED03)
        z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return z ^ (z >> 33)
    }

    /// Calls `body(row, xs, acc, line, maps)` for every row, rows split over `lanes` threads,
    /// each with its own aligned scratch lines (xs, acc, line).
    private func forEachRow(
        _ body: @escaping (Int, UnsafeMutablePointer<ComplexFloat>, UnsafeMutablePointer<ComplexFloat>,
                           UnsafeMutablePointer<ComplexFloat>, UnsafePointer<ComplexFloat>) -> Void
    ) {
        let lanes = height >= 8 ? min(self.lanes, height) : 1
        let per = (height + lanes - 1) / lanes
        maps.withUnsafeBufferPointer { mp in
            nonisolated(unsafe) let m = mp.baseAddress!
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                let lo = lane * per, hi = min(height, lo + per)
                if lo >= hi { return }
                let xs = RowFFT.allocateLine(count: width), acc = RowFFT.allocateLine(count: width)
                let line = RowFFT.allocateLine(count: lineLength)
                defer { RowFFT.freeLine(xs); RowFFT.freeLine(acc); RowFFT.freeLine(line) }
                for i in lo..<hi { body(i, xs, acc, line, m) }
            }
        }
    }

    /// dst[j] = src[(j + W/2) mod W].
    @inline(__always)
    static func ifftshift(_ src: UnsafePointer<ComplexFloat>, into dst: UnsafeMutablePointer<ComplexFloat>, width w: Int) {
        let h = w / 2
        dst.update(from: src + h, count: w - h)
        (dst + (w - h)).update(from: src, count: h)
    }

    /// dst[j] = src[(j + W − W/2) mod W].
    @inline(__always)
    static func fftshift(_ src: UnsafePointer<ComplexFloat>, into dst: UnsafeMutablePointer<ComplexFloat>, width w: Int) {
        let h = w - w / 2
        dst.update(from: src + h, count: w - h)
        (dst + (w - h)).update(from: src, count: h)
    }
}
