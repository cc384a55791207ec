import Foundation
import MRICore
import Testing
import _TestSupport

@Suite struct RowFourierMultiplierTests {
    @Test("embedding lengths: the smallest 2^a or 3·2^a ≥ 2n − 1; friendly sizes have factors ≤ 13")
    func lengths() {
        #expect(RowFourierMultiplier.embeddingLength(368) == 768)
        #expect(RowFourierMultiplier.embeddingLength(23) == 48)
        #expect(RowFourierMultiplier.embeddingLength(372) == 768)
        #expect(RowFourierMultiplier.embeddingLength(400) == 1024)
        #expect(RowFourierMultiplier.isFFTWFriendly(320) && RowFourierMultiplier.isFFTWFriendly(13 * 7 * 4))
        #expect(!RowFourierMultiplier.isFFTWFriendly(368) && !RowFourierMultiplier.isFFTWFriendly(370))
    }

    /// B(w ⊙ F x) by the O(n²) DFT sums in double precision.
    static func reference(_ x: [ComplexFloat], _ w: [Float]) -> [ComplexFloat] {
        let n = x.count
        var spectrum = [(Double, Double)](repeating: (0, 0), count: n)
        for k in 0..<n {
            var re = 0.0, im = 0.0
            for j in 0..<n {
                let a = -2 * Double.pi * Double((j * k) % n) / Double(n)
                re += Double(x[j].re) * cos(a) - Double(x[j].im) * sin(a)
                im += Double(x[j].re) * sin(a) + Double(x[j].im) * cos(a)
            }
            spectrum[k] = (re * Double(w[k]), im * Double(w[k]))
        }
        return (0..<n).map { j in
            var re = 0.0, im = 0.0
            for k in 0..<n {
                let a = 2 * Double.pi * Double((j * k) % n) / Double(n)
                re += spectrum[k].0 * cos(a) - spectrum[k].1 * sin(a)
                im += spectrum[k].0 * sin(a) + spectrum[k].1 * cos(a)
            }
            return ComplexFloat(Float(re), Float(im))
        }
    }

    @Test("equals B(w ⊙ F x) for friendly and unfriendly lengths", arguments: [23, 46, 320, 368, 370, 13])
    func matchesReference(n: Int) {
        var rng = SeededRNG(seed: UInt64(n))
        let x = (0..<n).map { _ in rng.complexGaussian() }
        let w = (0..<n).map { _ in rng.uniform() < 0.3 ? Float(rng.uniform()) : 0 }
        let multiplier = RowFourierMultiplier(weights: w)
        let line = multiplier.allocateLine()
        defer { multiplier.freeLine(line) }
        for j in 0..<multiplier.transformLength { line[j] = ComplexFloat(9, 9) }  // scratch need not be zero
        for j in 0..<n { line[j] = x[j] }
        multiplier.apply(line)
        let expected = Self.reference(x, w)
        var err = 0.0, norm = 0.0
        for j in 0..<n {
            err += Double((line[j] - expected[j]).magnitudeSquared)
            norm += Double(expected[j].magnitudeSquared)
        }
        #expect((err / norm).squareRoot() < 2e-6, "n = \(n): relative error \((err / norm).squareRoot())")
        #expect(multiplier.transformLength == (RowFourierMultiplier.isFFTWFriendly(n) ? n : RowFourierMultiplier.embeddingLength(n)))
    }
}

@Suite struct RowDFTTests {
    @Test("forward and backward equal the DFT sums for friendly and Bluestein lengths", arguments: [23, 46, 320, 368, 370, 1])
    func matchesReference(n: Int) {
        var rng = SeededRNG(seed: UInt64(n) + 100)
        let x = (0..<n).map { _ in rng.complexGaussian() }
        let dft = RowDFT(length: n)
        let line = dft.allocateLine()
        defer { dft.freeLine(line) }
        for sign in [-1.0, 1.0] {
            for j in 0..<dft.transformLength { line[j] = ComplexFloat(7, 7) }  // scratch need not be zero
            for j in 0..<n { line[j] = x[j] }
            if sign < 0 { dft.forward(line) } else { dft.backward(line) }
            var err = 0.0, norm = 0.0
            for k in 0..<n {
                var re = 0.0, im = 0.0
                for j in 0..<n {
                    let a = sign * 2 * Double.pi * Double((j * k) % n) / Double(n)
                    re += Double(x[j].re) * cos(a) - Double(x[j].im) * sin(a)
                    im += Double(x[j].re) * sin(a) + Double(x[j].im) * cos(a)
                }
                err += pow(Double(line[k].re) - re, 2) + pow(Double(line[k].im) - im, 2)
                norm += re * re + im * im
            }
            #expect((err / norm).squareRoot() < 2e-6, "n = \(n), sign \(sign): relative error \((err / norm).squareRoot())")
        }
    }

    @Test("the AVX-512 complex row kernels give the Swift loops' bits (every tail length)",
          .enabled(if: ComplexRowKernels.vectorised, "CPU without AVX-512: only the Swift loops run here"))
    func complexRowKernels() throws {
        var rng = SeededRNG(seed: 31)
        func random(_ n: Int) -> [ComplexFloat] {
            (0..<n).map { _ in ComplexFloat(Float(rng.gaussian() * 3), Float(rng.gaussian() * 3)) }
        }
        for n in [1, 7, 8, 9, 15, 16, 17, 368, 373] {
            let a = random(n), b = random(n), start = random(n)
            var fast = [ComplexFloat](repeating: .zero, count: n), slow = fast
            ComplexRowKernels.multiply(a, b, into: &fast, count: n, vectorised: true)
            ComplexRowKernels.multiply(a, b, into: &slow, count: n, vectorised: false)
            #expect(fast == slow, "multiply, n = \(n)")
            #expect(slow[n - 1] == a[n - 1] * b[n - 1])
            var inPlace = a
            inPlace.withUnsafeMutableBufferPointer { p in
                ComplexRowKernels.multiply(p.baseAddress!, b, into: p.baseAddress!, count: n, vectorised: true)
            }
            #expect(inPlace == slow, "multiply in place, n = \(n)")
            var accFast = start, accSlow = start
            ComplexRowKernels.conjugateMultiplyAdd(a, b, into: &accFast, count: n, vectorised: true)
            ComplexRowKernels.conjugateMultiplyAdd(a, b, into: &accSlow, count: n, vectorised: false)
            #expect(accFast == accSlow, "conjugate multiply-add, n = \(n)")
            let e = start[0] + a[0].conjugate * b[0]
            #expect(abs(accSlow[0].re - e.re) <= 1e-5 * max(1, abs(e.re)) && abs(accSlow[0].im - e.im) <= 1e-5 * max(1, abs(e.im)))
        }
    }
}
