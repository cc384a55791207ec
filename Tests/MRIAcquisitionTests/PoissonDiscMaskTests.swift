import MRIAcquisition
import MRICore
import Testing

/// PoissonDiscMask: SigPy-style 2-D variable-density Poisson-disc sampling.
@Suite struct PoissonDiscMaskTests {
    @Test("achieved acceleration is within 10 % of R; calibration box full; corners empty")
    func accelerationAndStructure() throws {
        for (h, w, r) in [(80, 80, 4.0), (96, 72, 6.0), (64, 48, 3.0)] {
            let gen = try PoissonDiscMask(acceleration: r, centerFraction: 0.1)
            var rng = SeededRNG(seed: 17)
            let m = try gen.generate(height: h, width: w, using: &rng)
            #expect(m.shape == [h, w] && m.isTwoDimensional)
            #expect(abs(m.effectiveAcceleration - r) <= 0.1 * r, "\(h)×\(w) R \(r): achieved \(m.effectiveAcceleration)")
            let (ch, cw) = gen.calibrationSize(height: h, width: w)
            let rows = SamplingMask.centerColumns(width: h, centerFraction: 0.1)
            let cols = SamplingMask.centerColumns(width: w, centerFraction: 0.1)
            #expect(rows.count == ch && cols.count == cw && m.numLowFrequencies == cw)
            for i in rows { for j in cols { #expect(m.sampled[i * w + j], "calibration (\(i), \(j))") } }
            // Corners (normalised radius ≥ 1) are cropped.
            #expect(!m.sampled[0] && !m.sampled[w - 1] && !m.sampled[(h - 1) * w] && !m.sampled[h * w - 1])
            // Variable density: the inner half of the plane is denser than the outer ring.
            var inner = (0, 0), outer = (0, 0)
            for i in 0..<h {
                for j in 0..<w {
                    let dy = Double(i - h / 2) / Double(h / 2), dx = Double(j - w / 2) / Double(w / 2)
                    let d = (dx * dx + dy * dy).squareRoot()
                    if d < 0.5 { inner.0 += m.sampled[i * w + j] ? 1 : 0; inner.1 += 1 }
                    else if d < 1 { outer.0 += m.sampled[i * w + j] ? 1 : 0; outer.1 += 1 }
                }
            }
            #expect(Double(inner.0) / Double(inner.1) > 1.5 * Double(outer.0) / Double(outer.1))
        }
    }

    @Test("same seed → same mask; different seeds → different masks")
    func seedDeterminism() throws {
        let gen = try PoissonDiscMask(acceleration: 5, centerFraction: 0.08)
        var a = SeededRNG(seed: 3), b = SeededRNG(seed: 3), c = SeededRNG(seed: 4)
        let ma = try gen.generate(height: 64, width: 64, using: &a)
        #expect(ma == (try gen.generate(height: 64, width: 64, using: &b)))
        #expect(ma != (try gen.generate(height: 64, width: 64, using: &c)))
    }

    @Test("an unreachable acceleration throws accelerationNotReached")
    func unreachable() throws {
        // With the corners cropped, at most ≈ π/4 of the plane can be sampled: R = 1 is out of reach.
        let gen = try PoissonDiscMask(acceleration: 1, centerFraction: 0.1)
        var rng = SeededRNG(seed: 1)
        do {
            _ = try gen.generate(height: 40, width: 40, using: &rng)
            Issue.record("expected accelerationNotReached")
        } catch let e as AcquisitionError {
            guard case .accelerationNotReached = e else { Issue.record("wrong error \(e)"); return }
            #expect(e.description.contains("poisson"))
        }
    }
}
