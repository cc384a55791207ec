import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

/// `mri-daps convert` of ISMRMRD raw data: the ../shared/data/raw/ismrmrd files (skipped with a
/// message when ../shared is absent) and files generated here with Debian's ismrmrd-tools.
@Suite("mri-daps convert (ISMRMRD)")
struct ISMRMRDConvertTests {
    static var raw: URL? {
        guard let d = Fixtures.sharedData?.appendingPathComponent("raw/ismrmrd"),
              FileManager.default.fileExists(atPath: d.path) else { return nil }
        return d
    }
    static var generator: String? { Fixtures.executable("ismrmrd_generate_cartesian_shepp_logan") }

    /// The stored phantom `(1, y, x)` (compound {real, imag}), as |·| transposed to our
    /// (readout x, phase encode y) order, read by h5py.
    static func phantom(_ url: URL, in dir: URL) throws -> FloatArray {
        let out = dir.appendingPathComponent("phantom-\(UUID().uuidString).f32")
        let script = "import h5py, numpy as np, sys; d = h5py.File(sys.argv[1])['dataset/phantom'][()]; "
            + "np.abs(d['real'] + 1j * d['imag'])[0].T.astype('<f4').tofile(sys.argv[2]); print(d.shape[1], d.shape[2])"
        let r = try Fixtures.run("/usr/bin/python3", ["-c", script, url.path, out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let dims = r.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return FloatArray(shape: [dims[1], dims[0]], storage: try Fixtures.readFloat32(out))
    }

    static func correlation(_ a: FloatArray, _ b: FloatArray) -> Double {
        let n = Double(a.count)
        let ma = a.storage.reduce(0) { $0 + Double($1) } / n, mb = b.storage.reduce(0) { $0 + Double($1) } / n
        var ab = 0.0, aa = 0.0, bb = 0.0
        for i in 0..<a.count {
            let x = Double(a.storage[i]) - ma, y = Double(b.storage[i]) - mb
            ab += x * y; aa += x * x; bb += y * y
        }
        return ab / (aa * bb).squareRoot()
    }

    func reconstruct(_ file: URL, method: String, in dir: URL) throws -> FloatArray {
        let out = dir.appendingPathComponent(method)
        let r = try CLI.run(["recon", file.path, "--method", method, "--out", out.path])
        #expect(r.status == 0, "\(method): \(r.stderr)")
        let f = try HDF5File(readingFrom: out.appendingPathComponent(file.lastPathComponent))
        defer { f.close() }
        return try f.readFloat("reconstruction").item(0)
    }

    @Test("Shepp–Logan, 8 coils, 2× oversampling: fully sampled and R = 2 with 16 calibration lines reconstruct against the stored phantom",
          .enabled(if: raw != nil, "../shared/data/raw/ismrmrd is absent"))
    func sheppLogan() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = Self.raw!.appendingPathComponent("shepp_logan_m64_c8_os2_noise.h5")
        let r2 = Self.raw!.appendingPathComponent("shepp_logan_m64_c8_os2_R2_cal16_noise.h5")
        let fullOut = dir.appendingPathComponent("full.h5"), r2Out = dir.appendingPathComponent("r2.h5")
        for (input, output) in [(full, fullOut), (r2, r2Out)] {
            let c = try CLI.run(["convert", input.path, "-o", output.path])
            #expect(c.status == 0, "\(c.stderr)")
            #expect(c.stdout.contains("1 noise acquisition(s), coils prewhitened"), "\(c.stdout)")
        }
        let attributes = try FastMRIFile.inspect(fullOut).attributes.extra
        #expect(attributes["prewhitened"] == .integer(1) && attributes["noise_samples"] == .integer(128))
        let raw = dir.appendingPathComponent("raw.h5")
        let c = try CLI.run(["convert", full.path, "--no-prewhiten", "-o", raw.path])
        #expect(c.status == 0 && !c.stdout.contains("prewhitened"))
        #expect(try FastMRIFile.inspect(raw).attributes.extra["prewhitened"] == .integer(0))
        let fi = try FastMRIFile.inspect(fullOut), ri = try FastMRIFile.inspect(r2Out)
        #expect(fi.sliceShape == SliceShape(coils: 8, height: 128, width: 64) && fi.mask == nil)
        // Repetition 0: the even lines plus the calibration block k1 24..39.
        let mask = try #require(ri.mask)
        #expect(mask.filter { $0 != 0 }.count == 40)
        #expect((0..<64).allSatisfy { ($0 % 2 == 0 || (24...39).contains($0)) == (mask[$0] != 0) })
        let phantom = try Self.phantom(full, in: dir)
        let mvue = try reconstruct(fullOut, method: "mvue", in: dir)
        #expect(mvue.shape == [64, 64])  // the readout oversampling removed
        #expect(Self.correlation(mvue, phantom) > 0.985, "\(Self.correlation(mvue, phantom))")
        let sense = try reconstruct(r2Out, method: "sense", in: dir.appendingPathComponent("r2"))
        let zf = try reconstruct(r2Out, method: "zero-filled", in: dir.appendingPathComponent("r2"))
        let truth = try Self.phantom(r2, in: dir)
        let cs = Self.correlation(sense, truth), cz = Self.correlation(zf, truth)
        #expect(cs > 0.97 && cs > cz + 0.02, "SENSE \(cs), zero-filled \(cz)")

        // recon reads the raw file directly: the same images as from the converted file, the
        // output named after the raw input, no conversion left behind.
        let direct = dir.appendingPathComponent("direct")
        let r = try CLI.run(["recon", r2.path, "--method", "sense", "--out", direct.path])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try HDF5File(readingFrom: direct.appendingPathComponent(r2.lastPathComponent))
        defer { f.close() }
        #expect(try f.readFloat("reconstruction").item(0) == sense)
        #expect(try f.attributes()["input_file"] == .string(r2.lastPathComponent))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix("mri-daps-raw-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        let info = try CLI.run(["info", r2.path])
        #expect(info.status == 0 && info.stdout.hasPrefix("raw data, shown as converted") && info.stdout.contains("40 of 64 columns"), "\(info.stdout)")
    }

    @Test("the Prisma GRE (converted from TWIX) keeps every sample: Σ|k|² and the peak equal twixtools'",
          .enabled(if: raw != nil, "../shared/data/raw/ismrmrd is absent"))
    func prismaGRE() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("gre.h5")
        let c = try CLI.run(["convert", Self.raw!.appendingPathComponent("pulseq_gre_vd_prisma_1ch.h5").path, "-o", out.path])
        #expect(c.status == 0, "\(c.stderr)")
        let file = try FastMRIFile(contentsOf: out)
        defer { file.close() }
        let k = try file.readSlice(0)
        #expect(k.shape == [1, 256, 256])
        let energy = k.storage.reduce(0.0) { $0 + Double($1.magnitudeSquared) }
        #expect(abs(energy / 2.452121e-05 - 1) < 1e-5, "Σ|k|² = \(energy)")
        let peak = k.storage.indices.max { k.storage[$0].magnitude < k.storage[$1].magnitude }!
        #expect(peak == 128 * 256 + 128 && abs(Double(k.storage[peak].magnitude) / 2.105113e-03 - 1) < 1e-5)
    }

    @Test("generated files: another repetition is selectable; k-space trajectories (non-Cartesian) and non-ISMRMRD input are refused",
          .enabled(if: generator != nil, "ismrmrd-tools is not installed"))
    func generated() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func generate(_ name: String, _ args: [String]) throws -> URL {
            let url = dir.appendingPathComponent(name)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.generator!)
            p.arguments = ["-m", "32", "-c", "4", "-o", url.path] + args
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            return url
        }
        let reps = try generate("reps.h5", ["-r", "2", "-a", "2", "-w", "8"])
        let one = try CLI.run(["convert", reps.path, "--repetition", "1", "-o", dir.appendingPathComponent("rep1.h5").path])
        #expect(one.status == 0, "\(one.stderr)")
        let mask = try #require(try FastMRIFile.inspect(dir.appendingPathComponent("rep1.h5")).mask)
        #expect(mask.enumerated().allSatisfy { ($0.offset % 2 == 1 || (12...19).contains($0.offset)) == ($0.element != 0) },
                "\(mask)")
        let none = try CLI.run(["convert", reps.path, "--repetition", "5", "-o", dir.appendingPathComponent("rep5.h5").path])
        #expect(none.status != 0 && none.stderr.contains("no image acquisitions for repetition 5"))

        let traj = try generate("traj.h5", ["-k"])
        let t = try CLI.run(["convert", traj.path, "-o", dir.appendingPathComponent("t.h5").path])
        #expect(t.status != 0 && t.stderr.contains("only Cartesian data is supported") && t.stderr.contains("traj.h5"), "\(t.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("t.h5").path))

        let notRaw = try CLI.run(["convert", CLI.sample.path, "-o", dir.appendingPathComponent("x.h5").path])
        #expect(notRaw.status != 0 && notRaw.stderr.contains("neither ISMRMRD nor Siemens TWIX"), "\(notRaw.stderr)")
    }
}
