import Foundation
import MRICore
import Testing
import _TestSupport

/// Friendly (FFTW), factored (p·q) and Bluestein lengths.
private let rowTransformLengths = [23, 46, 320, 368, 370, 13, 372, 376, 340, 92, 244, 1472]

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

    @Test("the factored DFT takes n = p·q with p the largest prime factor (17…61), q a multiple of 4 up to 64")
    func factoredLengths() {
        func f(_ n: Int) -> [Int]? { FactoredRowDFT.factors(of: n, cpuSupported: true).map { [$0.p, $0.q] } }
        #expect(f(368) == [23, 16])
        #expect(f(372) == [31, 12])
        #expect(f(376) == [47, 8])
        #expect(f(92) == [23, 4] && f(1472) == [23, 64] && f(244) == [61, 4])
        #expect(f(320) == nil && f(13 * 8) == nil)          // FFTW's codelets take these
        #expect(f(370) == nil && f(23) == nil && f(46) == nil)  // q = 10, 1, 2: not a multiple of 4
        #expect(f(67 * 4) == nil && f(23 * 68) == nil)      // p or q above 64
        #expect(FactoredRowDFT.factors(of: 368, cpuSupported: false) == nil)
    }

    /// The algorithm `RowDFT` and `RowFourierMultiplier` should pick for n.
    static func expectedAlgorithm(_ n: Int, factored: Bool, fallback: String) -> String {
        if RowFourierMultiplier.isFFTWFriendly(n) { return "fftw" }
        return factored && FactoredRowDFT.factors(of: n) != nil ? "factored" : fallback
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

    @Test("equals B(w ⊙ F x) for friendly and unfriendly lengths, factored and embedded",
          arguments: rowTransformLengths, [true, false])
    func matchesReference(n: Int, factored: Bool) {
        var rng = SeededRNG(seed: UInt64(n))
        let x = (0..<n).map { _ in rng.complexGaussian() }
        let w = (0..<n).map { _ in rng.uniform() < 0.3 ? Float(rng.uniform()) : 0 }
        let multiplier = RowFourierMultiplier(weights: w, factored: factored)
        #expect(multiplier.algorithm == Self.expectedAlgorithm(n, factored: factored, fallback: "embedded"))
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
        if multiplier.algorithm == "embedded" { #expect(multiplier.transformLength == RowFourierMultiplier.embeddingLength(n)) }
    }
}

@Suite struct RowDFTTests {
    @Test("forward and backward equal the DFT sums for friendly, factored and Bluestein lengths",
          arguments: rowTransformLengths + [1], [true, false])
    func matchesReference(n: Int, factored: Bool) {
        var rng = SeededRNG(seed: UInt64(n) + 100)
        let x = (0..<n).map { _ in rng.complexGaussian() }
        let dft = RowDFT(length: n, factored: factored)
        #expect(dft.algorithm == RowFourierMultiplierTests.expectedAlgorithm(n, factored: factored, fallback: "bluestein"))
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

    /// FNV-1a over the bit patterns of `values`.
    static func bitHash(_ values: [ComplexFloat], into h: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = h
        for v in values {
            for x in [v.re.bitPattern, v.im.bitPattern] {
                for byte: UInt32 in 0..<4 {
                    let b = UInt64((x >> (8 * byte)) & 0xFF)
                    h = (h ^ b) &* 0x100_0000_01b3
                }
            }
        }
        return h
    }

    /// Hashes of the bits of the factored transforms of one fixed line, frequencies in natural
    /// order, then of the backward transform of that spectrum: the values recorded from the
    /// first implementation (4f3e2a4), so that reorganising the kernel cannot change a result.
    @Test("the factored transforms keep their bits (368 = 23·16, 92 = 23·4, 732 = 61·12)",
          .enabled(if: FactoredRowDFT(length: 368) != nil, "CPU without AVX2 + FMA: no factored transform here"),
          arguments: [(368, 0x9a8d_9a30_5f1b_67c3 as UInt64, 0xfa9f_a349_8507_8c65 as UInt64),
                      (92, 0x2e99_87db_3860_885d, 0xba1e_f25d_b585_ae97), (732, 0x8660_0f97_2caf_cc45, 0x3c6c_93ec_cb52_eb8c)])
    func factoredBits(n: Int, forwardHash: UInt64, backwardHash: UInt64) throws {
        let dft = try #require(FactoredRowDFT(length: n))
        var line: [ComplexFloat] = []
        for j in 0..<n {
            let re: Float = Float((j * 37) % 101) / 101 - 0.5
            let im: Float = Float((j * 53) % 97) / 97 - 0.5
            line.append(ComplexFloat(re, im))
        }
        line.withUnsafeMutableBufferPointer { dft.forwardToSpectrumOrder($0.baseAddress!) }
        #expect(Self.bitHash((0..<n).map { line[dft.positions[$0]] }) == forwardHash, "forward, n = \(n)")
        line.withUnsafeMutableBufferPointer { dft.backwardFromSpectrumOrder($0.baseAddress!) }
        #expect(Self.bitHash(line) == backwardHash, "backward, n = \(n)")
    }

    @Test("the AVX2 and AVX-512 complex row kernels give the Swift loops' bits (every tail length)",
          .enabled(if: ComplexRowKernels.vectorised, "CPU without AVX2 + FMA: only the Swift loops run here"))
    func complexRowKernels() throws {
        var rng = SeededRNG(seed: 31)
        func random(_ n: Int) -> [ComplexFloat] {
            (0..<n).map { _ in ComplexFloat(Float(rng.gaussian() * 3), Float(rng.gaussian() * 3)) }
        }
        // 1 = AVX2 on every CPU that gets here; 2 = AVX-512 where the CPU has it.
        let sets: [Int32] = [0, 1] + (ComplexRowKernels.avx512 ? [2] : [])
        for n in [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 368, 373] {
            let a = random(n), b = random(n), start = random(n)
            var slow = [ComplexFloat](repeating: .zero, count: n)
            ComplexRowKernels.multiply(a, b, into: &slow, count: n, vectorised: false)
            #expect(slow[n - 1] == a[n - 1] * b[n - 1])
            var accSlow = start
            ComplexRowKernels.conjugateMultiplyAdd(a, b, into: &accSlow, count: n, vectorised: false)
            let e = start[0] + a[0].conjugate * b[0]
            #expect(abs(accSlow[0].re - e.re) <= 1e-5 * max(1, abs(e.re)) && abs(accSlow[0].im - e.im) <= 1e-5 * max(1, abs(e.im)))
            for set in sets {
                var fast = [ComplexFloat](repeating: .zero, count: n)
                ComplexRowKernels.multiply(a, b, into: &fast, count: n, vectorised: true, instructionSet: set)
                #expect(fast == slow, "multiply, n = \(n), instruction set \(set)")
                var inPlace = a
                inPlace.withUnsafeMutableBufferPointer { p in
                    ComplexRowKernels.multiply(p.baseAddress!, b, into: p.baseAddress!, count: n, vectorised: true, instructionSet: set)
                }
                #expect(inPlace == slow, "multiply in place, n = \(n), instruction set \(set)")
                var accFast = start
                ComplexRowKernels.conjugateMultiplyAdd(a, b, into: &accFast, count: n, vectorised: true, instructionSet: set)
                #expect(accFast == accSlow, "conjugate multiply-add, n = \(n), instruction set \(set)")
            }
        }
    }
}
