import MRIAcquisition
import MRICore
import Testing

/// GaussianMask1D: exact count ⌊W/R⌋, full centre, Gaussian-weighted density.
@Suite struct GaussianMask1DTests {
    @Test("count is exactly ⌊W/R⌋ with the centre block fully sampled")
    func exactCount() throws {
        for (w, r, cf) in [(368, 4.0, 0.08), (320, 8.0, 0.04), (321, 3.0, 0.1), (256, 6.0, 0.06)] {
            let gen = try GaussianMask1D(acceleration: r, centerFraction: cf)
            var rng = SeededRNG(seed: 5)
            for _ in 0..<20 {
                let m = try gen.generate(width: w, using: &rng)
                #expect(m.sampledCount == Int(Double(w) / r), "W \(w) R \(r)")
                #expect(m.centerRange == SamplingMask.centerColumns(width: w, centerFraction: cf))
                #expect(m.centerRange.allSatisfy { m.sampled[$0] })
            }
        }
    }

    @Test("column weights sum to 1 and peak at W//2 with σ = 15W/128")
    func weights() throws {
        let gen = try GaussianMask1D(acceleration: 4, centerFraction: 0.08)
        let p = gen.columnWeights(width: 368)
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        #expect(p.firstIndex(of: p.max()!)! == 184 || p.firstIndex(of: p.max()!)! == 183)
        // Mass within ±σ of the mean ≈ 0.6827 (σ = 43.125 columns).
        let sigma = 368.0 * 15 / 128
        let inner = (0..<368).filter { abs(Double($0) + 0.5 - 184) < sigma }.map { p[$0] }.reduce(0, +)
        #expect(abs(inner - 0.6827) < 0.01, "mass within one sigma \(inner)")
    }

    @Test("columns near the centre are drawn more often than the edges")
    func variableDensity() throws {
        let gen = try GaussianMask1D(acceleration: 4, centerFraction: 0.08)
        var rng = SeededRNG(seed: 11)
        var hits = [Int](repeating: 0, count: 368)
        for _ in 0..<400 {
            let m = try gen.generate(width: 368, using: &rng)
            for j in m.sampledIndices { hits[j] += 1 }
        }
        let centre = SamplingMask.centerColumns(width: 368, centerFraction: 0.08)
        let near = (140..<230).filter { !centre.contains($0) }.map { Double(hits[$0]) / 400 }
        let far = (Array(0..<40) + Array(328..<368)).map { Double(hits[$0]) / 400 }
        let nearMean = near.reduce(0, +) / Double(near.count), farMean = far.reduce(0, +) / Double(far.count)
        #expect(nearMean > 3 * farMean, "near \(nearMean) far \(farMean)")
        #expect(farMean > 0, "edges must remain reachable")
    }

    @Test("same seed → same mask; different seeds → different masks")
    func seedDeterminism() throws {
        let gen = try GaussianMask1D(acceleration: 8, centerFraction: 0.04)
        var a = SeededRNG(seed: 1), b = SeededRNG(seed: 1), c = SeededRNG(seed: 2)
        let ma = try gen.generate(width: 320, using: &a)
        #expect(ma == (try gen.generate(width: 320, using: &b)))
        #expect(ma != (try gen.generate(width: 320, using: &c)))
    }
}
