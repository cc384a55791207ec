import Foundation
import MRIAcquisition
import MRICore
import Testing
import _TestSupport

@Suite struct ESPIRiTTests {
    /// Compares our maps with a committed `bart ecalib -m1 -r r` result on a 4-coil phantom.
    private func compareWithFixture(calibration r: Int, fixture: String) throws {
        let ksp = try SENSETestSupport.readCFL(Fixtures.url("sense/phantom_ksp"))
        let ref = try SENSETestSupport.readCFL(Fixtures.url("sense/\(fixture)"))
        let ours = try ESPIRiT().estimate(kspace: ksp, numLowFrequencies: r)
        let nc = 4, n = 48 * 48
        let bartSupport = (0..<n).map { ref.storage[$0].magnitude > 0 }
        let ourSupport = (0..<n).map { ours.sensitivityMaps.storage[$0].magnitude > 0 }
        let both = zip(bartSupport, ourSupport).map { $0 && $1 }
        let union = zip(bartSupport, ourSupport).filter { $0 || $1 }.count
        #expect(Double(both.filter { $0 }.count) >= 0.95 * Double(union))
        for c in 0..<nc {
            let a = ours.sensitivityMaps.storage[(c * n)..<((c + 1) * n)]
            let b = ref.storage[(c * n)..<((c + 1) * n)]
            #expect(SENSETestSupport.magnitudeCorrelation(a, b, mask: both) >= 0.95)
            #expect(SENSETestSupport.complexCorrelation(a, b, mask: both) >= 0.95)
        }
        // Unit norm over coils inside the crop.
        for i in 0..<n where ourSupport[i] {
            var s: Float = 0
            for c in 0..<nc { s += ours.sensitivityMaps.storage[c * n + i].magnitudeSquared }
            #expect(abs(s - 1) < 1e-3)
        }
    }

    @Test("matches bart ecalib -m1 -r 20 on the 4-coil phantom fixture")
    func matchesBART() throws { try compareWithFixture(calibration: 20, fixture: "phantom_sens") }

    @Test("matches bart ecalib -m1 -r 12 (few calibration lines)")
    func matchesBARTFewLines() throws { try compareWithFixture(calibration: 12, fixture: "phantom_sens_r12") }

    @Test("recovers simulated smooth coil maps up to a common phase")
    func recoversTrueMaps() throws {
        let (h, w, nc) = (64, 64, 6)
        let image = SENSETestSupport.phantom(height: h, width: w)
        let truth = SENSETestSupport.birdcageMaps(coils: nc, height: h, width: w)
        let ksp = SENSETestSupport.simulate(image: image, maps: truth, noise: 1e-4, seed: 1)
        for estimator in ["espirit", "lowres"] {
            let maps = estimator == "espirit"
                ? try ESPIRiT().sensitivityMaps(kspace: ksp, numLowFrequencies: 24)
                : try LowResolutionCoilMaps().sensitivityMaps(kspace: ksp, numLowFrequencies: 24)
            // Per-pixel coherence |Σ conj(S_true) S| / (‖S_true‖‖S‖) inside the object.
            var coherences = [Double]()
            for i in 0..<(h * w) where image.storage[i].magnitude > 0.2 {
                var re = 0.0, im = 0.0, na = 0.0, nb = 0.0
                for c in 0..<nc {
                    let a = truth.storage[c * h * w + i], b = maps.storage[c * h * w + i]
                    re += Double(a.re * b.re + a.im * b.im); im += Double(a.re * b.im - a.im * b.re)
                    na += Double(a.magnitudeSquared); nb += Double(b.magnitudeSquared)
                }
                coherences.append(nb > 0 ? (re * re + im * im).squareRoot() / (na * nb).squareRoot() : 0)
            }
            coherences.sort()
            #expect(coherences[coherences.count / 2] >= 0.99, "\(estimator) median coherence")
            #expect(coherences[coherences.count / 10] >= 0.95, "\(estimator) 10th percentile coherence")
        }
    }

    @Test("calibration narrower than the kernel throws")
    func tooFewLinesThrows() {
        #expect(throws: CoilMapError.self) {
            _ = try ESPIRiT().sensitivityMaps(kspace: ComplexArray(zeros: [2, 32, 32]), numLowFrequencies: 6)
        }
        #expect(throws: CoilMapError.self) {
            _ = try ESPIRiT().sensitivityMaps(kspace: ComplexArray(zeros: [32, 32]), numLowFrequencies: 12)
        }
        #expect(throws: CoilMapError.self) {
            _ = try LowResolutionCoilMaps().sensitivityMaps(kspace: ComplexArray(zeros: [2, 32, 32]), numLowFrequencies: 12)
        }
    }
}
