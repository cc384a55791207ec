import MRIAcquisition
import MRICore
import Testing
import _TestSupport

@Suite struct NoiseWhiteningTests {
    /// n = A z, z white complex with E|z|² = 1: covariance Ψ = A Aᴴ (A fixed, mixing all coils).
    static func correlatedNoise(coils c: Int, samples n: Int, gain: Float = 1, seed: UInt64) -> ComplexArray {
        var rng = SeededRNG(seed: 1)
        let a = (0..<(c * c)).map { i -> ComplexFloat in
            let (r, k) = (i / c, i % c)
            return r == k ? ComplexFloat(1 + Float(r) * 0.3, 0) : rng.complexGaussian() * 0.4
        }
        var noise = ComplexArray(zeros: [c, n])
        var z = SeededRNG(seed: seed)
        for s in 0..<n {
            let white = (0..<c).map { _ in z.complexGaussian() * gain }
            for r in 0..<c {
                var v = ComplexFloat.zero
                for k in 0..<c { v += a[r * c + k] * white[k] }
                noise[r, s] = v
            }
        }
        return noise
    }

    static func covarianceError(_ x: ComplexArray, target: Float) -> Float {
        let c = x.shape[0], n = x.shape[1]
        var worst: Float = 0
        for i in 0..<c {
            for j in 0..<c {
                var re = 0.0, im = 0.0
                for s in 0..<n {
                    let a = x[i, s], b = x[j, s]
                    re += Double(a.re * b.re + a.im * b.im)
                    im += Double(a.im * b.re - a.re * b.im)
                }
                let expected: Double = i == j ? Double(target) : 0
                worst = max(worst, Float(((re / Double(n) - expected) * (re / Double(n) - expected) + (im / Double(n)) * (im / Double(n))).squareRoot()))
            }
        }
        return worst
    }

    @Test("a correlated noise covariance is whitened to 2·I (unit variance per real part) on independent noise")
    func whitensToIdentity() throws {
        let w = try NoiseWhitening(noise: Self.correlatedNoise(coils: 6, samples: 20_000, seed: 2))
        let fresh = Self.correlatedNoise(coils: 6, samples: 20_000, seed: 3)
        #expect(Self.covarianceError(fresh, target: 2) > 0.5)  // not white before
        let white = try w.apply(fresh)
        let err = Self.covarianceError(white, target: 2)
        #expect(err < 0.08, "largest covariance error \(err)")
        // Lower triangular: coil 0 of the result is coil 0 of the input, scaled.
        let ratio = white[0, 5] / fresh[0, 5]
        #expect(abs(ratio.im) < 1e-4 * ratio.magnitude)
    }

    @Test("the bandwidth ratio: data with twice the noise scan's noise power (half its dwell time) also comes out at 2·I")
    func bandwidthRatio() throws {
        // Noise scan dwell 2, data dwell 1: the data see twice the bandwidth, twice the noise power.
        let w = try NoiseWhitening(noise: Self.correlatedNoise(coils: 4, samples: 20_000, seed: 4),
                                   dataDwellTime: 1, noiseDwellTime: 2)
        let data = Self.correlatedNoise(coils: 4, samples: 20_000, gain: Float(2).squareRoot(), seed: 5)
        let err = Self.covarianceError(try w.apply(data), target: 2)
        #expect(err < 0.08, "largest covariance error \(err)")
    }

    @Test("a duplicated channel (singular covariance) is refused; k-space [slices, coils, H, W] is whitened per sample")
    func edgeCases() throws {
        var noise = Self.correlatedNoise(coils: 3, samples: 100, seed: 6)
        for s in 0..<100 { noise[2, s] = noise[1, s] }
        #expect(throws: AcquisitionError.self) { try NoiseWhitening(noise: noise) }
        let w = try NoiseWhitening(noise: Self.correlatedNoise(coils: 3, samples: 1000, seed: 7))
        var rng = SeededRNG(seed: 8)
        let k = OperatorChecks.randomArray([2, 3, 4, 5], using: &rng)
        let out = try w.apply(k)
        // Sample (slice 1, row 2, column 3) equals W times its coil vector.
        for r in 0..<3 {
            var v = ComplexFloat.zero
            for c in 0..<3 { v += w.matrix[r * 3 + c] * k[1, c, 2, 3] }
            #expect((out[1, r, 2, 3] - v).magnitude < 1e-5)
        }
        #expect(throws: AcquisitionError.self) { try w.apply(ComplexArray(zeros: [2, 4, 4, 5])) }
    }
}
