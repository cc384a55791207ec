import Foundation
import MRIAcquisition
import MRICore
import Testing
import _TestSupport

/// EquispacedMask and EquispacedFractionMask against a NumPy re-implementation of fastMRI's
/// `EquiSpacedMaskFunc` / `EquispacedMaskFractionFunc` (Tests/Fixtures/make_mask_fixtures.py).
@Suite struct EquispacedMaskTests {
    struct Case: Decodable {
        let kind: String, width: Int, acceleration: Double, centerFraction: Double, offset: Int, numLow: Int
        let adjustedSpacing: Double?
        let columns: [Int]
    }
    struct Rounding: Decodable { let width: Int, centerFraction: Double, numLow: Int, centerStart: Int }
    struct File: Decodable { let cases: [Case]; let rounding: [Rounding] }

    static func load() throws -> File {
        try JSONDecoder().decode(File.self, from: Data(contentsOf: Fixtures.url("masks/deterministic_masks.json")))
    }

    @Test("equispaced columns equal fastMRI's for every offset, including odd widths")
    func equispacedMatchesFastMRI() throws {
        let cases = try Self.load().cases.filter { $0.kind == "equispaced" }
        #expect(cases.count >= 40)
        for c in cases {
            let mask = try EquispacedMask(acceleration: c.acceleration, centerFraction: c.centerFraction)
                .generate(width: c.width, offset: c.offset)
            #expect(mask.sampledIndices == c.columns, "W \(c.width) R \(c.acceleration) cf \(c.centerFraction) offset \(c.offset)")
            #expect(mask.numLowFrequencies == c.numLow)
        }
    }

    @Test("equispaced-fraction columns equal fastMRI's np.around(np.arange(offset, W − 1, a))")
    func equispacedFractionMatchesFastMRI() throws {
        let cases = try Self.load().cases.filter { $0.kind == "equispaced-fraction" }
        #expect(cases.count >= 40)
        for c in cases {
            let gen = try EquispacedFractionMask(acceleration: c.acceleration, centerFraction: c.centerFraction)
            let a = try gen.adjustedSpacing(width: c.width)
            #expect(abs(a - (c.adjustedSpacing ?? .nan)) < 1e-12)
            let mask = try gen.generate(width: c.width, offset: c.offset)
            #expect(mask.sampledIndices == c.columns, "W \(c.width) R \(c.acceleration) cf \(c.centerFraction) offset \(c.offset)")
            #expect(mask.numLowFrequencies == c.numLow)
        }
    }

    @Test("num_low = round(W·cf) rounds half to even like Python; centre starts at (W − num_low + 1)//2")
    func centreRounding() throws {
        for r in try Self.load().rounding {
            let range = SamplingMask.centerColumns(width: r.width, centerFraction: r.centerFraction)
            #expect(range.count == r.numLow, "W \(r.width) cf \(r.centerFraction)")
            #expect(range.lowerBound == r.centerStart)
            var rng = SeededRNG(seed: 1)
            let mask = try RandomMask(acceleration: 4, centerFraction: r.centerFraction).generate(width: r.width, using: &rng)
            #expect(mask.numLowFrequencies == r.numLow)
            #expect(mask.centerRange == range)
            #expect(range.allSatisfy { mask.sampled[$0] })
        }
    }

    @Test("REFERENCE §3 counts: W 368, 4×/0.08 → num_low 29, equispaced 113–114, fraction 91–93")
    func referenceCounts() throws {
        let eq = try EquispacedMask(acceleration: 4, centerFraction: 0.08)
        #expect(try (0..<4).map { try eq.generate(width: 368, offset: $0).sampledCount } == [114, 114, 113, 114])
        #expect(try eq.generate(width: 368, offset: 0).numLowFrequencies == 29)
        let fr = try EquispacedFractionMask(acceleration: 4, centerFraction: 0.08)
        #expect(abs(try fr.adjustedSpacing(width: 368) - 339.0 * 4 / 252) < 1e-12)
        #expect(try (0..<5).map { try fr.generate(width: 368, offset: $0).sampledCount } == [93, 93, 92, 91, 91])
        // Random offsets stay in [0, R) and [0, round(a)).
        var rng = SeededRNG(seed: 0)
        for _ in 0..<50 {
            #expect((113...114).contains(try eq.generate(width: 368, using: &rng).sampledCount))
            #expect((91...93).contains(try fr.generate(width: 368, using: &rng).sampledCount))
        }
        #expect(try eq.generate(width: 368, offset: 0).effectiveAcceleration > 3.2)
    }

    @Test("same seed gives the same equispaced masks; several seeds give several offsets")
    func seedDeterminism() throws {
        let eq = try EquispacedMask(acceleration: 8, centerFraction: 0.04)
        let fr = try EquispacedFractionMask(acceleration: 8, centerFraction: 0.04)
        var a = SeededRNG(seed: 42), b = SeededRNG(seed: 42)
        #expect(try eq.generate(width: 320, using: &a) == eq.generate(width: 320, using: &b))
        #expect(try fr.generate(width: 320, using: &a) == fr.generate(width: 320, using: &b))
        var eqMasks = Set<[Bool]>(), frMasks = Set<[Bool]>()
        for seed in 1...12 {
            var r = SeededRNG(seed: UInt64(seed))
            eqMasks.insert(try eq.generate(width: 320, using: &r).sampled)
            frMasks.insert(try fr.generate(width: 320, using: &r).sampled)
        }
        #expect(eqMasks.count >= 3)
        #expect(frMasks.count >= 3)
    }

    @Test("bad parameters throw one-line AcquisitionErrors")
    func badParameters() throws {
        #expect(throws: AcquisitionError.self) { try EquispacedMask(acceleration: 2.5, centerFraction: 0.08) }
        #expect(throws: AcquisitionError.self) { try EquispacedMask(acceleration: 4, centerFraction: 0.08).generate(width: 368, offset: 4) }
        #expect(throws: AcquisitionError.self) { try EquispacedMask(acceleration: 4, centerFraction: 0.08).generate(width: 0, offset: 0) }
        // Centre alone exceeds W/R: 0.3·4 > 1.
        do {
            _ = try EquispacedFractionMask(acceleration: 4, centerFraction: 0.3).generate(width: 100, offset: 0)
            Issue.record("expected an error")
        } catch let e as AcquisitionError {
            #expect(e.description.contains("centerFraction") && !e.description.contains("\n"))
        }
    }
}
