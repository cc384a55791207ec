import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

@Suite("mri-daps recon / simulate / eval / info on SampleData")
struct ReconCommandTests {
    @Test("info reports the sample's layout, shapes and header geometry")
    func info() throws {
        let r = try CLI.run(["info", CLI.sample.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3 slices × 8 coils × 224 (H, readout) × 192 (W, phase encode)"))
        #expect(r.stdout.contains("recon matrix: 224 × 192 × 1"))
        #expect(r.stdout.contains("acquisition: AXT1"))
        let j = try CLI.run(["info", "--json", CLI.sample.path])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect(obj["coils"] as? Int == 8)
        #expect(obj["layout"] as? String == "train")
    }

    @Test("simulate → recon (mask from file) → eval: SENSE and L1-wavelet beat zero-filled")
    func simulateReconEval() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let under = dir.appendingPathComponent("sample_4x.h5")
        let s = try CLI.run(["simulate", CLI.sample.path, "--accel", "4", "--mask", "random", "--center-fraction", "0.08",
                             "--seed", "0", "-o", under.path])
        #expect(s.status == 0, "\(s.stderr)")
        let info = try FastMRIFile.inspect(under)
        #expect(info.layout == .test)
        let mask = try #require(info.mask)
        #expect(mask.count == 192)
        #expect(info.numLowFrequencies == 15)  // round(192·0.08) = 15
        let sampled = mask.filter { $0 != 0 }.count
        #expect(sampled > 30 && sampled < 70, "4× of 192 columns expects ≈48, got \(sampled)")

        let psnr = try CLI.classicalPSNR(under, in: dir)
        let zf = try #require(psnr["zero-filled"]), sense = try #require(psnr["sense"]), l1 = try #require(psnr["l1-wavelet"])
        #expect(sense > zf + 1, "SENSE \(sense) dB vs zero-filled \(zf) dB")
        #expect(l1 > zf + 1, "L1-wavelet \(l1) dB vs zero-filled \(zf) dB")
    }

    @Test("recon output: reconstruction float32 (slices, H, W) with parameters as attributes, h5py-readable")
    func reconOutputLayout() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["recon", CLI.sample.path, "--accel", "4", "--method", "mvue", "--slices", "1:3", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try HDF5File(readingFrom: dir.appendingPathComponent("brain_colin27_8coil.h5"))
        defer { f.close() }
        let rec = try f.readFloat("reconstruction")
        #expect(rec.shape == [2, 224, 192])
        #expect(try f.attribute("method")?.stringValue == "mvue")
        #expect(try f.attribute("slice_start")?.doubleValue == 1)
        #expect(try f.attribute("mask_type")?.stringValue == "equispaced")  // brain default
        #expect(rec.storage.allSatisfy { $0.isFinite })
    }

    @Test("8× with 4 % centre lines (8 of 192): auto coil maps keep SENSE and L1-wavelet above zero-filled")
    func fewCalibrationLines() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var psnr = [String: Double]()
        for method in ["zero-filled", "sense", "l1-wavelet"] {
            let out = dir.appendingPathComponent(method)
            let r = try CLI.run(["recon", CLI.sample.path, "--accel", "8", "--mask", "random", "--center-fraction", "0.04",
                                 "--slices", "1:2", "--method", method, "--out", out.path])
            #expect(r.status == 0, "\(method): \(r.stderr)")
            let e = try CLI.run(["eval", "--json", "--target", CLI.sample.path, out.appendingPathComponent("brain_colin27_8coil.h5").path])
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [[String: Any]])
            psnr[method] = rows.first?["psnr"] as? Double
        }
        let zf = try #require(psnr["zero-filled"])
        #expect(try #require(psnr["sense"]) > zf + 0.5, "\(psnr)")
        #expect(try #require(psnr["l1-wavelet"]) > zf + 1, "\(psnr)")
    }

    @Test("fully sampled: ESPIRiT MVUE reproduces the RSS target (PSNR > 38 dB, SSIM > 0.9)")
    func fullySampledMVUE() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["recon", CLI.sample.path, "--method", "mvue", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let e = try CLI.run(["eval", "--json", "--target", CLI.sample.path, dir.appendingPathComponent("brain_colin27_8coil.h5").path])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [[String: Any]])
        let psnr = try #require(rows.first?["psnr"] as? Double), ssim = try #require(rows.first?["ssim"] as? Double)
        #expect(psnr > 38, "PSNR \(psnr)")
        #expect(ssim > 0.9, "SSIM \(ssim)")
    }

    @Test("same seed → identical reconstruction; the mask follows the seed")
    func reproducible() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func recon(_ seed: String, _ sub: String) throws -> FloatArray {
            let out = dir.appendingPathComponent(sub)
            let r = try CLI.run(["recon", CLI.sample.path, "--accel", "4", "--mask", "random", "--seed", seed,
                                 "--method", "zero-filled", "--slices", "0:1", "--out", out.path])
            #expect(r.status == 0, "\(r.stderr)")
            let f = try HDF5File(readingFrom: out.appendingPathComponent("brain_colin27_8coil.h5"))
            defer { f.close() }
            return try f.readFloat("reconstruction")
        }
        let a = try recon("3", "a"), b = try recon("3", "b"), c = try recon("4", "c")
        #expect(a == b)
        #expect(a != c)
    }
}
