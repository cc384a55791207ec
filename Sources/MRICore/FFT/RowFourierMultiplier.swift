import CFFTW
import Foundation

/// x ↦ B(w ⊙ F x) on one line of length n, in place: a fixed Fourier multiplier w (F, B FFTW's
/// unnormalised forward and backward DFTs of length n). This is the circular convolution of x
/// with g = B(w), and that is how it is computed when n has a prime factor FFTW has no codelet
/// for (> 13): FFTW then falls back to an O(p²) step — the width 368 = 16·23 of every fastMRI
/// knee costs 8× a 320-point transform. The convolution is embedded in a DFT of length
/// m ≥ 2n − 1 of the form 2ᵃ or 3·2ᵃ (768 for 368): with h_j = g_{j mod n} for 0 ≤ j < n and
/// h_{m−j} = g_{−j mod n} for 0 < j < n (disjoint since m ≥ 2n − 1),
///
///   (g ⊛ x)_k = (F_m⁻¹(F_m h ⊙ F_m [x, 0]))_k,   0 ≤ k < n,
///
/// two m-point transforms instead of two n-point ones. For n whose prime factors are all ≤ 13
/// the direct form runs on FFTW; where `FactoredRowDFT` takes n (368 = 23·16 with AVX2) the
/// direct form runs on it: F, the weights, B, all of length n.
public final class RowFourierMultiplier: @unchecked Sendable {
    /// Line length n.
    public let length: Int
    /// Length of the lines `allocateLine` returns: n, or the embedding length m.
    public let transformLength: Int
    private let fft: RowFFT?
    private let factored: FactoredRowDFT?
    /// Per-frequency factor applied between the forward and backward transform: w (direct; in
    /// `FactoredRowDFT`'s spectrum order for the factored transform), or F_m h / m (embedded).
    private let spectrum: [ComplexFloat]

    /// Whether FFTW transforms length `n` with codelets only (every prime factor ≤ 13).
    public static func isFFTWFriendly(_ n: Int) -> Bool {
        var r = n
        for p in [2, 3, 5, 7, 11, 13] { while r % p == 0 { r /= p } }
        return r == 1
    }

    /// The embedding length: the smallest 2ᵃ or 3·2ᵃ that is ≥ 2n − 1.
    public static func embeddingLength(_ n: Int) -> Int {
        var m = 1
        while m < 2 * n - 1 { m *= 2 }
        let three = 3 * (m / 4)
        return three >= 2 * n - 1 ? three : m
    }

    /// The multiplier `weights` (length n, native DFT order). `factored: false` skips
    /// `FactoredRowDFT` (the embedding instead; for comparisons and tests).
    public init(weights w: [Float], factored allowFactored: Bool = true) {
        let n = w.count
        precondition(n >= 1)
        length = n
        guard !Self.isFFTWFriendly(n) else {
            transformLength = n
            fft = RowFFT(length: n)
            factored = nil
            spectrum = w.map { ComplexFloat($0, 0) }
            return
        }
        if allowFactored, let f = FactoredRowDFT(length: n) {
            transformLength = n
            fft = nil
            factored = f
            var permuted = [ComplexFloat](repeating: .zero, count: n)
            for k in 0..<n { permuted[f.positions[k]] = ComplexFloat(w[k], 0) }
            spectrum = permuted
            return
        }
        factored = nil
        let m = Self.embeddingLength(n)
        transformLength = m
        let fft = RowFFT(length: m)
        self.fft = fft
        // g = B(w) in double precision, then the wrapped kernel h and its m-point spectrum / m.
        var g = [(Double, Double)](repeating: (0, 0), count: n)
        for j in 0..<n {
            var re = 0.0, im = 0.0
            for k in 0..<n where w[k] != 0 {
                let a = 2 * Double.pi * Double((j * k) % n) / Double(n)
                re += Double(w[k]) * cos(a)
                im += Double(w[k]) * sin(a)
            }
            g[j] = (re, im)
        }
        let line = fft.allocateLine()
        defer { fft.freeLine(line) }
        for j in 0..<m { line[j] = .zero }
        for j in 0..<n { line[j] = ComplexFloat(Float(g[j].0), Float(g[j].1)) }
        for j in 1..<n { line[m - j] = ComplexFloat(Float(g[(n - j) % n].0), Float(g[(n - j) % n].1)) }
        fft.forward(line)
        let scale = 1 / Float(m)
        spectrum = (0..<m).map { line[$0] * scale }
    }

    /// A line of `transformLength` values for `apply` (FFTW-aligned; free with `freeLine`).
    public func allocateLine() -> UnsafeMutablePointer<ComplexFloat> { RowFFT.allocateLine(count: transformLength) }

    public func freeLine(_ p: UnsafeMutablePointer<ComplexFloat>) { RowFFT.freeLine(p) }

    /// Which algorithm runs: "fftw", "factored" or "embedded".
    public var algorithm: String { factored != nil ? "factored" : transformLength == length ? "fftw" : "embedded" }

    /// In place on `line[0..<n]` (from `allocateLine`; entries n..<transformLength are scratch
    /// and need not be zero).
    @inline(__always) public func apply(_ line: UnsafeMutablePointer<ComplexFloat>) {
        if let factored {
            factored.forwardToSpectrumOrder(line)
            spectrum.withUnsafeBufferPointer { s in
                for j in 0..<length { line[j] = ComplexFloat(line[j].re * s[j].re, line[j].im * s[j].re) }
            }
            factored.backwardFromSpectrumOrder(line)
            return
        }
        let n = length, m = transformLength, fft = self.fft!
        for j in n..<m { line[j] = .zero }
        fft.forward(line)
        spectrum.withUnsafeBufferPointer { s in
            if m == n {
                for j in 0..<m { line[j] = ComplexFloat(line[j].re * s[j].re, line[j].im * s[j].re) }
            } else {
                ComplexRowKernels.multiply(line, s.baseAddress!, into: line, count: m)
            }
        }
        fft.backward(line)
    }
}
