import Foundation

/// Unnormalised in-place 1-D DFT of one line of any length n, single-threaded (`RowFFT`'s
/// contract): by FFTW directly when every prime factor of n is ≤ 13; by `FactoredRowDFT` (one
/// Cooley–Tukey split into direct p- and q-point transforms, AVX2) when n = p·q with p ≤ 61 and
/// q a multiple of 4 up to 64 — fastMRI's 368 = 23·16; otherwise by Bluestein's chirp-z
/// algorithm on a 2ᵃ or 3·2ᵃ-point FFTW transform of length m ≥ 2n − 1 (for n = 368, FFTW's
/// O(p²) step makes its direct transform 3.5× slower than Bluestein's two 768-point ones).
///
/// Bluestein (IEEE Trans. Audio Electroacoust. 18, 1970): with jk = (j² + k² − (j − k)²)/2 and
/// c_t = e^{∓iπt²/n}, X_j = c_j Σ_k (x_k c_k) conj(c_{j−k}): a linear convolution of x·c with
/// conj(c) over −(n−1) ≤ t ≤ n−1, computed with m-point transforms (no wrap-around since
/// m ≥ 2n − 1). t² is reduced mod 2n before the angle, so the chirp stays exact for large n.
public final class RowDFT: @unchecked Sendable {
    /// Line length n.
    public let length: Int
    /// Length of the lines `allocateLine` returns: n, 2n for the factored transform (the second
    /// half holds the spectrum while it is reordered), or the embedding length m.
    public let transformLength: Int
    private let fft: RowFFT?
    private let factored: FactoredRowDFT?
    /// Chirps c_t (t = 0..<n) for the forward (e^{−iπt²/n}) and backward (e^{+iπt²/n}) DFT.
    private let forwardChirp: [ComplexFloat], backwardChirp: [ComplexFloat]
    /// F_m of the wrapped conj(chirp) kernels, divided by m.
    private let forwardKernel: [ComplexFloat], backwardKernel: [ComplexFloat]

    /// `factored: false` skips `FactoredRowDFT` (Bluestein instead; for comparisons and tests).
    public init(length n: Int, factored allowFactored: Bool = true) {
        precondition(n >= 1)
        length = n
        guard !RowFourierMultiplier.isFFTWFriendly(n) else {
            transformLength = n
            fft = RowFFT(length: n)
            factored = nil
            (forwardChirp, backwardChirp, forwardKernel, backwardKernel) = ([], [], [], [])
            return
        }
        if allowFactored, let f = FactoredRowDFT(length: n) {
            transformLength = 2 * n
            fft = nil
            factored = f
            (forwardChirp, backwardChirp, forwardKernel, backwardKernel) = ([], [], [], [])
            return
        }
        factored = nil
        let m = RowFourierMultiplier.embeddingLength(n)
        transformLength = m
        let fft = RowFFT(length: m)
        self.fft = fft
        func chirp(_ sign: Double) -> [ComplexFloat] {
            (0..<n).map { t in
                let a = sign * Double.pi * Double((t * t) % (2 * n)) / Double(n)
                return ComplexFloat(Float(cos(a)), Float(sin(a)))
            }
        }
        forwardChirp = chirp(-1)
        backwardChirp = chirp(1)
        func kernel(_ c: [ComplexFloat]) -> [ComplexFloat] {
            let line = fft.allocateLine()
            defer { fft.freeLine(line) }
            for j in 0..<m { line[j] = .zero }
            for t in 0..<n { line[t] = c[t].conjugate }
            for t in 1..<n { line[m - t] = c[t].conjugate }
            fft.forward(line)
            let s = 1 / Float(m)
            return (0..<m).map { line[$0] * s }
        }
        forwardKernel = kernel(forwardChirp)
        backwardKernel = kernel(backwardChirp)
    }

    /// A line of `transformLength` values (FFTW-aligned; free with `freeLine`).
    public func allocateLine() -> UnsafeMutablePointer<ComplexFloat> { RowFFT.allocateLine(count: transformLength) }

    public func freeLine(_ p: UnsafeMutablePointer<ComplexFloat>) { RowFFT.freeLine(p) }

    /// Which algorithm runs: "fftw", "factored" or "bluestein".
    public var algorithm: String { factored != nil ? "factored" : transformLength == length ? "fftw" : "bluestein" }

    /// In-place forward DFT of `p[0..<n]` (entries n..<transformLength are scratch).
    public func forward(_ p: UnsafeMutablePointer<ComplexFloat>) {
        if let factored {
            factored.forwardToSpectrumOrder(p)
            let n = length, s = p + n
            s.update(from: p, count: n)
            factored.positions.withUnsafeBufferPointer { pos in for k in 0..<n { p[k] = s[pos[k]] } }
        } else if transformLength == length { fft!.forward(p) } else {
            bluestein(p, chirp: forwardChirp, kernel: forwardKernel)
        }
    }

    /// In-place backward (unnormalised inverse) DFT of `p[0..<n]`.
    public func backward(_ p: UnsafeMutablePointer<ComplexFloat>) {
        if let factored {
            let n = length, s = p + n
            s.update(from: p, count: n)
            factored.positions.withUnsafeBufferPointer { pos in for k in 0..<n { p[pos[k]] = s[k] } }
            factored.backwardFromSpectrumOrder(p)
        } else if transformLength == length { fft!.backward(p) } else {
            bluestein(p, chirp: backwardChirp, kernel: backwardKernel)
        }
    }

    /// Where `backwardFromSpectrumOrder` expects frequency k: k itself, except for the factored
    /// transform (`FactoredRowDFT.positions`).
    public func spectrumPosition(_ k: Int) -> Int { factored?.positions[k] ?? k }

    /// `backward` of a spectrum whose frequency k sits at `spectrumPosition(k)` (entries
    /// n..<transformLength are scratch): the factored transform skips its reordering.
    public func backwardFromSpectrumOrder(_ p: UnsafeMutablePointer<ComplexFloat>) {
        if let factored { factored.backwardFromSpectrumOrder(p) } else { backward(p) }
    }

    private func bluestein(_ p: UnsafeMutablePointer<ComplexFloat>, chirp: [ComplexFloat], kernel: [ComplexFloat]) {
        let n = length, m = transformLength, fft = self.fft!
        chirp.withUnsafeBufferPointer { c in
            ComplexRowKernels.multiply(p, c.baseAddress!, into: p, count: n)
            for t in n..<m { p[t] = .zero }
            fft.forward(p)
            kernel.withUnsafeBufferPointer { k in ComplexRowKernels.multiply(p, k.baseAddress!, into: p, count: m) }
            fft.backward(p)
            ComplexRowKernels.multiply(p, c.baseAddress!, into: p, count: n)
        }
    }
}
