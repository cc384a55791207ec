import MRIAcquisition
import MRICore
import Testing

/// SamplingMask: application to k-space and derived quantities.
@Suite struct SamplingMaskTests {
    static func ramp(_ shape: [Int]) -> ComplexArray {
        var x = ComplexArray(zeros: shape)
        for i in 0..<x.count { x[linear: i] = ComplexFloat(Float(i + 1), -Float(i)) }
        return x
    }

    @Test("a column mask zeroes unsampled columns of [slices, coils, H, W] and keeps the rest")
    func columnApply() throws {
        let cols = [true, false, false, true, true, false]
        let mask = SamplingMask(columns: cols, numLowFrequencies: 2, acceleration: 2)
        let x = Self.ramp([2, 3, 5, 6])
        let y = try mask.apply(to: x)
        #expect(y.shape == x.shape)
        for s in 0..<2 { for c in 0..<3 { for h in 0..<5 { for w in 0..<6 {
            #expect(y[s, c, h, w] == (cols[w] ? x[s, c, h, w] : .zero))
        } } } }
        #expect(mask.sampledCount == 3 && mask.effectiveAcceleration == 2)
        #expect(mask.values == [1, 0, 0, 1, 1, 0])
        #expect(mask.centerRange == 2..<4)
        let plane = try mask.plane(height: 4)
        #expect(plane.shape == [4, 6] && plane[3, 1] == 0 && plane[3, 3] == 1)
    }

    @Test("a 2-D mask zeroes unsampled (row, column) entries of every plane")
    func planeApply() throws {
        let (h, w) = (4, 5)
        let sampled = (0..<(h * w)).map { ($0 * 7) % 3 == 0 }
        let mask = SamplingMask(height: h, width: w, sampled: sampled, numLowFrequencies: 1, acceleration: 3)
        let x = Self.ramp([3, h, w])
        let y = try mask.apply(to: x)
        for c in 0..<3 { for i in 0..<h { for j in 0..<w {
            #expect(y[c, i, j] == (sampled[i * w + j] ? x[c, i, j] : .zero))
        } } }
        #expect(mask.columns.count == w)
        #expect(abs(mask.effectiveAcceleration - Double(h * w) / Double(sampled.filter { $0 }.count)) < 1e-12)
    }

    @Test("shape mismatches throw")
    func mismatch() {
        let mask = SamplingMask(columns: [true, false, true], numLowFrequencies: 1, acceleration: 1.5)
        #expect(throws: AcquisitionError.self) { try mask.apply(to: ComplexArray(zeros: [2, 4, 4])) }
        let mask2 = SamplingMask(height: 2, width: 3, sampled: [true, false, true, false, true, true],
                                 numLowFrequencies: 1, acceleration: 1.5)
        #expect(throws: AcquisitionError.self) { try mask2.apply(to: ComplexArray(zeros: [3, 3, 3])) }
        #expect(throws: AcquisitionError.self) { try mask2.plane(height: 5) }
    }
}
