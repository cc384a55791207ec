import MRIAcquisition
import MRICore
import Testing

/// CenterCrop: fastMRI `center_crop` offsets (start = (size − crop)//2) and zero-padding.
@Suite struct CenterCropTests {
    /// x[b, i, j] = 1000 b + 100 i + j, so an element names its own position.
    static func indexed(_ b: Int, _ h: Int, _ w: Int) -> ComplexArray {
        var x = ComplexArray(zeros: [b, h, w])
        for k in 0..<b { for i in 0..<h { for j in 0..<w { x[k, i, j] = ComplexFloat(Float(1000 * k + 100 * i + j), Float(k)) } } }
        return x
    }

    @Test("crop takes rows (H − h)//2 … and columns (W − w)//2 … for even and odd sizes")
    func cropOffsets() throws {
        for (h, w, ch, cw) in [(7, 9, 4, 4), (8, 9, 3, 5), (6, 6, 6, 2), (5, 8, 1, 7)] {
            let x = Self.indexed(2, h, w)
            let y = try CenterCrop.crop(x, height: ch, width: cw)
            #expect(y.shape == [2, ch, cw])
            let h0 = (h - ch) / 2, w0 = (w - cw) / 2
            for k in 0..<2 { for i in 0..<ch { for j in 0..<cw { #expect(y[k, i, j] == x[k, i + h0, j + w0]) } } }
            let real = try CenterCrop.crop(x.magnitude, height: ch, width: cw)
            #expect(real == y.magnitude)
        }
    }

    @Test("zeroPad is the inverse of crop and pads with zeros")
    func zeroPad() throws {
        let x = Self.indexed(3, 5, 4)
        let p = try CenterCrop.zeroPad(x, height: 8, width: 7)
        #expect(p.shape == [3, 8, 7])
        #expect(try CenterCrop.crop(p, height: 5, width: 4) == x)
        #expect(abs(p.normSquared - x.normSquared) < 1e-6 * x.normSquared)
        #expect(p[0, 0, 0] == .zero && p[2, 7, 6] == .zero)
        let fp = try CenterCrop.zeroPad(x.magnitude, height: 6, width: 6)
        #expect(try CenterCrop.crop(fp, height: 5, width: 4) == x.magnitude)
    }

    @Test("cropPhaseEncode keeps the rows; oversize crops and rank-1 inputs throw")
    func phaseEncodeAndErrors() throws {
        let x = Self.indexed(1, 6, 10)
        let y = try CenterCrop.cropPhaseEncode(x, width: 4)
        #expect(y.shape == [1, 6, 4] && y[0, 2, 0] == x[0, 2, 3])
        #expect(throws: AcquisitionError.self) { try CenterCrop.crop(x, height: 7, width: 4) }
        #expect(throws: AcquisitionError.self) { try CenterCrop.crop(x, height: 0, width: 4) }
        #expect(throws: AcquisitionError.self) { try CenterCrop.zeroPad(x, height: 5, width: 12) }
        #expect(throws: AcquisitionError.self) { try CenterCrop.crop(ComplexArray(zeros: [5]), height: 1, width: 1) }
    }
}
