import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

/// Siemens TWIX input (`convert`, and `recon` directly) on the CC0 Pulseq phantom scans of
/// ../shared/data/raw/twix (skipped with a message when ../shared is absent). Reference values:
/// twixtools 0.24 (../shared/data/raw/README.md), k indexed [channel, line, sample] there and
/// [coil, sample (readout), line] here.
@Suite("Siemens TWIX input")
struct TWIXConvertTests {
    static var twix: URL? {
        guard let d = Fixtures.sharedData?.appendingPathComponent("raw/twix"),
              FileManager.default.fileExists(atPath: d.path) else { return nil }
        return d
    }

    @Test("VB and VD/VE GRE (the VD file ends inside its ACQEND) read to twixtools' k-space; recon takes the .dat directly",
          .enabled(if: twix != nil, "../shared/data/raw/twix is absent"),
          arguments: [("pulseq_gre_vb_trio_1ch", 1.048476e-03, ComplexFloat(-4.3888576e-06, 3.2607932e-06), ComplexFloat(3.1145755e-06, 2.3005996e-06)),
                      ("pulseq_gre_vd_prisma_1ch", 2.452121e-05, ComplexFloat(1.3909303e-06, 2.5809277e-06), ComplexFloat(1.9841827e-06, 4.2198226e-06))])
    func gre(name: String, energy: Double, k000: ComplexFloat, k001: ComplexFloat) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = Self.twix!.appendingPathComponent(name + ".dat")
        let out = dir.appendingPathComponent("k.h5")
        let c = try CLI.run(["convert", input.path, "-o", out.path])
        #expect(c.status == 0, "\(c.stderr)")
        let file = try FastMRIFile(contentsOf: out)
        let k = try file.readSlice(0)
        file.close()
        #expect(k.shape == [1, 256, 256])
        let sum = k.storage.reduce(0.0) { $0 + Double($1.magnitudeSquared) }
        #expect(abs(sum / energy - 1) < 1e-5, "Σ|k|² \(sum)")
        let peak = k.storage.indices.max { k.storage[$0].magnitude < k.storage[$1].magnitude }!
        #expect(peak == 128 * 256 + 128)
        #expect((k[0, 0, 0] - k000).magnitude <= 1e-6 * k000.magnitude && (k[0, 1, 0] - k001).magnitude <= 1e-6 * k001.magnitude)

        // recon of the .dat itself: the zero-filled image is |ifft2c(k)|.
        let rec = dir.appendingPathComponent("rec")
        let r = try CLI.run(["recon", input.path, "--method", "zero-filled", "--out", rec.path])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try HDF5File(readingFrom: rec.appendingPathComponent(name + ".h5"))
        defer { f.close() }
        let image = try f.readFloat("reconstruction").item(0)
        let expected = CenteredFFT.inverse(k.item(0)).magnitude
        var diff: Float = 0, peakValue: Float = 0
        for i in 0..<expected.count {
            diff = max(diff, abs(image.storage[i] - expected.storage[i]))
            peakValue = max(peakValue, expected.storage[i])
        }
        #expect(image.shape == expected.shape && diff <= 1e-5 * peakValue)
    }

    @Test("k-space equals BART's twixread -A bit for bit (the VD file read by BART from a zero-padded copy, README quirk 3)",
          .enabled(if: twix != nil && Fixtures.executable("bart") != nil, "../shared/data/raw/twix or bart missing"),
          arguments: ["pulseq_gre_vb_trio_1ch", "pulseq_gre_vd_prisma_1ch"])
    func bartTwixread(name: String) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var input = Self.twix!.appendingPathComponent(name + ".dat")
        let out = dir.appendingPathComponent("k.h5")
        #expect(try CLI.run(["convert", input.path, "-o", out.path]).status == 0)
        if name.contains("_vd_") {
            let padded = dir.appendingPathComponent("padded.dat")
            try (try Data(contentsOf: input) + Data(count: 8192)).write(to: padded)
            input = padded
        }
        let bart = dir.appendingPathComponent("bart")
        let r = try Fixtures.run(Fixtures.executable("bart")!, ["twixread", "-A", input.path, bart.path])
        #expect(r.status == 0, "\(r.stderr)")
        let theirs = try CFLFile(contentsOf: bart).slice()
        let file = try FastMRIFile(contentsOf: out)
        defer { file.close() }
        let ours = try file.readSlice(0)
        #expect(theirs.shape == ours.shape && theirs.storage == ours.storage, "\(theirs.shape) vs \(ours.shape)")
    }

    @Test("the 4-channel EPI is refused in one line, nothing written; a missing measurement is named",
          .enabled(if: twix != nil, "../shared/data/raw/twix is absent"))
    func refusals() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("epi.h5")
        let e = try CLI.run(["convert", Self.twix!.appendingPathComponent("pulseq_epi_vb_trio_4ch.dat").path, "-o", out.path])
        #expect(e.status != 0 && e.stderr.contains("EPI is not supported") && e.stderr.contains("pulseq_epi_vb_trio_4ch.dat"))
        #expect(e.stderr.split(separator: "\n").count == 1 && !FileManager.default.fileExists(atPath: out.path))
        let m = try CLI.run(["convert", Self.twix!.appendingPathComponent("pulseq_gre_vd_prisma_1ch.dat").path,
                             "--measurement", "3", "-o", out.path])
        #expect(m.status != 0 && m.stderr.contains("measurement 3"), "\(m.stderr)")
    }

    @Test("a truncated or foreign file is refused naming it")
    func truncated() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.dat")
        // A VB header length of 4000 in a file of 200 bytes.
        var d = Data([0xA0, 0x0F, 0, 0]); d.append(Data(repeating: 7, count: 196))
        try d.write(to: bad)
        let r = try CLI.run(["convert", bad.path, "-o", dir.appendingPathComponent("o.h5").path])
        #expect(r.status != 0 && r.stderr.contains("bad.dat"), "\(r.stderr)")
        let text = dir.appendingPathComponent("notes.dat")
        try Data("hello".utf8).write(to: text)
        let t = try CLI.run(["convert", text.path, "-o", dir.appendingPathComponent("p.h5").path])
        #expect(t.status != 0 && t.stderr.contains("neither ISMRMRD nor Siemens TWIX"), "\(t.stderr)")
    }
}
