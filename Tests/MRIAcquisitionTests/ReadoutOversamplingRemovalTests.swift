import MRIAcquisition
import MRICore
import Testing

/// ReadoutOversamplingRemoval: the image of the result is the centre-cropped image of the input.
@Suite struct ReadoutOversamplingRemovalTests {
    @Test("ifft2c(result) equals center_crop(ifft2c(input)) for even and odd H")
    func imageIsCropped() throws {
        for (h, w, out) in [(64, 30, 32), (63, 17, 31), (40, 12, 25)] {
            var rng = SeededRNG(seed: UInt64(h))
            var k = ComplexArray(zeros: [4, h, w])
            for i in 0..<k.count { k[linear: i] = rng.complexGaussian() }
            let reduced = try ReadoutOversamplingRemoval.apply(k, outputHeight: out)
            #expect(reduced.shape == [4, out, w])
            let expected = try CenterCrop.crop(CenteredFFT.inverse(k), height: out, width: w)
            let got = CenteredFFT.inverse(reduced)
            let err = (got - expected).norm / expected.norm
            #expect(err < 1e-5, "\(h)×\(w) → \(out): relative error \(err)")
        }
    }

    @Test("the default removes 2× oversampling; a too-large height throws")
    func defaultsAndErrors() throws {
        let k = ComplexArray(zeros: [2, 20, 6])
        #expect(try ReadoutOversamplingRemoval.apply(k).shape == [2, 10, 6])
        #expect(throws: AcquisitionError.self) { try ReadoutOversamplingRemoval.apply(k, outputHeight: 21) }
    }
}
