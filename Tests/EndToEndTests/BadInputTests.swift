import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

/// Every bad input gets a one-line error naming the file and the problem, a non-zero exit, and
/// no output file.
@Suite("bad input: one-line error, non-zero exit, nothing written")
struct BadInputTests {
    /// Runs `recon FILE --out DIR` and checks the failure contract; returns stderr.
    func expectReconFails(_ file: URL, extra: [String] = [], mentions: [String]) throws {
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLI.run(["recon", file.path, "--method", "zero-filled", "--out", out.path] + extra)
        #expect(r.status != 0)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(r.stderr)")
        for m in mentions { #expect(r.stderr.contains(m), "stderr '\(r.stderr)' should mention '\(m)'") }
        let written = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        #expect(written.isEmpty, "partial output left: \(written)")
    }

    func makeFile(_ name: String, _ body: (HDF5File) throws -> Void) throws -> URL {
        let dir = try Fixtures.temporaryDirectory()
        let url = dir.appendingPathComponent(name)
        let f = try HDF5File(creating: url)
        try body(f)
        f.close()
        return url
    }

    @Test("missing file") func missing() throws {
        try expectReconFails(URL(fileURLWithPath: "/nonexistent/scan.h5"), mentions: ["/nonexistent/scan.h5", "not found"])
    }

    @Test("not an HDF5 file") func notHDF5() throws {
        let dir = try Fixtures.temporaryDirectory()
        let url = dir.appendingPathComponent("text.h5")
        try Data("hello".utf8).write(to: url)
        try expectReconFails(url, mentions: ["text.h5", "not an HDF5 file"])
    }

    @Test("HDF5 without kspace") func noKspace() throws {
        let url = try makeFile("nok.h5") { try $0.createDataset("foo", shape: [2, 2], type: .float32) }
        try expectReconFails(url, mentions: ["nok.h5", "kspace"])
    }

    @Test("wrong rank") func wrongRank() throws {
        let url = try makeFile("rank2.h5") { try $0.createDataset("kspace", shape: [8, 6], type: .complex64) }
        try expectReconFails(url, mentions: ["rank2.h5", "kspace"])
    }

    @Test("mask length ≠ W") func maskLength() throws {
        let url = try makeFile("mask.h5") { f in
            try f.createDataset("kspace", shape: [1, 2, 8, 6], type: .complex64)
            try f.createDataset("mask", shape: [5], type: .float32)
        }
        try expectReconFails(url, mentions: ["mask.h5", "mask length 5"])
    }

    @Test("NaN in k-space") func nonFinite() throws {
        let url = try makeFile("nan.h5") { f in
            try f.createDataset("kspace", shape: [1, 2, 8, 8], type: .complex64)
            var k = ComplexArray(zeros: [1, 2, 8, 8])
            k[linear: 5] = ComplexFloat(.nan, 0)
            try f.writeComplex("kspace", k)
        }
        try expectReconFails(url, mentions: ["nan.h5", "NaN"])
    }

    @Test("zero coils") func zeroCoils() throws {
        let url = try makeFile("nocoils.h5") { try $0.createDataset("kspace", shape: [1, 0, 8, 8], type: .complex64) }
        try expectReconFails(url, mentions: ["nocoils.h5", "zero coils"])
    }

    @Test("acceleration < 1") func badAcceleration() throws {
        try expectReconFails(CLI.sample, extra: ["--accel", "0.5"], mentions: ["--accel"])
    }

    @Test("output exists without --force; --force replaces it") func exists() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("small.h5")
        try CLI.writeSmallScan(to: scan)
        let out = dir.appendingPathComponent("out")
        let first = try CLI.run(["recon", scan.path, "--method", "zero-filled", "--out", out.path])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try CLI.run(["recon", scan.path, "--method", "zero-filled", "--out", out.path])
        #expect(second.status != 0)
        #expect(second.stderr.split(separator: "\n").count == 1)
        #expect(second.stderr.contains("small.h5") && second.stderr.contains("exists"))
        let third = try CLI.run(["recon", scan.path, "--method", "zero-filled", "--out", out.path, "--force"])
        #expect(third.status == 0, "\(third.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(left == ["small.h5"], "temporary files left: \(left)")
    }

    @Test("simulate refuses an already undersampled file and leaves nothing") func simulateTwice() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("small.h5"), under = dir.appendingPathComponent("u.h5"), again = dir.appendingPathComponent("u2.h5")
        try CLI.writeSmallScan(to: scan)
        #expect(try CLI.run(["simulate", scan.path, "--accel", "2", "-o", under.path]).status == 0)
        let r = try CLI.run(["simulate", under.path, "--accel", "2", "-o", again.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("u.h5") && r.stderr.contains("already undersampled"))
        #expect(!FileManager.default.fileExists(atPath: again.path))
    }

    // MARK: - Numbers from files, resource limits, unclear errors

    /// A small one-slice scan with `attributes` set (values as HDF5 reals).
    func scan(_ name: String, attributes: [String: Double] = [:]) throws -> URL {
        let dir = try Fixtures.temporaryDirectory()
        let url = dir.appendingPathComponent(name)
        try CLI.writeSmallScan(to: url, attributes: attributes.mapValues { .real($0) })
        return url
    }

    @Test("non-finite or huge num_low_frequency: info, recon and eval answer with one line, no trap",
          arguments: [Double.nan, 1e30, -3, 2.5])
    func badNumLowFrequency(_ value: Double) throws {
        let url = try scan("nlf.h5", attributes: ["num_low_frequency": value])
        try expectReconFails(url, mentions: ["nlf.h5", "num_low_frequency"])
        let info = try CLI.run(["info", url.path])
        #expect(info.status == 1 && info.stderr.contains("num_low_frequency"), "\(info.stderr)")
    }

    @Test("eval: slice_start NaN or 1e300 in a reconstruction file is one line, no trap", arguments: [Double.nan, 1e300])
    func badSliceStart(_ value: Double) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("t.h5"), recon = dir.appendingPathComponent("r.h5")
        try CLI.writeSmallScan(to: target)
        try ReconstructionWriter.write(reconstruction: FloatArray(zeros: [1, 48, 40]), attributes: ["slice_start": .real(value)], to: recon)
        let r = try CLI.run(["eval", "--target", target.path, recon.path])
        #expect(r.status == 1 && r.stderr.contains("slice_start"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test("a declared k-space far beyond memory is refused before allocation, naming the need and --memory-limit")
    func hugeDeclaredShape() throws {
        let url = try makeFile("huge.h5") { try $0.createDataset("kspace", shape: [1, 64, 4096, 4096], type: .complex64) }
        try expectReconFails(url, mentions: ["huge.h5", "needs about", "--memory-limit"])
        try expectReconFails(CLI.sample, extra: ["--memory-limit", "0.01"], mentions: ["needs about", "10 MB available"])
    }

    @Test("counts beyond their bounds are refused with the option named")
    func countBounds() throws {
        try expectReconFails(CLI.sample, extra: ["--method", "daps", "--samples", "1000000000"], mentions: ["samples", "1…1024"])
        try expectReconFails(CLI.sample, extra: ["--method", "daps", "--annealing-steps", "1000000000000"], mentions: ["annealing_steps"])
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let proto = dir.appendingPathComponent("p.json")
        var object = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("Protocols/brain-4x.json"))) as? [String: Any])
        var daps = try #require(object["daps"] as? [String: Any])
        daps["annealing_steps"] = 1e12
        object["daps"] = daps
        try JSONSerialization.data(withJSONObject: object).write(to: proto)
        try expectReconFails(CLI.sample, extra: ["--method", "daps", "--protocol", proto.path], mentions: ["annealing_steps"])
    }

    @Test("zero slices, NaN mask, a directory, a truncated file, --accel 1000 and --accel -1 get their own one-line reason")
    func unclearErrorsNamed() throws {
        let zero = try makeFile("zero.h5") { try $0.createDataset("kspace", shape: [0, 2, 8, 8], type: .complex64) }
        try expectReconFails(zero, mentions: ["zero.h5", "at least one slice"])
        let nanMask = try makeFile("nanmask.h5") { f in
            try f.createDataset("kspace", shape: [1, 2, 8, 8], type: .complex64)
            try f.createDataset("mask", shape: [8], type: .float32)
            try f.writeFloat("mask", FloatArray(shape: [8], storage: [1, 0, 1, 1, 1, .nan, 1, 0]))
        }
        try expectReconFails(nanMask, mentions: ["nanmask.h5", "'mask'", "NaN"])
        let dir = try Fixtures.temporaryDirectory()
        try expectReconFails(dir, mentions: [dir.path, "is a directory"])
        let full = try scan("full.h5")
        let truncated = dir.appendingPathComponent("cut.h5")
        try Data(contentsOf: full).prefix(20_000).write(to: truncated)
        try expectReconFails(truncated, mentions: ["cut.h5", "truncated"])
        try expectReconFails(full, extra: ["--accel", "1000"], mentions: ["--accel", "0 of 40 columns"])
        let r = try CLI.run(["recon", full.path, "--accel", "-1", "--out", dir.appendingPathComponent("o").path])
        #expect(r.status != 0 && r.stderr.contains("--accel") && r.stderr.contains("-1"), "\(r.stderr)")
    }

    @Test("a file that crashes libhdf5 itself is reported as corrupt, one line, exit 1 (every command that reads HDF5)")
    func libhdf5Crash() throws {
        let crash = Fixtures.packageRoot.appendingPathComponent("Tests/Fuzz/libhdf5-crashes/H5Dopen2-segv.h5")
        try expectReconFails(crash, mentions: ["H5Dopen2-segv.h5", "corrupt HDF5 file", "crashed"])
        for args in [["info", crash.path], ["eval", "--target", crash.path, crash.path],
                     ["export", crash.path, "--dicom", FileManager.default.temporaryDirectory.appendingPathComponent("x-\(UUID())").path]] {
            let r = try CLI.run(args)
            #expect(r.status == 1 && r.stderr.contains("corrupt HDF5 file"), "\(args[0]): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test("a full disk: recon refuses before the run, a write that hits it names the system's reason; nothing left",
          .enabled(if: DiskFull.canMount, "needs root to mount a 1 MB tmpfs"))
    func fullDisk() throws {
        let disk = try DiskFull()
        defer { disk.unmount() }
        try Data(count: 700 * 1024).write(to: disk.root.appendingPathComponent("filler"))
        let r = try CLI.run(["recon", CLI.sample.path, "--method", "zero-filled", "--out", disk.root.appendingPathComponent("o").path])
        #expect(r.status == 1 && r.stderr.contains("the outputs need") && r.stderr.contains("free"), "\(r.stderr)")
        let s = try CLI.run(["simulate", CLI.sample.path, "--accel", "4", "-o", disk.root.appendingPathComponent("s.h5").path])
        #expect(s.status == 1 && s.stderr.contains("No space left on device"), "\(s.stderr)")
        #expect(s.stderr.split(separator: "\n").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.root.path) == ["filler"])
    }
}

/// A 1 MB tmpfs mounted on a temporary folder (root only), to fill a disk in a test.
struct DiskFull {
    let root: URL
    static let canMount: Bool = {
        guard getuid() == 0, let d = try? DiskFull() else { return false }
        d.unmount()
        return true
    }()
    init() throws {
        root = try Fixtures.temporaryDirectory()
        let r = try Fixtures.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", root.path])
        guard r.status == 0 else { throw CocoaError(.fileWriteNoPermission) }
    }
    func unmount() {
        _ = try? Fixtures.run("/bin/umount", [root.path])
        try? FileManager.default.removeItem(at: root)
    }
}
