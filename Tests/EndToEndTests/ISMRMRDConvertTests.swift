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
        // A private TMPDIR: other tests that read raw files run at the same time and keep their
        // own scratch folders in the shared one.
        let direct = dir.appendingPathComponent("direct"), scratch = dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let r = try Fixtures.run(CLI.binary, ["recon", r2.path, "--method", "sense", "--out", direct.path],
                                 environment: ["TMPDIR": scratch.path])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try HDF5File(readingFrom: direct.appendingPathComponent(r2.lastPathComponent))
        defer { f.close() }
        #expect(try f.readFloat("reconstruction").item(0) == sense)
        #expect(try f.attributes()["input_file"] == .string(r2.lastPathComponent))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
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

    @Test("fully sampled raw data converts to the train layout (reconstruction_rss = NumPy RSS of the centred ifft, cropped to the recon matrix); simulate and eval take the raw file as they take its conversion",
          .enabled(if: raw != nil, "../shared/data/raw/ismrmrd is absent"))
    func rawTargets() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = Self.raw!.appendingPathComponent("shepp_logan_m64_c8_os2_noise.h5")
        // Named as the raw file: the mask seed depends on the file name, as fastMRI's does.
        let converted = dir.appendingPathComponent("converted").appendingPathComponent(full.lastPathComponent)
        try FileManager.default.createDirectory(at: converted.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(try CLI.run(["convert", full.path, "-o", converted.path]).status == 0)
        let script = """
            import h5py, numpy as np, sys
            f = h5py.File(sys.argv[1]); k = f['kspace'][0]; t = f['reconstruction_rss'][0]
            img = np.fft.fftshift(np.fft.ifft2(np.fft.ifftshift(k, axes=(-2, -1)), axes=(-2, -1), norm='ortho'), axes=(-2, -1))
            rss = np.sqrt((np.abs(img) ** 2).sum(0)); h, w = t.shape; H, W = rss.shape
            ref = rss[(H - h) // 2:(H - h) // 2 + h, (W - w) // 2:(W - w) // 2 + w]
            print(t.shape, np.abs(t - ref).max() / ref.max())
            """
        let r = try Fixtures.run("/usr/bin/python3", ["-c", script, converted.path])
        let parts = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: ") ")
        #expect(parts.first == "(64, 64" && (Double(parts.last ?? "") ?? 1) < 1e-5, "\(r.stdout) \(r.stderr)")

        // simulate: the raw file and its conversion give the same undersampled file.
        let fromRaw = dir.appendingPathComponent("a.h5"), fromConverted = dir.appendingPathComponent("b.h5")
        #expect(try CLI.run(["simulate", full.path, "--accel", "2", "-o", fromRaw.path]).status == 0)
        #expect(try CLI.run(["simulate", converted.path, "--accel", "2", "-o", fromConverted.path]).status == 0)
        let a = try FastMRIFile(contentsOf: fromRaw), b = try FastMRIFile(contentsOf: fromConverted)
        defer { a.close(); b.close() }
        #expect(try a.readSlice(0).storage == b.readSlice(0).storage && a.info.mask == b.info.mask)

        // eval: the raw file as target scores as its conversion does.
        let out = dir.appendingPathComponent("out")
        #expect(try CLI.run(["recon", fromRaw.path, "--method", "sense", "--out", out.path]).status == 0)
        let recon = out.appendingPathComponent("a.h5").path
        let e1 = try CLI.run(["eval", "--target", full.path, recon, "--json"]), e2 = try CLI.run(["eval", "--target", converted.path, recon, "--json"])
        #expect(e1.status == 0 && e1.stdout == e2.stdout && e1.stdout.contains("psnr"), "\(e1.stderr)")
        let r2 = Self.raw!.appendingPathComponent("shepp_logan_m64_c8_os2_R2_cal16_noise.h5")
        let refused = try CLI.run(["eval", "--target", r2.path, recon])
        #expect(refused.status != 0 && refused.stderr.contains("a target must be fully sampled"), "\(refused.stderr)")
    }

    @Test("several processes read one ISMRMRD file at once (libismrmrd opens read-write; we open read-only) and the file is not modified",
          .enabled(if: raw != nil, "../shared/data/raw/ismrmrd is absent"))
    func concurrentReaders() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = Self.raw!.appendingPathComponent("shepp_logan_m64_c8_os2_noise.h5")
        let before = try Data(contentsOf: input)
        let processes = try (0..<6).map { i -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["convert", input.path, "-o", dir.appendingPathComponent("c\(i).h5").path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        for p in processes { p.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "\(processes.map(\.terminationStatus))")
        #expect(try Data(contentsOf: input) == before)
    }

    @Test("3-D ISMRMRD undersampled on ky–kz: one slice per readout position with the acquired (ky, kz) set as 2-D mask; the fully sampled file's target equals NumPy's; every method reconstructs, L1-wavelet and SENSE far above zero-filled",
          .enabled(if: generator != nil, "ismrmrd-tools is not installed"))
    func threeDimensional() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let template = dir.appendingPathComponent("template.h5")
        #expect(try Fixtures.run(Self.generator!, ["-m", "32", "-c", "4", "-o", template.path]).status == 0)
        func make(_ name: String, _ extra: [String]) throws -> (URL, [Int]) {
            let url = dir.appendingPathComponent(name)
            let r = try Fixtures.run("/usr/bin/python3", [Fixtures.url("make_ismrmrd_3d.py").path, template.path, url.path] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let j = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            return (url, j?["sampled"] as? [Int] ?? [])
        }
        let (under, sampled) = try make("under.h5", []), (full, _) = try make("full.h5", ["--full"])
        let converted = dir.appendingPathComponent("c.h5"), fullConverted = dir.appendingPathComponent("f.h5")
        #expect(try CLI.run(["convert", under.path, "-o", converted.path]).status == 0)
        #expect(try CLI.run(["convert", full.path, "-o", fullConverted.path]).status == 0)
        let info = try FastMRIFile.inspect(converted)
        #expect(info.slices == 32 && info.sliceShape == SliceShape(coils: 4, height: 24, width: 20) && info.maskIsTwoDimensional)
        #expect(info.mask?.enumerated().filter { $0.element != 0 }.map(\.offset) == sampled)
        let geometry = try #require(info.otherAttributes[SliceGeometry.attributeName].flatMap { SliceGeometry.parse($0.stringValue) })
        #expect(geometry.count == 32 && abs(geometry[1].position[2] - geometry[0].position[2] - 4) < 1e-9 && geometry[0].slice == [0, 0, 1])
        let check = "import h5py, numpy as np, sys; t = np.load(sys.argv[1]); r = h5py.File(sys.argv[2])['reconstruction_rss'][()]; "
            + "print(r.shape == t.shape and float(np.abs(t - r).max() / t.max()) < 1e-5)"
        #expect(try Fixtures.run("/usr/bin/python3", ["-c", check, full.path + ".truth.npy", fullConverted.path]).stdout.hasPrefix("True"))
        var psnr = [String: Double]()
        for method in ["zero-filled", "mvue", "sense", "l1-wavelet", "daps"] {
            let out = dir.appendingPathComponent(method)
            let r = try CLI.run(["recon", converted.path, "--method", method, "--out", out.path] + (method == "daps" ? ["--slices", "16:17", "--prior", "knee"] : []))
            #expect(r.status == 0, "\(method): \(r.stderr)")
            guard method != "daps" else { continue }
            let e = try CLI.run(["eval", "--target", full.path, out.appendingPathComponent("c.h5").path, "--json"])
            let rows = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [[String: Any]]
            psnr[method] = rows?.first?["psnr"] as? Double
        }
        #expect((psnr["l1-wavelet"] ?? 0) > (psnr["zero-filled"] ?? 99) + 5 && (psnr["sense"] ?? 0) > (psnr["zero-filled"] ?? 99) + 5, "\(psnr)")
    }
}
