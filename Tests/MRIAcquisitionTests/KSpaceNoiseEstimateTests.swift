import Foundation
import MRIAcquisition
import MRICore
import Testing

@Suite("KSpaceNoiseEstimate: σ per real coordinate from the k-space corners")
struct KSpaceNoiseEstimateTests {
    /// Complex Gaussian noise of σ per real coordinate on [coils, 96, 80], a strong low-frequency
    /// object in the centre, every other column not acquired (zeros).
    static func kspace(sigma: Float, coils: Int = 8, seed: UInt64 = 11) -> ComplexArray {
        let h = 96, w = 80
        var k = ComplexArray(zeros: [coils, h, w])
        var rng = SeededRNG(seed: seed)
        for c in 0..<coils {
            for i in 0..<h {
                for j in 0..<w where j % 2 == 0 {
                    let di = Float(i - h / 2), dj = Float(j - w / 2)
                    let signal = 50 * exp(-(di * di + dj * dj) / 40)  // nothing left in the corners
                    let n = rng.complexGaussian()  // E|n|² = 1: σ = 1/√2 per real coordinate
                    k[c, i, j] = ComplexFloat(signal, 0) + n * (sigma * 2.0.squareRoot().float)
                }
            }
        }
        return k
    }

    @Test("recovers σ within 5 % (σ 0.3 and 2e-6; 22 rows × 10 acquired columns × 8 coils in the corners) and ignores the unacquired zeros")
    func recoversSigma() throws {
        for sigma: Float in [0.3, 2e-6] {
            let e = try #require(KSpaceNoiseEstimate.standardDeviation(Self.kspace(sigma: sigma)))
            #expect(abs(e / sigma - 1) < 0.05, "σ \(sigma): estimate \(e)")
        }
    }

    @Test("too few acquired corner samples, or none non-zero: no estimate")
    func tooFew() {
        #expect(KSpaceNoiseEstimate.standardDeviation(ComplexArray(zeros: [2, 96, 80])) == nil)
        let tiny = ComplexArray(shape: [1, 16, 16], storage: [ComplexFloat](repeating: ComplexFloat(1, 1), count: 256))
        #expect(KSpaceNoiseEstimate.standardDeviation(tiny) == nil)  // 4 × 4 × 4 = 16 corner samples < 256
    }
}

private extension Double { var float: Float { Float(self) } }
