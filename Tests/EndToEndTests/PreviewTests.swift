import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

/// `recon --preview`, `mri-daps preview` and `eval --preview`: PNG files read back by Pillow and
/// compared with the reconstruction, the mask and the calibration they show.
@Suite("PNG previews")
struct PreviewTests {
    /// Pixels of `png` in the rectangle, as gray levels (the R channel), row-major.
    static func pixels(_ png: URL, x: Int, y: Int, width: Int, height: Int) throws -> [Double] {
        let script = "from PIL import Image; import sys; i = Image.open(sys.argv[1]).convert('RGB'); x, y, w, h = map(int, sys.argv[2:6]); "
            + "print(' '.join(str(i.getpixel((x + c, y + r))[0]) for r in range(h) for c in range(w)))"
        let r = try Fixtures.run("/usr/bin/python3", ["-c", script, png.path, "\(x)", "\(y)", "\(width)", "\(height)"])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    static func text(_ png: URL, _ key: String) throws -> String {
        let r = try Fixtures.run("/usr/bin/python3", ["-c", "from PIL import Image; import sys; print(Image.open(sys.argv[1]).info.get(sys.argv[2], ''))", png.path, key])
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count), ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var ab = 0.0, aa = 0.0, bb = 0.0
        for i in a.indices { ab += (a[i] - ma) * (b[i] - mb); aa += (a[i] - ma) * (a[i] - ma); bb += (b[i] - mb) * (b[i] - mb) }
        return ab / (aa * bb).squareRoot()
    }

    @Test("recon --preview: one PNG per slice; the image panel shows the reconstruction (correlation > 0.99), the mask panel its sampled columns; a used folder is refused before work")
    func reconPreview() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = dir.appendingPathComponent("png"), out = dir.appendingPathComponent("out")
        let r = try CLI.run(["recon", CLI.sample.path, "--method", "sense", "--accel", "4", "--out", out.path, "--preview", png.path])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: png.path).filter { $0.hasSuffix(".png") }.sorted()
        #expect(names == ["slice_000.png", "slice_001.png", "slice_002.png"])
        let f = try HDF5File(readingFrom: out.appendingPathComponent(CLI.sample.lastPathComponent))
        let volume = try f.readFloat("reconstruction")
        let sampled = Int(try f.attribute("sampled_columns")?.doubleValue ?? 0)
        f.close()
        let (h, w) = (volume.shape[1], volume.shape[2])  // 224 × 192: zoom 1, panel at (12, 42)
        for k in 0..<3 {
            let file = png.appendingPathComponent(names[k])
            let shown = try Self.pixels(file, x: 12, y: 42, width: w, height: h)
            #expect(Self.correlation(shown, volume.item(k).storage.map(Double.init)) > 0.99, "slice \(k)")
            let mask = try Self.pixels(file, x: 12 + w + 12, y: 42 + h / 2, width: w, height: 1)
            #expect(mask.filter { $0 == 255 }.count == sampled && mask.allSatisfy { $0 == 0 || $0 == 255 }, "slice \(k)")
        }
        let again = try CLI.run(["recon", CLI.sample.path, "--method", "zero-filled", "--out", dir.appendingPathComponent("out2").path,
                                 "--preview", png.path])
        #expect(again.status != 0 && again.stderr.contains(png.path) && again.stderr.split(separator: "\n").count == 1, "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out2").path))
    }

    @Test("preview --target and eval --preview: std and error panels, calibration.png reporting the coverage eval reports (0.95 for a calibrated std)")
    func previewWithTarget() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // reconstruction = target + N(0, σ²), posterior_std = σ: calibrated by construction.
        let fake = dir.appendingPathComponent("fake.h5")
        let script = """
            import h5py, numpy as np, sys
            t = h5py.File(sys.argv[1])['reconstruction_rss'][()]
            s = 0.05 * t.max(); rng = np.random.default_rng(4)
            with h5py.File(sys.argv[2], 'w') as f:
                f['reconstruction'] = (t + rng.normal(0, s, t.shape)).astype('f4')
                f['posterior_std'] = np.full(t.shape, s, 'f4')
                f.attrs['method'] = 'daps'; f.attrs['input_file'] = 'brain.h5'; f.attrs['slice_start'] = 0
            """
        let made = try Fixtures.run("/usr/bin/python3", ["-c", script, CLI.sample.path, fake.path])
        #expect(made.status == 0, "\(made.stderr)")
        let png = dir.appendingPathComponent("png")
        let r = try CLI.run(["preview", fake.path, "--target", CLI.sample.path, "-o", png.path])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: png.path).filter { $0.hasSuffix(".png") }.sorted()
        #expect(names == ["calibration.png", "slice_000.png", "slice_001.png", "slice_002.png"])
        let e = try CLI.run(["eval", "--target", CLI.sample.path, fake.path, "--json", "--preview", dir.appendingPathComponent("eval").path])
        #expect(e.status == 0, "\(e.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [[String: Any]])
        let coverage = try #require(rows.first?["coverage"] as? Double)
        #expect(abs(coverage - 0.95) < 0.01)
        for folder in ["png", "eval"] {
            let description = try Self.text(dir.appendingPathComponent(folder).appendingPathComponent("calibration.png"), "Description")
            #expect(description.hasSuffix(String(format: "coverage %.4f at 1.96 std", coverage)), "\(description)")
        }
        // Three panels: mean, std and error; the std panel is one colour (σ constant).
        let std = try Self.pixels(png.appendingPathComponent("slice_001.png"), x: 12 + 192 + 12, y: 42 + 100, width: 150, height: 1)
        #expect(Set(std).count == 1)
    }
}
