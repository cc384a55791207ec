import Foundation
import MRICore
import MRIIO
import MRIPipeline
import Testing
import _TestSupport

/// A synthetic (target, reconstruction, std) triple whose calibration is known in closed form.
///
/// Two slices of an 8×8 evaluation crop (plus `outsideRows` extra rows above and below, which
/// the centre crop must remove). Crop rows 2..<6 are the object (target 1 in slice 0, 10 in
/// slice 1); the rest is background at 5 % of the slice's object value (below the 10 % cut).
/// Object pixels fall into four groups of 16 by (slice, column parity), with (σ̂, |error|):
/// g1 (1, 1), g2 (1, 3) in slice 0 and g3 (2, 1), g4 (2, 5) in slice 1; the error sign alternates
/// by row. Covered (|e| ≤ 1.96 σ̂): g1, g3 → coverage 1/2. With X = σ̂ ∈ {1, 1, 2, 2} and
/// Y = |e| ∈ {1, 3, 1, 5} equally weighted: cov = 4 − 1.5·2.5 = 0.25, var X = 0.25,
/// var Y = 9 − 6.25 = 2.75, so corr = 0.25 / √(0.25·2.75) = 1/√11.
/// Background and outside-crop pixels carry errors far outside their σ̂, so counting them
/// would change both figures; a volume-wide threshold (10 % of 10) would drop slice 0 and
/// leave σ̂ constant (no correlation).
enum CalibrationPhantom {
    static let expectedCoverage = 0.5
    static let expectedCorrelation = 1 / 11.0.squareRoot()
    static let objectPixels = 64

    static func make(outsideRows: Int) -> (target: FloatArray, prediction: FloatArray, std: FloatArray) {
        let h = 8 + 2 * outsideRows, w = 8
        var t = FloatArray(zeros: [2, h, w]), p = FloatArray(zeros: [2, h, w]), d = FloatArray(zeros: [2, h, w])
        for s in 0..<2 {
            let scale: Float = s == 0 ? 1 : 10
            for r in 0..<h {
                let cropRow = r - outsideRows
                for c in 0..<w {
                    let i = (s * h + r) * w + c
                    var target: Float, error: Float, sd: Float
                    if cropRow < 0 || cropRow >= 8 {
                        (target, error, sd) = (100, 1000, 1e-3)
                    } else if (2..<6).contains(cropRow) {
                        target = scale
                        switch (s, c % 2) {
                        case (0, 0): (sd, error) = (1, 1)
                        case (0, _): (sd, error) = (1, 3)
                        case (_, 0): (sd, error) = (2, 1)
                        default: (sd, error) = (2, 5)
                        }
                    } else {
                        (target, error, sd) = (0.05 * scale, 7, 1e-3)
                    }
                    t[linear: i] = target
                    p[linear: i] = target + (r % 2 == 0 ? error : -error)
                    d[linear: i] = sd
                }
            }
        }
        return (t, p, d)
    }
}

@Suite("Evaluation: calibration of posterior_std (coverage, corr(std, |error|))")
struct EvaluationCalibrationTests {
    @Test("four-group phantom: coverage 1/2, correlation 1/√11, 64 in-object pixels (per-slice 10 % cut)")
    func analyticGroups() throws {
        let (t, p, d) = CalibrationPhantom.make(outsideRows: 0)
        let c = try Evaluation.calibration(target: t, prediction: p, standardDeviation: d)
        #expect(c.objectPixels == CalibrationPhantom.objectPixels)
        #expect(c.coverage == CalibrationPhantom.expectedCoverage)
        let r = try #require(c.correlation)
        #expect(abs(r - CalibrationPhantom.expectedCorrelation) < 1e-9, "corr \(r)")
        // scipy: gaussian_filter(·, 2, mode="nearest") of std and |error| per slice, spearmanr over
        // the 64 object pixels = 0.339052 (ties of the smoothed values may order differently)
        let rho = try #require(c.regionalSpearman)
        #expect(abs(rho - 0.33905163578753794) < 0.01, "regional Spearman \(rho)")
    }

    @Test("errors at a fixed multiple k of std: coverage 1 for k = 1.9, 0 for k = 2.0; correlation 1")
    func fixedMultiples() throws {
        let n = 40
        var t = FloatArray(zeros: [n, n])
        for i in 0..<(n * n) { t[linear: i] = 1 + Float(i % 7) }  // all pixels in object (min 1 > 0.1·7)
        var d = FloatArray(zeros: [n, n])
        for i in 0..<(n * n) { d[linear: i] = 0.01 * Float(1 + (i * 13) % 11) }
        for (k, coverage) in [(Float(1.9), 1.0), (Float(2.0), 0.0)] {
            var p = t
            for i in 0..<(n * n) { p[linear: i] += (i % 2 == 0 ? k : -k) * d.storage[i] }
            let c = try Evaluation.calibration(target: t, prediction: p, standardDeviation: d)
            #expect(c.objectPixels == n * n)
            #expect(c.coverage == coverage, "k = \(k)")
            let r = try #require(c.correlation)
            #expect(abs(r - 1) < 1e-5, "k = \(k): corr \(r)")
        }
        // Constant std: no correlation to report.
        let flat = FloatArray(shape: [n, n], storage: [Float](repeating: 0.5, count: n * n))
        let c = try Evaluation.calibration(target: t, prediction: t, standardDeviation: flat)
        #expect(c.correlation == nil)
        #expect(c.coverage == 1)
    }

    @Test("object threshold: 0.1 and 0.2 of the slice maximum pick the pixels above them; outside (0, 1) or NaN is refused")
    func objectThreshold() throws {
        // Per slice: half the pixels at the maximum 1, a quarter at 0.15 (error 0.3, std 0.1:
        // not covered), a quarter at 0.05 (error 0.3, std 0.1).
        let n = 16
        var t = FloatArray(zeros: [2, n, n]), p = FloatArray(zeros: [2, n, n]), d = FloatArray(zeros: [2, n, n])
        for i in 0..<(2 * n * n) {
            let k = i % 4
            t[linear: i] = k < 2 ? 1 : (k == 2 ? 0.15 : 0.05)
            p[linear: i] = t.storage[i] + (k < 2 ? 0.01 : 0.3)
            d[linear: i] = 0.1
        }
        let wide = try Evaluation.calibration(target: t, prediction: p, standardDeviation: d)
        #expect(wide.objectPixels == 2 * n * n * 3 / 4 && abs(wide.coverage - 2.0 / 3) < 1e-12)
        let tissue = try Evaluation.calibration(target: t, prediction: p, standardDeviation: d, objectThreshold: 0.2)
        #expect(tissue.objectPixels == 2 * n * n / 2 && tissue.coverage == 1)
        for bad: Float in [0, 1, -0.1, 1.5, .nan] {
            #expect(throws: PipelineError.self) {
                try Evaluation.calibration(target: t, prediction: p, standardDeviation: d, objectThreshold: bad)
            }
        }
    }

    @Test("mismatched shapes and an empty object are rejected")
    func badInput() throws {
        let (t, p, d) = CalibrationPhantom.make(outsideRows: 0)
        #expect(throws: PipelineError.self) {
            try Evaluation.calibration(target: t, prediction: p, standardDeviation: d.item(0))
        }
        let zero = FloatArray(zeros: [4, 4])
        #expect(throws: PipelineError.self) {
            try Evaluation.calibration(target: zero, prediction: zero, standardDeviation: zero)
        }
    }

    @Test("files: eval reads posterior_std, applies the fastMRI centre crop, reports nil without std; CLI JSON/text carry it")
    func fileReadBack() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 12×8 target: the evaluation crop is (W, W) = 8×8, i.e. rows 2..<10.
        let (t, p, d) = CalibrationPhantom.make(outsideRows: 2)
        let target = dir.appendingPathComponent("target.h5")
        try FastMRIWriter.write(kspace: ComplexArray(zeros: [2, 1, 12, 8]), to: target, layout: .train,
                                targets: ["reconstruction_rss": t])
        let withStd = dir.appendingPathComponent("daps.h5"), without = dir.appendingPathComponent("sense.h5")
        try ReconstructionWriter.write(reconstruction: p, extras: ["posterior_std": d],
                                       attributes: ["method": .string("daps")], to: withStd)
        try ReconstructionWriter.write(reconstruction: p, attributes: ["method": .string("sense")], to: without)

        let rows = try Evaluation.evaluate(target: target, reconstructions: [withStd, without])
        #expect(rows.count == 2)
        #expect(rows[0].objectPixels == CalibrationPhantom.objectPixels)
        #expect(rows[0].coverage == CalibrationPhantom.expectedCoverage)
        let r = try #require(rows[0].stdErrorCorrelation)
        #expect(abs(r - CalibrationPhantom.expectedCorrelation) < 1e-9)
        #expect(rows[1].coverage == nil && rows[1].stdErrorCorrelation == nil && rows[1].objectPixels == nil)
        #expect(rows[0].psnr == rows[1].psnr)
        // per-slice PSNR with the volume's data range 10: MSE 1728/64 = 27 (slice 0), 1984/64 = 31 (slice 1)
        #expect(rows[0].slicePSNR.count == 2 && rows[0].sliceSSIM.count == 2)
        #expect(abs(rows[0].slicePSNR[0] - 10 * log10(100 / 27.0)) < 1e-9 && abs(rows[0].slicePSNR[1] - 10 * log10(100 / 31.0)) < 1e-9)
        #expect(abs(rows[0].psnr - 10 * log10(100 / 29.0)) < 1e-9)
        #expect(abs(rows[0].sliceSSIM.reduce(0, +) / 2 - rows[0].ssim) < 1e-12)
        #expect(rows[0].regionalSpearman != nil && rows[1].regionalSpearman == nil)

        // A std of another shape is refused with the dataset named.
        let bad = dir.appendingPathComponent("bad.h5")
        do {  // ReconstructionWriter refuses such a file, so write it by hand
            let f = try HDF5File(creating: bad)
            defer { f.close() }
            try f.createDataset("reconstruction", shape: p.shape, type: .float32)
            try f.writeFloat("reconstruction", p)
            try f.createDataset("posterior_std", shape: [1, 12, 8], type: .float32)
            try f.writeFloat("posterior_std", d.item(0).reshaped([1, 12, 8]))
        }
        do {
            _ = try Evaluation.evaluate(target: target, reconstructions: [bad])
            Issue.record("a posterior_std of another shape was accepted")
        } catch let e as MRIIOError {
            #expect("\(e)".contains("posterior_std"))
        }

        let j = try CLI.run(["eval", "--json", "--target", target.path, withStd.path, without.path])
        #expect(j.status == 0, "\(j.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [[String: Any]])
        #expect(json[0]["coverage"] as? Double == CalibrationPhantom.expectedCoverage)
        #expect(json[0]["objectPixels"] as? Int == CalibrationPhantom.objectPixels)
        #expect((json[0]["slicePSNR"] as? [Double])?.count == 2 && json[0]["regionalSpearman"] as? Double != nil)
        #expect(json[1]["coverage"] == nil)
        let text = try CLI.run(["eval", "--target", target.path, withStd.path, without.path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("coverage"))
        #expect(text.stdout.contains("0.5000"))
        #expect(text.stdout.contains(String(format: "%.4f", CalibrationPhantom.expectedCorrelation)))
        // --object-threshold reaches the calibration (a cut below the phantom's background at 5 %
        // of the maximum takes it in too); outside (0, 1): one line naming the option, exit ≠ 0.
        let low = try CLI.run(["eval", "--json", "--object-threshold", "0.01", "--target", target.path, withStd.path])
        #expect(low.status == 0, "\(low.stderr)")
        let lj = try #require(try JSONSerialization.jsonObject(with: Data(low.stdout.utf8)) as? [[String: Any]])
        let more = try #require(lj[0]["objectPixels"] as? Int)
        #expect(more == 2 * 8 * 8 && more > CalibrationPhantom.objectPixels, "\(more)")
        let refused = try CLI.run(["eval", "--object-threshold", "1.5", "--target", target.path, withStd.path])
        #expect(refused.status != 0 && refused.stdout.isEmpty)
        #expect(refused.stderr.contains("object-threshold") && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
    }
}
