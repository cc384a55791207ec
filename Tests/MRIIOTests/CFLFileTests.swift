import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

@Suite struct CFLFileTests {
    private static let bart = Fixtures.executable("bart")
    private static let knee = Fixtures.sharedData.map { $0.appendingPathComponent("knee/mridata-axial/knee01") }

    /// A deterministic slice `[coils, H, W]` with distinct, non-symmetric values.
    private func testSlice(coils: Int, height: Int, width: Int) -> ComplexArray {
        var rng = SeededRNG(seed: 7)
        var a = ComplexArray(zeros: [coils, height, width])
        for i in 0..<a.count { a[linear: i] = rng.complexGaussian() }
        return a
    }

    @Test("NumPy-written .cfl: column-major element (x, y, 0, c) = x + 10y + 100c")
    func formulaFixture() throws {
        let f = try CFLFile(contentsOf: IOFixtures.url("formula"))
        #expect(f.dimensions == [4, 3, 1, 2])
        #expect(f.array.shape == [2, 1, 3, 4])
        #expect(f.array[1, 0, 2, 3] == ComplexFloat(123, -123))
        let s = try f.slice()
        #expect(s.shape == [2, 4, 3])
        for c in 0..<2 {
            for x in 0..<4 {
                for y in 0..<3 {
                    let v = Float(x + 10 * y + 100 * c)
                    #expect(s[c, x, y] == ComplexFloat(v, -v))
                }
            }
        }
        // Extensions .cfl / .hdr name the same pair.
        #expect(try CFLFile(contentsOf: IOFixtures.url("formula.hdr")) == f)
        #expect(try CFLFile(contentsOf: IOFixtures.url("formula.cfl")) == f)
    }

    @Test("write then read returns the same dims and data; header has 16 dims")
    func roundTrip() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let slice = testSlice(coils: 3, height: 6, width: 5)
        let cfl = CFLFile(slice: slice)
        #expect(cfl.dimensions == [6, 5, 1, 3])
        let base = dir.appendingPathComponent("ksp")
        try cfl.write(to: base)
        let header = try String(contentsOf: dir.appendingPathComponent("ksp.hdr"), encoding: .utf8)
        #expect(header == "# Dimensions\n6 5 1 3 1 1 1 1 1 1 1 1 1 1 1 1 \n")
        let size = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("ksp.cfl").path)[.size] as? Int
        #expect(size == 6 * 5 * 3 * 8)
        let back = try CFLFile(contentsOf: base)
        #expect(back == cfl)
        #expect(try back.slice() == slice)
        let img = testSlice(coils: 1, height: 4, width: 7).item(0)
        let ic = CFLFile(image: img)
        #expect(ic.dimensions == [4, 7])
        #expect(try ic.image() == img)
        #expect(try ic.slice() == img.reshaped([1, 4, 7]))  // (4, 7) is also a one-coil slice
        // Refuses to overwrite unless asked.
        #expect(throws: MRIIOError.exists(file: dir.appendingPathComponent("ksp.cfl").path)) { try cfl.write(to: base) }
        try CFLFile(image: img).write(to: base, overwrite: true)
        #expect(try CFLFile(contentsOf: base).dimensions == [4, 7])
    }

    @Test("bad files: missing .hdr, malformed header, truncated .cfl, wrong-shape conversions")
    func badFiles() throws {
        #expect(throws: MRIIOError.notFound(file: IOFixtures.path("no_header.hdr"))) {
            try CFLFile(contentsOf: IOFixtures.url("no_header"))
        }
        #expect(throws: MRIIOError.notFound(file: IOFixtures.path("absent.hdr"))) {
            try CFLFile(contentsOf: IOFixtures.url("absent.cfl"))
        }
        #expect(throws: MRIIOError.malformedHeader(file: IOFixtures.path("bad_header.hdr"), reason: "no '# Dimensions' line")) {
            try CFLFile(contentsOf: IOFixtures.url("bad_header"))
        }
        #expect(throws: MRIIOError.truncated(file: IOFixtures.path("truncated.cfl"), expectedBytes: 192, actualBytes: 184)) {
            try CFLFile(contentsOf: IOFixtures.url("truncated"))
        }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("# Dimensions\n4 3 x 2\n".utf8).write(to: dir.appendingPathComponent("a.hdr"))
        try Data(count: 8).write(to: dir.appendingPathComponent("a.cfl"))
        let e = #expect(throws: MRIIOError.self) { try CFLFile(contentsOf: dir.appendingPathComponent("a")) }
        #expect(e == .malformedHeader(file: dir.appendingPathComponent("a.hdr").path, reason: "dimension 'x' is not a positive integer"))
        // (4, 3, 2): dim 2 ≠ 1 is not a fastMRI slice; (4, 3, 1, 2) is not an image.
        let f = try CFLFile(contentsOf: IOFixtures.url("formula"))
        #expect(throws: MRIIOError.self) { try f.image() }
        let threeD = CFLFile(dimensions: [4, 3, 2], storage: f.storage)
        #expect(throws: MRIIOError.self) { try threeD.slice() }
    }

    @Test("our .cfl through `bart fft -u -i 3` equals CenteredFFT.inverse",
          .enabled(if: bart != nil))
    func bartInverseFFTOfOurFile() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (h, w) in [(16, 12), (15, 9)] {  // even and odd sizes
            let k = testSlice(coils: 3, height: h, width: w)
            try CFLFile(slice: k).write(to: dir.appendingPathComponent("k\(h)"))
            let r = try Fixtures.run(Self.bart!, ["fft", "-u", "-i", "3", "k\(h)", "img\(h)"], cwd: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let bartImage = try CFLFile(contentsOf: dir.appendingPathComponent("img\(h)")).slice()
            let ours = CenteredFFT.inverse(k, axes: .image)
            #expect(IOFixtures.relativeError(bartImage, ours) < 1e-5, "\(h)×\(w)")
        }
    }

    @Test("bart-written phantom k-space reads with BART's layout (checked via bart fft)",
          .enabled(if: bart != nil))
    func readBartPhantom() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = try Fixtures.run(Self.bart!, ["phantom", "-x", "16", "-s", "4", "-k", "ksp"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        r = try Fixtures.run(Self.bart!, ["fft", "-u", "-i", "3", "ksp", "img"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let ksp = try CFLFile(contentsOf: dir.appendingPathComponent("ksp"))
        #expect(ksp.dimensions == [16, 16, 1, 4])
        let k = try ksp.slice()
        #expect(k.shape == [4, 16, 16])
        #expect(k.isFinite)
        let img = try CFLFile(contentsOf: dir.appendingPathComponent("img")).slice()
        #expect(IOFixtures.relativeError(CenteredFFT.inverse(k, axes: .image), img) < 1e-5)
        // Coils differ (sensitivities), so a coil-axis mix-up would be visible.
        #expect(k.item(0) != k.item(1))
    }

    @Test("real BART knee image (320×256) matches NumPy's reading of the same bytes",
          .enabled(if: knee.map { FileManager.default.fileExists(atPath: $0.path + ".cfl") } ?? false),
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func kneeImage() throws {
        let base = Self.knee!
        let f = try CFLFile(contentsOf: base)
        #expect(f.dimensions == [320, 256])
        let img = try f.image()
        #expect(img.shape == [320, 256])
        #expect(img.isFinite)
        let script = """
            import json, sys, numpy as np
            a = np.fromfile(sys.argv[1] + ".cfl", dtype="<c8").reshape(256, 320).T
            print(json.dumps({"re": float(a[100, 50].real), "im": float(a[100, 50].imag),
                              "re2": float(a[319, 255].real), "abssum": float(np.abs(a).astype(np.float64).sum())}))
            """
        let ref = try IOFixtures.python(script, [base.path])
        #expect(img[100, 50].re == Float(ref["re"] as! Double))
        #expect(img[100, 50].im == Float(ref["im"] as! Double))
        #expect(img[319, 255].re == Float(ref["re2"] as! Double))
        let sum = img.storage.reduce(0.0) { $0 + Double($1.magnitude) }
        let refSum = ref["abssum"] as! Double
        #expect(refSum > 0)
        #expect(abs(sum - refSum) < 1e-5 * refSum)
    }
}
