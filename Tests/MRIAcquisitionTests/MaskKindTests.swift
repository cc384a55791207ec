import MRIAcquisition
import MRICore
import Testing

/// MaskKind: the name-keyed factory.
@Suite struct MaskKindTests {
    @Test("every name parses back to its case and builds a generator of that kind")
    func factory() throws {
        #expect(MaskKind.allCases.map(\.rawValue) == ["random", "equispaced", "equispaced-fraction", "gaussian1d", "poisson"])
        for kind in MaskKind.allCases {
            #expect(try MaskKind(parsing: kind.rawValue) == kind)
            let gen = try kind.makeGenerator(acceleration: 4, centerFraction: 0.08)
            #expect(gen.kind == kind && gen.acceleration == 4 && gen.centerFraction == 0.08)
            var rng = SeededRNG(seed: 9)
            let m = try gen.generate(height: 48, width: 40, using: &rng)
            #expect(m.isTwoDimensional == kind.isTwoDimensional)
            #expect(m.shape == (kind.isTwoDimensional ? [48, 40] : [40]))
        }
        #expect(try MaskKind(parsing: " Equispaced-Fraction ") == .equispacedFraction)
    }

    @Test("an unknown name throws an error naming it and the known names")
    func unknownName() {
        do {
            _ = try MaskKind(parsing: "cartesian")
            Issue.record("expected an error")
        } catch let e as AcquisitionError {
            #expect(e == .unknownMaskKind("cartesian"))
            #expect(e.description.contains("cartesian") && e.description.contains("gaussian1d"))
            #expect(!e.description.contains("\n"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("the factory validates its parameters")
    func factoryValidates() {
        for kind in MaskKind.allCases {
            #expect(throws: AcquisitionError.self) { try kind.makeGenerator(acceleration: 0.9, centerFraction: 0.08) }
            #expect(throws: AcquisitionError.self) { try kind.makeGenerator(acceleration: 4, centerFraction: 1) }
        }
    }
}
