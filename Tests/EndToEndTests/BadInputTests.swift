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
            k.storage[5] = ComplexFloat(.nan, 0)
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
}
