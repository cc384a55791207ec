import Foundation
import MRICore
import Testing
import _TestSupport

/// SeededRNG against an independent Python SplitMix64 + xoshiro256** (make_core_fixtures.py),
/// and the moments of its Gaussian draws.
@Suite struct SeededRNGTests {
    struct Stream: Decodable { let seed: String; let outputs: [String] }
    struct Streams: Decodable { let streams: [Stream] }

    @Test("streams match the reference xoshiro256** seeded through SplitMix64")
    func matchesReferenceStreams() throws {
        let data = try Data(contentsOf: Fixtures.url("core/seeded_rng.json"))
        let streams = try JSONDecoder().decode(Streams.self, from: data).streams
        #expect(streams.count == 3)
        for s in streams {
            var rng = SeededRNG(seed: try #require(UInt64(s.seed)))
            for (k, o) in s.outputs.enumerated() {
                let expected = try #require(UInt64(o))
                #expect(rng.next() == expected, "seed \(s.seed) output \(k)")
            }
        }
    }

    @Test("same seed gives the same stream; different seeds differ")
    func determinism() {
        var a = SeededRNG(seed: 2024), b = SeededRNG(seed: 2024), c = SeededRNG(seed: 2025)
        let sa = (0..<100).map { _ in a.next() }
        let sb = (0..<100).map { _ in b.next() }
        let sc = (0..<100).map { _ in c.next() }
        #expect(sa == sb)
        #expect(sa != sc)
        var g1 = SeededRNG(seed: 5), g2 = SeededRNG(seed: 5)
        #expect((0..<50).map { _ in g1.gaussian() } == (0..<50).map { _ in g2.gaussian() })
    }

    @Test("uniform() uses the top 53 bits and lies in [0, 1)")
    func uniformRange() {
        var a = SeededRNG(seed: 77), b = SeededRNG(seed: 77)
        var sum = 0.0
        var mismatches = 0, outside = 0
        let n = 100_000
        for _ in 0..<n {
            let u = a.uniform()
            if u != Double(b.next() >> 11) * 0x1.0p-53 { mismatches += 1 }
            if !(u >= 0 && u < 1) { outside += 1 }
            sum += u
        }
        #expect(mismatches == 0 && outside == 0)
        #expect(abs(sum / Double(n) - 0.5) < 0.005)
    }

    @Test("gaussian() has mean 0, variance 1 and the normal one-sigma mass")
    func gaussianMoments() {
        var rng = SeededRNG(seed: 123)
        let n = 200_000
        var s1 = 0.0, s2 = 0.0, within = 0
        for _ in 0..<n {
            let g = rng.gaussian()
            s1 += g
            s2 += g * g
            if abs(g) < 1 { within += 1 }
        }
        let mean = s1 / Double(n), variance = s2 / Double(n) - mean * mean
        #expect(abs(mean) < 0.01, "mean \(mean)")
        #expect(abs(variance - 1) < 0.02, "variance \(variance)")
        #expect(abs(Double(within) / Double(n) - 0.682_689) < 0.005)
    }

    @Test("complexGaussian() is circular with E|z|² = 1")
    func complexGaussianMoments() {
        var rng = SeededRNG(seed: 321)
        let n = 100_000
        var power = 0.0, re2 = 0.0, cross = 0.0
        for _ in 0..<n {
            let z = rng.complexGaussian()
            power += Double(z.magnitudeSquared)
            re2 += Double(z.re * z.re)
            cross += Double(z.re * z.im)
        }
        #expect(abs(power / Double(n) - 1) < 0.02)
        #expect(abs(re2 / Double(n) - 0.5) < 0.01)
        #expect(abs(cross / Double(n)) < 0.01)
    }
}
