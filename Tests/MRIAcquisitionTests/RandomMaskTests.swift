import MRIAcquisition
import MRICore
import Testing

/// RandomMask: fastMRI `RandomMaskFunc` semantics (expected count W/R, centre always sampled).
@Suite struct RandomMaskTests {
    @Test("keep probability is (W/R − num_low)/(W − num_low): 63/339 for W 368, 4×/0.08")
    func probability() throws {
        let gen = try RandomMask(acceleration: 4, centerFraction: 0.08)
        #expect(abs(gen.probability(width: 368) - 63.0 / 339.0) < 1e-15)
        let gen8 = try RandomMask(acceleration: 8, centerFraction: 0.04)
        #expect(abs(gen8.probability(width: 320) - (40.0 - 13) / (320 - 13)) < 1e-15)
    }

    @Test("mean count over 2000 draws is W/R = 92 (W 368, 4×/0.08) and the centre is always sampled")
    func expectedCount() throws {
        let gen = try RandomMask(acceleration: 4, centerFraction: 0.08)
        var rng = SeededRNG(seed: 0)
        var total = 0, minCount = Int.max, maxCount = 0
        let draws = 2000
        for _ in 0..<draws {
            let m = try gen.generate(width: 368, using: &rng)
            #expect(m.numLowFrequencies == 29)
            #expect(m.centerRange == 170..<199)
            #expect(m.centerRange.allSatisfy { m.sampled[$0] })
            total += m.sampledCount
            minCount = min(minCount, m.sampledCount)
            maxCount = max(maxCount, m.sampledCount)
        }
        let mean = Double(total) / Double(draws)
        // σ of one draw ≈ √(339·p(1 − p)) ≈ 7.2 over the outside columns plus the centre's overlap: σ_mean ≈ 0.17.
        #expect(abs(mean - 92) < 0.8, "mean count \(mean)")
        #expect(minCount < 85 && maxCount > 99, "counts \(minCount)...\(maxCount) should vary")
    }

    @Test("same seed → same mask; different seeds → different masks")
    func seedDeterminism() throws {
        let gen = try RandomMask(acceleration: 8, centerFraction: 0.04)
        var a = SeededRNG(seed: 7), b = SeededRNG(seed: 7), c = SeededRNG(seed: 8)
        let ma = try gen.generate(width: 320, using: &a)
        #expect(ma == (try gen.generate(width: 320, using: &b)))
        #expect(ma != (try gen.generate(width: 320, using: &c)))
    }

    @Test("acceleration 1 samples everything; R < 1, cf ∉ (0, 1), W < 1 throw")
    func limitsAndErrors() throws {
        var rng = SeededRNG(seed: 3)
        #expect(try RandomMask(acceleration: 1, centerFraction: 0.1).generate(width: 50, using: &rng).sampledCount == 50)
        for (r, cf) in [(0.5, 0.08), (0.0, 0.08), (Double.nan, 0.08), (4, 0.0), (4, 1.0), (4, -0.1), (4, 1.5)] {
            do {
                _ = try RandomMask(acceleration: r, centerFraction: cf)
                Issue.record("R \(r) cf \(cf) should throw")
            } catch let e as AcquisitionError {
                #expect(!e.description.contains("\n"))
                #expect(e.description.contains(r < 1 || r.isNaN ? "acceleration" : "centerFraction"))
            }
        }
        #expect(throws: AcquisitionError.self) {
            try RandomMask(acceleration: 4, centerFraction: 0.08).generate(width: 0, using: &rng)
        }
    }
}
