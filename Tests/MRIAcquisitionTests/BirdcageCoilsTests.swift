import Foundation
import MRIAcquisition
import MRICore
import Testing
import _TestSupport

/// `BirdcageCoils` against SigPy's `birdcage_maps` formula evaluated by NumPy.
@Suite struct BirdcageCoilsTests {
    @Test("birdcage maps equal SigPy's birdcage_maps formula (NumPy) and have unit root-sum-of-squares",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func birdcageAgainstNumPy() throws {
        let (c, h, w) = (8, 24, 20)
        let maps = BirdcageCoils.sensitivities(coils: c, height: h, width: w)
        let tmp = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("maps.f32")
        // sigpy.mri.sim.birdcage_maps, 2-D branch (r = 1.5), written out as interleaved re/im float32.
        let code = """
            import numpy as np, sys
            nc, ny, nx, r = 8, 24, 20, 1.5
            c, y, x = np.mgrid[:nc, :ny, :nx]
            coilx = r * np.cos(c * (2 * np.pi / nc)); coily = r * np.sin(c * (2 * np.pi / nc)); coil_phs = -c * (2 * np.pi / nc)
            x_co = (x - nx / 2.0) / (nx / 2.0) - coilx; y_co = (y - ny / 2.0) / (ny / 2.0) - coily
            rr = np.sqrt(x_co ** 2 + y_co ** 2); phi = np.arctan2(x_co, -y_co) + coil_phs
            out = (1.0 / rr) * np.exp(1j * phi); out /= np.sum(np.abs(out) ** 2, axis=0) ** 0.5
            out.astype(np.complex64).tofile(sys.argv[1])
            """
        let r = try Fixtures.run("/usr/bin/python3", ["-c", code, out.path])
        try #require(r.status == 0, "\(r.stderr)")
        let ref = try Fixtures.readFloat32(out)
        #expect(ref.count == 2 * c * h * w)
        var worst: Float = 0
        for i in 0..<(c * h * w) {
            worst = max(worst, abs(maps.storage[i].re - ref[2 * i]), abs(maps.storage[i].im - ref[2 * i + 1]))
        }
        #expect(worst < 2e-6, "max deviation from NumPy \(worst)")
        for p in 0..<(h * w) {
            var s: Float = 0
            for k in 0..<c { s += maps.storage[k * h * w + p].magnitudeSquared }
            #expect(abs(s - 1) < 1e-5)
        }
    }
}
