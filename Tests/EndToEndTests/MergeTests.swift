import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

/// `mri-daps merge`: slice shards assemble into exactly what one recon writes.
@Suite("mri-daps merge")
struct MergeTests {
    /// Every dataset (as float arrays) and every root attribute of an HDF5 output.
    static func contents(_ url: URL) throws -> ([String: FloatArray], [String: HDF5AttributeValue]) {
        let f = try HDF5File(readingFrom: url)
        defer { f.close() }
        var d = [String: FloatArray]()
        for name in try f.rootNames() { d[name] = try f.readFloat(name) }
        return (d, try f.attributes())
    }

    func recon(_ args: [String], slices: String, to dir: URL) throws -> URL {
        let r = try CLI.run(["recon", CLI.sample.path, "--accel", "4", "--slices", slices, "--out", dir.path] + args)
        #expect(r.status == 0, "\(r.stderr)")
        return dir.appendingPathComponent("brain_colin27_8coil.h5")
    }

    @Test("shards merge bitwise into the single-run file (SENSE, and DAPS with std and samples)",
          arguments: [["--method", "sense"],
                      ["--prior", DAPSReconTests.tinyPrior.path, "--save-samples"] + Array(DAPSReconTests.small.dropFirst(2))])
    func mergeEqualsSingleRun(args: [String]) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = try recon(args, slices: "0:3", to: dir.appendingPathComponent("full"))
        let a = try recon(args, slices: "0:1", to: dir.appendingPathComponent("a"))
        let b = try recon(args, slices: "1:3", to: dir.appendingPathComponent("b"))
        let merged = dir.appendingPathComponent("merged.h5")
        let m = try CLI.run(["merge", b.path, a.path, "-o", merged.path])  // any order
        #expect(m.status == 0, "\(m.stderr)")
        let (fd, fa) = try Self.contents(full), (md, ma) = try Self.contents(merged)
        #expect(fd == md)
        #expect(fa == ma, "attributes differ: \(Set(fa.keys).symmetricDifference(ma.keys)) \(fa.keys.filter { fa[$0] != ma[$0] })")
    }

    @Test("overlapping, gapped, foreign or different-run shards are refused and nothing is written")
    func refusals() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["--method", "zero-filled"]
        let s01 = try recon(args, slices: "0:1", to: dir.appendingPathComponent("s01"))
        let s02 = try recon(args, slices: "0:2", to: dir.appendingPathComponent("s02"))
        let s13 = try recon(args, slices: "1:3", to: dir.appendingPathComponent("s13"))
        let s23 = try recon(args, slices: "2:3", to: dir.appendingPathComponent("s23"))
        let other = try recon(["--method", "zero-filled", "--seed", "3"], slices: "1:3", to: dir.appendingPathComponent("other"))
        let out = dir.appendingPathComponent("m.h5")
        let cases: [([URL], String)] = [
            ([s02, s13], "overlaps"), ([s01, s23], "missing"), ([s01, other], "different run"),
            ([s01, CLI.sample], "not a reconstruction written by mri-daps"),
        ]
        for (shards, message) in cases {
            let r = try CLI.run(["merge"] + shards.map(\.path) + ["-o", out.path])
            #expect(r.status != 0 && r.stderr.contains(message), "\(message): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }
}
