import Foundation

/// Unnormalised in-place 1-D DFT of one line of any length n, single-threaded (`RowFFT`'s
/// contract): by FFTW directly when every prime factor of n is ≤ 13, otherwise by Bluestein's
/// chirp-z algorithm on a 2ᵃ or 3·2ᵃ-point FFTW transform of length m ≥ 2n − 1 (for n = 368 =
/// 16·23, FFTW's O(p²) step makes the direct transform 3.5× slower than the two 768-point ones).
///
/// Bluestein (IEEE Trans. Audio Electroacoust. 18, 1970): with jk = (j² + k² − (j − k)²)/2 and
/// c_t = e^{∓iπt²/n}, X_j = c_j Σ_k (x_k c_k) conj(c_{j−k}): a linear convolution of x·c with
/// conj(c) over −(n−1) ≤ t ≤ n−1, computed with m-point transforms (no wrap-around since
/// m ≥ 2n − 1). t² is reduced mod 2n before the angle, so the chirp stays exact for large n.
public final class RowDFT: @unchecked Sendable {
    /// Line length n.
    public let length: Int
    /// Length of the lines `allocateLine` returns: n, or the embedding length m.
    public let transformLength: Int
    private let fft: RowFFT
    /// Chirps c_t (t = 0..<n) for the forward (e^{−iπt²/n}) and backward (e^{+iπt²/n}) DFT.
    private let forwardChirp: [ComplexFloat], backwardChirp: [ComplexFloat]
    /// F_m of the wrapped conj(chirp) kernels, divided by m.
    private let forwardKernel: [ComplexFloat], backwardKernel: [ComplexFloat]

    public init(length n: Int) {
        precondition(n >= 1)
        length = n
        guard !RowFourierMultiplier.isFFTWFriendly(n) else {
            transformLength = n
            fft = RowFFT(length: n)
            (forwardChirp, backwardChirp, forwardKernel, backwardKernel) = ([], [], [], [])
            return
        }
        let m = RowFourierMultiplier.embeddingLength(n)
        transformLength = m
        fft = RowFFT(length: m)
        func chirp(_ sign: Double) -> [ComplexFloat] {
            (0..<n).map { t in
                let a = sign * Double.pi * Double((t * t) % (2 * n)) / Double(n)
                return ComplexFloat(Float(cos(a)), Float(sin(a)))
            }
        }
        forwardChirp = chirp(-1)
        backwardChirp = chirp(1)
        let fft = self.fft
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
    public func allocateLine() -> UnsafeMutablePointer<ComplexFloat> { fft.allocateLine() }

    public func freeLine(_ p: UnsafeMutablePointer<ComplexFloat>) { fft.freeLine(p) }

    /// In-place forward DFT of `p[0..<n]` (entries n..<transformLength are scratch).
    public func forward(_ p: UnsafeMutablePointer<ComplexFloat>) {
        if transformLength == length { fft.forward(p) } else { bluestein(p, chirp: forwardChirp, kernel: forwardKernel) }
    }

    /// In-place backward (unnormalised inverse) DFT of `p[0..<n]`.
    public func backward(_ p: UnsafeMutablePointer<ComplexFloat>) {
        if transformLength == length { fft.backward(p) } else { bluestein(p, chirp: backwardChirp, kernel: backwardKernel) }
    }

    private func bluestein(_ p: UnsafeMutablePointer<ComplexFloat>, chirp: [ComplexFloat], kernel: [ComplexFloat]) {
        let n = length, m = transformLength
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
