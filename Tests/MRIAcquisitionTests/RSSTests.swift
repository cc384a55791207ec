import MRIAcquisition
import MRICore
import Testing

/// RSS: ρ = √(Σ_c |x_c|²) over the coil axis.
@Suite struct RSSTests {
    @Test("3-4-12 coils combine to 13; complex parts both count")
    func analytic() throws {
        var x = ComplexArray(zeros: [3, 2, 2])
        x[0, 0, 0] = ComplexFloat(3, 0); x[1, 0, 0] = ComplexFloat(0, 4); x[2, 0, 0] = ComplexFloat(12, 0)
        x[0, 1, 1] = ComplexFloat(1, 1); x[1, 1, 1] = ComplexFloat(1, -1)
        let r = try RSS.combine(x)
        #expect(r.shape == [2, 2])
        #expect(r[0, 0] == 13 && r[0, 1] == 0 && abs(r[1, 1] - 2) < 1e-6)
    }

    @Test("a multi-slice input [slices, coils, H, W] combines each slice")
    func multiSlice() throws {
        var rng = SeededRNG(seed: 4)
        var x = ComplexArray(zeros: [2, 4, 3, 5])
        for i in 0..<x.count { x[linear: i] = rng.complexGaussian() }
        let r = try RSS.combine(x)
        #expect(r.shape == [2, 3, 5])
        for s in 0..<2 { for i in 0..<3 { for j in 0..<5 {
            var e = 0.0
            for c in 0..<4 { e += Double(x[s, c, i, j].magnitudeSquared) }
            #expect(abs(Double(r[s, i, j]) - e.squareRoot()) < 1e-5)
        } } }
        #expect(throws: AcquisitionError.self) { try RSS.combine(ComplexArray(zeros: [4, 4])) }
    }
}
