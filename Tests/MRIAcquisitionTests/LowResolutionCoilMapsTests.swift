import Foundation
import MRIAcquisition
import MRICore
import Testing

@Suite struct LowResolutionCoilMapsTests {
    /// One coil's image m·e^{iφ}: an ellipse with texture and a smooth phase of several radians
    /// (beyond the priors' training phase model, as real scans' phase is).
    static func singleCoilImage(height h: Int, width w: Int) -> (image: ComplexArray, magnitude: [Float], phase: [Float]) {
        var image = ComplexArray(zeros: [1, h, w])
        var magnitude = [Float](repeating: 0, count: h * w), phase = [Float](repeating: 0, count: h * w)
        for i in 0..<h { for j in 0..<w {
            let u = 2 * Float(i) / Float(h - 1) - 1, v = 2 * Float(j) / Float(w - 1) - 1
            let inside = (u / 0.8) * (u / 0.8) + (v / 0.7) * (v / 0.7) <= 1
            let m: Float = inside ? 0.6 + 0.3 * cos(5 * u) * sin(4 * v) : 0
            let p: Float = 1 + 2.5 * u - 1.5 * v + 2 * u * v
            magnitude[i * w + j] = m; phase[i * w + j] = p
            image[linear: i * w + j] = ComplexFloat(m * cos(p), m * sin(p))
        } }
        return (image, magnitude, phase)
    }

    @Test("one coil's phase map: unit magnitude, the object's phase, a nearly real demodulated image")
    func phaseMapDemodulates() throws {
        let h = 64, w = 48
        let (image, magnitude, phase) = Self.singleCoilImage(height: h, width: w)
        let kspace = CenteredFFT.forward(image)
        let map = try LowResolutionCoilMaps().phaseMap(kspace: kspace, numLowFrequencies: 16)
        #expect(map.shape == [1, h, w])
        let worstUnit = map.storage.map { abs($0.magnitude - 1) }.max() ?? 1
        #expect(worstUnit < 1e-5, "|map| − 1 up to \(worstUnit)")

        var errors = [Float]()
        var imaginary = 0.0, imaginaryRaw = 0.0, energy = 0.0
        for i in 0..<(h * w) where magnitude[i] > 0.3 {
            let truth = ComplexFloat(cos(phase[i]), sin(phase[i]))
            let d = map.storage[i].conjugate * truth
            errors.append(abs(atan2(d.im, d.re)))
            let x = image.storage[i], z = map.storage[i].conjugate * x
            imaginary += Double(z.im * z.im); imaginaryRaw += Double(x.im * x.im); energy += Double(x.magnitudeSquared)
        }
        errors.sort()
        #expect(errors[errors.count / 2] < 0.05, "median phase error \(errors[errors.count / 2]) rad")
        #expect(errors[errors.count * 95 / 100] < 0.3, "95th percentile phase error \(errors[errors.count * 95 / 100]) rad")
        // Demodulated, the object is nearly real; as acquired, it is not (so the check can fail).
        #expect(imaginary / energy < 0.01, "imaginary share after demodulation \(imaginary / energy)")
        #expect(imaginaryRaw / energy > 0.3, "imaginary share as acquired \(imaginaryRaw / energy)")
    }

    @Test("the phase map is a unitary change of variables: |maps* · image| is the image's magnitude")
    func phaseMapKeepsMagnitude() throws {
        let (image, _, _) = Self.singleCoilImage(height: 40, width: 32)
        let map = try LowResolutionCoilMaps().phaseMap(kspace: CenteredFFT.forward(image), numLowFrequencies: 8)
        for i in 0..<image.count {
            let z = map.storage[i].conjugate * image.storage[i]
            #expect(abs(z.magnitude - image.storage[i].magnitude) <= 1e-5 * max(1, image.storage[i].magnitude))
        }
    }

    @Test("the phase map takes one coil only, needs signal and two centre lines")
    func phaseMapRejects() {
        #expect(throws: CoilMapError.badShape([2, 16, 16])) {
            _ = try LowResolutionCoilMaps().phaseMap(kspace: ComplexArray(zeros: [2, 16, 16]), numLowFrequencies: 8)
        }
        #expect(throws: CoilMapError.noSignal) {
            _ = try LowResolutionCoilMaps().phaseMap(kspace: ComplexArray(zeros: [1, 16, 16]), numLowFrequencies: 8)
        }
        #expect(throws: CoilMapError.calibrationTooSmall(width: 1, needed: 2)) {
            _ = try LowResolutionCoilMaps().phaseMap(kspace: ComplexArray(zeros: [1, 16, 16]), numLowFrequencies: 1)
        }
    }
}
