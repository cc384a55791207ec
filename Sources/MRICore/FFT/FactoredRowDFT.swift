import CKernels

/// Unnormalised in-place DFT of one line of length n = p·q where p, the largest prime factor of n,
/// is one FFTW has no codelet for (17…61) and q = n/p is a multiple of 4 up to 64: one
/// Cooley–Tukey split into direct p-, q/4- and 4-point transforms, vectorised with AVX2 + FMA
/// (`ck_dft_pq`, `Sources/CKernels/dft_factored.c`). fastMRI's knee width 368 = 23·16 is the
/// case it exists for: FFTW transforms 368 points with an O(p²) generic step, and Bluestein's
/// algorithm (`RowDFT`'s fallback) needs two 768-point transforms and two chirp products.
///
/// The forward transform leaves the spectrum in its own order (frequency k at `positions[k]`)
/// and the backward transform takes it in that order, so a Fourier multiplier
/// (`RowFourierMultiplier`) permutes its weights once instead of reordering every line.
public final class FactoredRowDFT: @unchecked Sendable {
    /// Line length n = p·q.
    public let length: Int
    /// The factors: p odd (the largest prime factor of n), q a multiple of 4.
    public let p: Int, q: Int
    /// Where the forward transform puts frequency k, and where the backward one expects it.
    public let positions: [Int]
    private let tables: [Float]

    /// (p, q) when n gets this transform on this CPU, else nil: n has a prime factor > 13 (so
    /// FFTW has no codelet path), its largest prime factor p is ≤ 61 and q = n/p is a multiple
    /// of 4 with q ≤ 64, and the CPU has AVX2 + FMA.
    public static func factors(of n: Int, cpuSupported: Bool = ck_has_avx2_fma() != 0) -> (p: Int, q: Int)? {
        guard cpuSupported, n > 1, !RowFourierMultiplier.isFFTWFriendly(n) else { return nil }
        var r = n, largest = 1, f = 2
        while f * f <= r {
            while r % f == 0 { largest = f; r /= f }
            f += 1
        }
        if r > 1 { largest = max(largest, r) }
        let p = largest, q = n / largest
        guard p % 2 == 1, p <= Int(CK_DFT_PQ_MAX), q % 4 == 0, q >= 4, q <= Int(CK_DFT_PQ_MAX) else { return nil }
        return (p, q)
    }

    /// nil when `factors(of:)` is nil.
    public init?(length n: Int) {
        guard let (p, q) = Self.factors(of: n) else { return nil }
        length = n
        self.p = p
        self.q = q
        positions = (0..<n).map { Int(ck_dft_pq_position(Int32(p), Int32(q), Int32($0))) }
        var t = [Float](repeating: 0, count: ck_dft_pq_tables_size(Int32(p), Int32(q)))
        t.withUnsafeMutableBufferPointer { ck_dft_pq_tables(Int32(p), Int32(q), $0.baseAddress!) }
        tables = t
    }

    /// In-place forward DFT (e^{−2πijk/n}) of `line[0..<n]`, frequency k left at `positions[k]`.
    @inline(__always) public func forwardToSpectrumOrder(_ line: UnsafeMutablePointer<ComplexFloat>) {
        run(line, backward: 0)
    }

    /// In-place backward (unnormalised inverse, e^{+2πijk/n}) DFT of a spectrum with frequency k
    /// at `positions[k]`; the result in natural order.
    @inline(__always) public func backwardFromSpectrumOrder(_ line: UnsafeMutablePointer<ComplexFloat>) {
        run(line, backward: 1)
    }

    @inline(__always) private func run(_ line: UnsafeMutablePointer<ComplexFloat>, backward: Int32) {
        let f = UnsafeMutableRawPointer(line).assumingMemoryBound(to: Float.self)
        tables.withUnsafeBufferPointer { t in ck_dft_pq(f, Int32(p), Int32(q), backward, t.baseAddress!) }
    }
}
