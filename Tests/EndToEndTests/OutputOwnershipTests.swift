import Foundation
import MRIIO
import Testing
import _TestSupport

/// `--force` replaces only what mri-daps wrote; a user's files are never deleted or replaced,
/// and conflicting outputs are refused before any work (issue: never lose a user's data).
@Suite("output ownership: --force touches only mri-daps outputs")
struct OutputOwnershipTests {
    /// A folder with a small scan `scan.h5` and a user's folder `thesis/` holding two files.
    struct Workspace {
        let dir: URL
        var scan: URL { dir.appendingPathComponent("scan.h5") }
        var thesis: URL { dir.appendingPathComponent("thesis") }
        init() throws {
            dir = try Fixtures.temporaryDirectory()
            try CLI.writeSmallScan(to: dir.appendingPathComponent("scan.h5"))
            try FileManager.default.createDirectory(at: thesis.appendingPathComponent("figures"), withIntermediateDirectories: true)
            try Data("chapter one".utf8).write(to: thesis.appendingPathComponent("chapter1.tex"))
            try Data([1, 2, 3]).write(to: thesis.appendingPathComponent("figures/plot.png"))
        }
        /// Every file under `dir` with its bytes.
        func snapshot() throws -> [String: Data] {
            var out = [String: Data]()
            let e = FileManager.default.enumerator(atPath: dir.path)
            while let rel = e?.nextObject() as? String {
                var isDir: ObjCBool = false
                let p = dir.appendingPathComponent(rel).path
                if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue {
                    out[rel] = try Data(contentsOf: URL(fileURLWithPath: p))
                }
            }
            return out
        }
        func recon(_ extra: [String], cwd: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
            try Fixtures.run(CLI.binary, ["recon", scan.path, "--method", "zero-filled", "--accel", "2"] + extra, cwd: cwd)
        }
    }

    /// The command fails with one line mentioning `mentions`, and the folder is byte-identical.
    func expectRefused(_ w: Workspace, _ extra: [String], cwd: URL? = nil, mentions: [String]) throws {
        let before = try w.snapshot()
        let r = try w.recon(extra, cwd: cwd)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "one line expected: \(r.stderr)")
        for m in mentions { #expect(r.stderr.contains(m), "'\(r.stderr)' should mention '\(m)'") }
        #expect(try w.snapshot() == before, "files changed or left behind")
        let hidden = try FileManager.default.contentsOfDirectory(atPath: w.dir.path).filter { $0.contains(".partial-") }
        #expect(hidden.isEmpty, "temporary files left: \(hidden)")
    }

    @Test("--dicom DIR --force on a folder of the user's files is refused; the files stay")
    func dicomForeignFolder() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.dir) }
        try expectRefused(w, ["--out", w.dir.appendingPathComponent("out").path, "--dicom", w.thesis.path, "--force"],
                          mentions: ["chapter1.tex", "did not write", "--force"])
    }

    @Test("--dicom may not be the working directory, the --out folder, or a top-level folder")
    func dicomProtectedFolders() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.dir) }
        let out = w.dir.appendingPathComponent("out").path
        try expectRefused(w, ["--out", out, "--dicom", ".", "--force"], cwd: w.thesis, mentions: ["working directory"])
        try expectRefused(w, ["--out", out, "--dicom", out, "--force"], mentions: [out])
        try expectRefused(w, ["--out", out, "--dicom", w.dir.path, "--force"], mentions: [out])
        try expectRefused(w, ["--out", out, "--dicom", "/tmp", "--force"], mentions: ["top-level"])
    }

    @Test("an output that is an input, or two inputs with one output name, are refused before any work")
    func conflictingOutputs() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.dir) }
        try expectRefused(w, ["--out", w.dir.path, "--force"], mentions: ["scan.h5", "is an input"])
        let other = w.dir.appendingPathComponent("b")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: false)
        try FileManager.default.copyItem(at: w.scan, to: other.appendingPathComponent("scan.h5"))
        let before = try w.snapshot()
        let r = try Fixtures.run(CLI.binary, ["recon", w.scan.path, other.appendingPathComponent("scan.h5").path, "--method", "zero-filled",
                                              "--out", w.dir.appendingPathComponent("o").path, "--force"])
        #expect(r.status == 1 && r.stderr.contains("would both write"), "\(r.stderr)")
        #expect(try w.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: w.dir.appendingPathComponent("o").path))
    }

    @Test("--force replaces an mri-daps output but not a user's file of the same name")
    func forceReplacesOnlyOwnFiles() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.dir) }
        let out = w.dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        // A user's HDF5 file (no mri-daps mark) where the output would go.
        let user = try HDF5File(creating: out.appendingPathComponent("scan.h5"))
        try user.createDataset("reconstruction", shape: [2, 48, 40], type: .float32)
        user.close()
        try expectRefused(w, ["--out", out.path, "--force"], mentions: ["scan.h5", "not written by mri-daps"])
        // An mri-daps output and an mri-daps study are replaced.
        try FileManager.default.removeItem(at: out.appendingPathComponent("scan.h5"))
        let dicom = out.appendingPathComponent("dicom").path
        for _ in 0..<2 {
            let r = try w.recon(["--out", out.path, "--dicom", dicom, "--force"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(OutputOwnership.isOwnedHDF5(out.appendingPathComponent("scan.h5")))
        #expect(OutputOwnership.foreignItem(inStudyFolder: URL(fileURLWithPath: dicom)) == nil)
        // A user's file dropped into the study folder makes it the user's again.
        try Data("notes".utf8).write(to: URL(fileURLWithPath: dicom).appendingPathComponent("notes.txt"))
        try expectRefused(w, ["--out", out.path, "--dicom", dicom, "--force"], mentions: ["notes.txt"])
    }

    @Test("--report refuses a user's file and a missing folder before any work")
    func reportPath() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.dir) }
        let out = w.dir.appendingPathComponent("out").path
        try expectRefused(w, ["--out", out, "--report", w.thesis.appendingPathComponent("chapter1.tex").path, "--force"],
                          mentions: ["chapter1.tex", "not written by mri-daps"])
        try expectRefused(w, ["--out", out, "--report", w.thesis.appendingPathComponent("chapter1.tex/r.json").path],
                          mentions: ["--report", "is not a directory"])
        try expectRefused(w, ["--out", out, "--dicom", w.dir.appendingPathComponent("d").path, "--uid-root", "1.2.x"],
                          mentions: ["--uid-root"])
    }

    @Test("recon FILE --accel R as typed: writes <stem>_<method>.h5 into the working directory, never the input")
    func defaultOutput() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.dir) }
        let input = try Data(contentsOf: w.scan)
        let r = try Fixtures.run(CLI.binary, ["recon", "scan.h5", "--method", "zero-filled", "--accel", "2"], cwd: w.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let out = w.dir.appendingPathComponent("scan_zero-filled.h5")
        #expect(r.stdout.contains("→ \(out.path)"), "\(r.stdout)")
        #expect(OutputOwnership.isOwnedHDF5(out))
        #expect(try Data(contentsOf: w.scan) == input)
        let again = try Fixtures.run(CLI.binary, ["recon", "scan.h5", "--method", "zero-filled", "--accel", "2"], cwd: w.dir)
        #expect(again.status == 1 && again.stderr.contains("--force"), "\(again.stderr)")
    }
}
