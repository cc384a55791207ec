import Foundation
import MRIIO
import MRIPipeline
import Testing

@Suite struct DICOMPixelMappingTests {
    @Test("percentile interpolates order statistics as NumPy does")
    func percentile() {
        let v = (0...100).map(Float.init)
        #expect(DICOMPixelMapping.percentile(sorted: v, 25) == 25)
        #expect(DICOMPixelMapping.percentile(sorted: [1, 2, 3, 4], 50) == 2.5)  // np.percentile([1,2,3,4], 50)
        #expect(DICOMPixelMapping.percentile(sorted: [1, 2, 3, 4], 10) == 1.3)  // rank 0.3
    }

    @Test("12-bit quantisation: max maps to 4095, error ≤ slope/2, negative values shift the intercept")
    func quantisation() {
        let values: [Float] = (0..<1000).map { Float(sin(Double($0) * 0.37)) * 3 + 1 }
        let m = DICOMPixelMapping(values: values)
        #expect(m.intercept == Double(values.min()!))
        #expect(abs(m.slope - (Double(values.max()!) - Double(values.min()!)) / 4095) < 1e-15)
        let q = m.quantize(values)
        #expect(q.max() == 4095 && q.min() == 0)
        for (v, s) in zip(values, q) { #expect(abs(m.realValue(s) - Double(v)) <= m.slope / 2 + 1e-9) }
        let nonNegative = DICOMPixelMapping(values: [0, 0.5, 2])
        #expect(nonNegative.intercept == 0 && nonNegative.slope == 2.0 / 4095)
    }

    @Test("window below 1 asks for LINEAR_EXACT; stored-unit window scales by 1/slope")
    func window() {
        let small = DICOMPixelMapping(values: (0..<200).map { Float($0) * 1e-5 })
        #expect(small.window.width < 1 && small.window.function == "LINEAR_EXACT")
        #expect(small.storedWindow.width > 1 && small.storedWindow.function == nil)
        #expect(abs(small.storedWindow.width - small.window.width / small.slope) < 1e-9)
        let constant = DICOMPixelMapping(values: [0, 0, 0])
        #expect(constant.slope == 1 && constant.window.width > 0)
    }
}

@Suite struct DICOMUIDGeneratorTests {
    @Test("UUID arc 2.25: the UUID as one 128-bit decimal")
    func uuidArc() throws {
        let g = try DICOMUIDGenerator()
        let u = g.make()
        #expect(u.hasPrefix("2.25.") && u.count <= 64)
        #expect(u.dropFirst(5).allSatisfy(\.isNumber) && u.dropFirst(5).first != "0")
        #expect(g.make() != u)
    }

    @Test("custom roots are validated and UIDs stay within 64 characters")
    func roots() throws {
        for bad in ["", "1..2", "1.02", "a.b", "1.2.", String(repeating: "1.", count: 22) + "1"] {
            #expect(throws: MRIIOError.self) { _ = try DICOMUIDGenerator(root: bad) }
        }
        let root = "1.2.826.0.1.3680043.10.543.99999999999999"
        let u = try DICOMUIDGenerator(root: root).make()
        #expect(u.hasPrefix(root + ".") && u.count <= 64 && u.count >= root.count + 10, "\(u)")
    }
}
