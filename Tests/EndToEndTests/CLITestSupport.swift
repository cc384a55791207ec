import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

/// Runs the built `mri-daps` binary (built beside the test bundle).
enum CLI {
    static var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ] + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for dir in candidates {
            let p = dir.appendingPathComponent("mri-daps").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return candidates[0].appendingPathComponent("mri-daps").path
    }

    @discardableResult
    static func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Fixtures.run(binary, args)
    }

    static var sample: URL { Fixtures.sampleData("brain_colin27_8coil.h5") }

    /// A small fully sampled multi-coil file from the synthetic phantom (2 slices, 4 coils).
    /// `recon FILE --method M` for zero-filled, SENSE and L1-wavelet into `dir/<method>`, each
    /// scored by `eval --json` against the SampleData target; returns PSNR by method.
    static func classicalPSNR(_ input: URL, in dir: URL, extra: [String] = []) throws -> [String: Double] {
        var psnr = [String: Double]()
        for method in ["zero-filled", "sense", "l1-wavelet"] {
            let out = dir.appendingPathComponent(method)
            let r = try run(["recon", input.path, "--method", method, "--out", out.path] + extra)
            #expect(r.status == 0, "\(method): \(r.stderr)")
            let e = try run(["eval", "--json", "--target", sample.path, out.appendingPathComponent(input.lastPathComponent).path])
            #expect(e.status == 0, "\(e.stderr)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [[String: Any]])
            psnr[method] = rows.first?["psnr"] as? Double
        }
        return psnr
    }

    static func writeSmallScan(to url: URL, height: Int = 48, width: Int = 40, coils: Int = 4, slices count: Int = 2,
                               attributes extra: [String: HDF5AttributeValue] = [:]) throws {
        var slices = [ComplexArray]()
        var targets = [FloatArray]()
        for s in 0..<count {
            let k = SmallPhantom.kspace(height: height, width: width, coils: coils, seed: UInt64(s))
            slices.append(k)
            let img = CenteredFFT.inverse(k)
            var rss = FloatArray(zeros: [height, width])
            for c in 0..<coils { for i in 0..<(height * width) { rss[linear: i] += img.storage[c * height * width + i].magnitudeSquared } }
            rss = rss.mapElements { $0.squareRoot() }
            targets.append(rss)
        }
        var attrs = FastMRIAttributes()
        attrs.acquisition = "CORPD_FBK"
        attrs.extra = extra
        try FastMRIWriter.write(kspace: ComplexArray.stacked(slices), to: url, layout: .train,
                                targets: ["reconstruction_rss": FloatArray.stacked(targets)], attributes: attrs, overwrite: true)
    }
}

/// A tiny smooth-coil phantom (disc + square) in k-space, independent of the pipeline's own generator.
enum SmallPhantom {
    static func kspace(height h: Int, width w: Int, coils: Int, seed: UInt64) -> ComplexArray {
        var img = ComplexArray(zeros: [coils, h, w])
        for c in 0..<coils {
            let a = 2 * Double.pi * Double(c) / Double(coils)
            for i in 0..<h {
                for j in 0..<w {
                    let y = 2 * Double(i) / Double(h) - 1, x = 2 * Double(j) / Double(w) - 1
                    var v = x * x + y * y < 0.6 ? 1.0 : 0.0
                    if abs(x - 0.1) < 0.2 && abs(y + 0.1) < 0.15 { v += 0.5 }
                    v *= 1 + 0.1 * Double(seed)
                    let s = 1 / (1 + ((x - cos(a)) * (x - cos(a)) + (y - sin(a)) * (y - sin(a))))
                    img[c, i, j] = ComplexFloat(Float(v * s * cos(a + x)), Float(v * s * sin(a + x)))
                }
            }
        }
        return CenteredFFT.forward(img)
    }
}
