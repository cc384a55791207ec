import Foundation
import MRIIO
import Testing
import _TestSupport

/// fastMRI-layout files whose `mask` is 2-D (H, W): one readout position per ky–kz sample, as in
/// undersampled 3-D Cartesian scans.
@Suite("2-D masks in fastMRI-layout files")
struct TwoDimensionalMaskTests {
    @Test("simulate --mask poisson writes a 2-D mask; every method reconstructs it; SENSE and L1 beat zero-filled")
    func poissonFile() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let under = dir.appendingPathComponent("sample_poisson.h5")
        let s = try CLI.run(["simulate", CLI.sample.path, "--accel", "3", "--mask", "poisson", "--seed", "0", "-o", under.path])
        #expect(s.status == 0, "\(s.stderr)")
        let info = try FastMRIFile.inspect(under)
        #expect(info.maskIsTwoDimensional && info.mask?.count == info.sliceShape.height * info.sliceShape.width)
        let f = try HDF5File(readingFrom: under)
        #expect(try f.datasetInfo("mask").shape == [info.sliceShape.height, info.sliceShape.width])
        f.close()
        let i = try CLI.run(["info", under.path])
        #expect(i.stdout.contains("mask: 2-D (H, W)"), "\(i.stdout)")

        let psnr = try CLI.classicalPSNR(under, in: dir, extra: ["--slices", "1:2"])
        let zf = try #require(psnr["zero-filled"]), sense = try #require(psnr["sense"]), l1 = try #require(psnr["l1-wavelet"])
        #expect(sense > zf + 1, "SENSE \(sense) dB vs zero-filled \(zf) dB")
        #expect(l1 > zf + 1, "L1-wavelet \(l1) dB vs zero-filled \(zf) dB")

        let daps = try CLI.run(["recon", under.path, "--slices", "1:2", "--prior", DAPSReconTests.tinyPrior.path,
                                "--out", dir.appendingPathComponent("daps").path] + Array(DAPSReconTests.small.dropFirst(2)))
        #expect(daps.status == 0, "\(daps.stderr)")
    }

    @Test("a 2-D mask of the wrong shape is refused naming the file and the expected shapes")
    func wrongShape() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("bad_mask.h5")
        let f = try HDF5File(creating: scan)
        try f.createDataset("kspace", shape: [2, 4, 48, 40], type: .complex64)
        try f.createDataset("mask", shape: [47, 40], type: .boolean)
        try f.writeBytes("mask", [UInt8](repeating: 1, count: 47 * 40), shape: [47, 40])
        f.close()
        let r = try CLI.run(["recon", scan.path, "--method", "zero-filled", "--out", dir.appendingPathComponent("o").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("bad_mask.h5") && r.stderr.contains("(H, W) = (48, 40)"), "\(r.stderr)")
    }
}
