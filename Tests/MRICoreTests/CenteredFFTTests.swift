import Foundation
import MRICore
import Testing
import _TestSupport

/// CenteredFFT against NumPy's fastMRI fft2c/ifft2c (`Tests/Fixtures/make_core_fixtures.py`).
@Suite struct CenteredFFTTests {
    /// The generator's closed-form input, x[i, j] = cos(0.37 i + 0.011 j²) + 0.25((7i + 13j) mod 11)/11
    /// + i·(sin(0.71 j − 0.05 i²) − 0.125((5i + 3j) mod 7)/7), rounded to single precision.
    static func closedForm(_ h: Int, _ w: Int) -> ComplexArray {
        var x = ComplexArray(zeros: [h, w])
        for i in 0..<h {
            for j in 0..<w {
                let di = Double(i), dj = Double(j)
                let re = cos(0.37 * di + 0.011 * dj * dj) + 0.25 * Double((7 * i + 13 * j) % 11) / 11
                let im = sin(0.71 * dj - 0.05 * di * di) - 0.125 * Double((5 * i + 3 * j) % 7) / 7
                x[linear: i * w + j] = ComplexFloat(Float(re), Float(im))
            }
        }
        return x
    }

    static func readComplex(_ name: String, shape: [Int]) throws -> ComplexArray {
        let f = try Fixtures.readFloat32(Fixtures.url("core/\(name)"))
        try #require(f.count == 2 * shape.reduce(1, *), "fixture \(name) has \(f.count) floats")
        return ComplexArray(shape: shape, storage: (0..<(f.count / 2)).map { ComplexFloat(f[2 * $0], f[2 * $0 + 1]) })
    }

    /// ‖a − b‖ / ‖b‖.
    static func relativeError(_ a: ComplexArray, _ b: ComplexArray) -> Double { (a - b).norm / b.norm }

    static let smallSizes = [(16, 12), (15, 9), (33, 20), (64, 46)]
    static let transforms: [(name: String, axes: CenteredFFT.Axes, inverse: Bool)] = [
        ("fft2c", .image, false), ("ifft2c", .image, true),
        ("fftc_readout", .readout, false), ("ifftc_readout", .readout, true),
        ("fftc_phase", .phaseEncode, false), ("ifftc_phase", .phaseEncode, true),
    ]

    @Test("the closed-form input matches the generator's float32 input")
    func closedFormMatchesGenerator() throws {
        for (h, w) in Self.smallSizes {
            let ref = try Self.readComplex("input_\(h)x\(w).f32", shape: [h, w])
            #expect(Self.relativeError(Self.closedForm(h, w), ref) < 1e-7, "\(h)×\(w)")
        }
    }

    @Test("2-D, readout and phase-encode transforms match NumPy at even and odd sizes")
    func matchesNumPySmall() throws {
        for (h, w) in Self.smallSizes {
            let x = Self.closedForm(h, w)
            for t in Self.transforms {
                let ref = try Self.readComplex("\(t.name)_\(h)x\(w).f32", shape: [h, w])
                let y = t.inverse ? CenteredFFT.inverse(x, axes: t.axes) : CenteredFFT.forward(x, axes: t.axes)
                let err = Self.relativeError(y, ref)
                #expect(err < 1e-6, "\(t.name) \(h)×\(w): relative error \(err)")
            }
        }
    }

    @Test("fft2c/ifft2c at 640×368 and 321×200 match NumPy at 48 sampled positions")
    func matchesNumPyLarge() throws {
        for (h, w) in [(640, 368), (321, 200)] {
            let x = Self.closedForm(h, w)
            for (name, inverse) in [("fft2c", false), ("ifft2c", true)] {
                let y = inverse ? CenteredFFT.inverse(x) : CenteredFFT.forward(x)
                let rows = try Fixtures.readFloat32(Fixtures.url("core/\(name)_\(h)x\(w)_samples.f32"))
                try #require(rows.count == 48 * 4)
                // Scale: the largest reference magnitude among the samples.
                var scale = 0.0
                for r in 0..<48 { scale = max(scale, Double(ComplexFloat(rows[4 * r + 2], rows[4 * r + 3]).magnitude)) }
                var worst = 0.0
                for r in 0..<48 {
                    let i = Int(rows[4 * r]), j = Int(rows[4 * r + 1])
                    let d = y[i, j] - ComplexFloat(rows[4 * r + 2], rows[4 * r + 3])
                    worst = max(worst, Double(d.magnitude) / scale)
                }
                #expect(worst < 2e-6, "\(name) \(h)×\(w): worst sampled error \(worst) of max |y|")
                #expect(abs(y.norm / x.norm - 1) < 1e-5, "\(name) \(h)×\(w) is not unitary")
            }
        }
    }

    @Test("inverse ∘ forward is the identity for every axis choice")
    func roundTrip() {
        for (h, w) in [(640, 368), (321, 200), (15, 9)] {
            let x = Self.closedForm(h, w)
            for axes in [CenteredFFT.Axes.image, .readout, .phaseEncode] {
                let back = CenteredFFT.inverse(CenteredFFT.forward(x, axes: axes), axes: axes)
                #expect(Self.relativeError(back, x) < 1e-6, "\(h)×\(w) \(axes)")
            }
        }
    }

    @Test("a batch over coils and slices equals the per-plane transforms")
    func batchedMatchesPerCoil() {
        let (h, w) = (33, 20)
        let base = Self.closedForm(h, w)
        var planes: [ComplexArray] = []
        for k in 0..<6 {
            var p = base
            let phase = ComplexFloat.unit(phase: 0.4 * Float(k))
            for i in 0..<p.count { p[linear: i] = base.storage[(i + 7 * k) % p.count] * phase }
            planes.append(p)
        }
        let batch = ComplexArray.stacked(planes).reshaped([2, 3, h, w])
        for axes in [CenteredFFT.Axes.image, .readout, .phaseEncode] {
            for inverse in [false, true] {
                let y = inverse ? CenteredFFT.inverse(batch, axes: axes) : CenteredFFT.forward(batch, axes: axes)
                #expect(y.shape == [2, 3, h, w])
                let flat = y.reshaped([6, h, w])
                for k in 0..<6 {
                    let single = inverse ? CenteredFFT.inverse(planes[k], axes: axes) : CenteredFFT.forward(planes[k], axes: axes)
                    #expect(Self.relativeError(flat.item(k), single) < 1e-6, "\(axes) inverse=\(inverse) plane \(k)")
                }
            }
        }
    }
}
