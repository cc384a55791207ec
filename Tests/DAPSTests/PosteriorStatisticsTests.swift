import DAPS
import MRICore
import Testing

@Suite struct PosteriorStatisticsTests {
    @Test("mean |x|, unbiased variance of |x|, complex mean; zero spread for one draw")
    func statistics() {
        // Pixel 0 magnitudes 5, 1, 3 (3+4i, −1, 3i): mean 3, unbiased variance ((2²+2²+0)/2) = 4.
        let s = [ComplexArray(shape: [1, 2], storage: [ComplexFloat(3, 4), ComplexFloat(1, 0)]),
                 ComplexArray(shape: [1, 2], storage: [ComplexFloat(-1, 0), ComplexFloat(1, 0)]),
                 ComplexArray(shape: [1, 2], storage: [ComplexFloat(0, 3), ComplexFloat(1, 0)])]
        let p = PosteriorStatistics(samples: s)
        #expect(p.count == 3 && p.meanMagnitude.shape == [1, 2])
        #expect(abs(p.meanMagnitude.storage[0] - 3) < 1e-6 && abs(p.variance.storage[0] - 4) < 1e-6)
        #expect(abs(p.standardDeviation.storage[0] - 2) < 1e-6 && p.variance.storage[1] == 0)
        #expect(abs(p.complexMean.storage[0].re - 2.0 / 3) < 1e-6 && abs(p.complexMean.storage[0].im - 7.0 / 3) < 1e-6)
        let one = PosteriorStatistics(samples: [s[0]])
        #expect(one.variance.storage == [0, 0] && one.meanMagnitude.storage == [5, 1])
    }
}
