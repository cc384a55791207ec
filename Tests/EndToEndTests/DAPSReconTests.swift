import Foundation
import MRICore
import MRIIO
import MRIPipeline
import Testing
import _TestSupport

/// `mri-daps recon` with the default method (daps) on a small synthetic knee file (48×40, 4 coils,
/// 2 slices, acquisition CORPD_FBK), the tiny random-weight prior of Tests/Fixtures/pipeline and a
/// small protocol override (4 annealing × 1 ODE step, 2 draws), so a run takes seconds.
@Suite("mri-daps recon --method daps (the default)")
struct DAPSReconTests {
    static var tinyPrior: URL { Fixtures.url("pipeline/tiny_prior_fp16.safetensors") }
    static let small = ["--accel", "4", "--annealing-steps", "4", "--ode-steps", "1", "--samples", "2"]

    struct Output {
        var reconstruction: FloatArray
        var std: FloatArray
        var variance: FloatArray
        var samples: FloatArray?
        var attributes: [String: HDF5AttributeValue]
    }

    func read(_ url: URL) throws -> Output {
        let f = try HDF5File(readingFrom: url)
        defer { f.close() }
        return Output(reconstruction: try f.readFloat("reconstruction"), std: try f.readFloat("posterior_std"),
                      variance: try f.readFloat("posterior_variance"),
                      samples: f.contains("samples") ? try f.readFloat("samples") : nil, attributes: try f.attributes())
    }

    @Test("default method is daps: mean, std and samples have the right shapes and statistics; attributes and --report record everything; same seed → identical output")
    func dapsRecon() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("knee_small.h5")
        try CLI.writeSmallScan(to: scan)
        let report = dir.appendingPathComponent("run.json")
        let out1 = dir.appendingPathComponent("a"), out2 = dir.appendingPathComponent("b"), out3 = dir.appendingPathComponent("c")
        let r = try CLI.run(["recon", scan.path, "--prior", Self.tinyPrior.path, "--seed", "5", "--save-samples",
                             "--report", report.path, "--out", out1.path] + Self.small)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("daps") && r.stdout.contains("knee-4x+overrides"), "\(r.stdout)")
        let a = try read(out1.appendingPathComponent("knee_small.h5"))

        // Shapes, finiteness, non-negativity.
        #expect(a.reconstruction.shape == [2, 48, 40])
        #expect(a.std.shape == [2, 48, 40])
        let samples = try #require(a.samples)
        #expect(samples.shape == [2, 2, 48, 40])
        #expect(a.reconstruction.storage.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(a.std.storage.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(a.std.storage.contains { $0 > 0 })
        #expect(a.reconstruction.storage.contains { $0 > 0 })
        // Statistics of two draws: mean = (m₁ + m₂)/2, unbiased std = |m₁ − m₂|/√2, times the
        // protocol's calibration factor k (recorded in the attributes).
        let k = Float(try #require(a.attributes["uncertainty_scale"]?.doubleValue))
        #expect(k > 0)
        let n = 48 * 40
        var worstMean: Float = 0, worstStd: Float = 0, worstVariance: Float = 0
        let peak = a.reconstruction.max
        for s in 0..<2 {
            for i in 0..<n {
                let m1: Float = samples.storage[(s * 2) * n + i]
                let m2: Float = samples.storage[(s * 2 + 1) * n + i]
                let mean: Float = (m1 + m2) / 2
                let std: Float = k * abs(m1 - m2) / Float(2).squareRoot()
                worstMean = max(worstMean, abs(a.reconstruction.storage[s * n + i] - mean))
                worstStd = max(worstStd, abs(a.std.storage[s * n + i] - std))
                // posterior_variance: the unbiased variance (m₁ − m₂)²/2, not rescaled by k.
                worstVariance = max(worstVariance, abs(a.variance.storage[s * n + i] - (m1 - m2) * (m1 - m2) / 2))
            }
        }
        #expect(worstVariance <= 1e-5 * peak * peak, "variance vs draws: \(worstVariance)")
        #expect(a.attributes["posterior_variance_definition"]?.stringValue.contains("not rescaled") == true)
        #expect(worstMean <= 1e-5 * peak, "mean vs draws: \(worstMean) (peak \(peak))")
        #expect(worstStd <= 1e-5 * peak, "std vs draws: \(worstStd) (peak \(peak))")

        // Attributes: every parameter and the prior's identity.
        let attrs = a.attributes
        #expect(attrs["method"]?.stringValue == "daps")
        #expect(attrs["coil_maps"]?.stringValue == "lowres")  // the preset's coil_maps (no --maps given)
        #expect(attrs["protocol"]?.stringValue == "knee-4x+overrides")
        #expect(attrs["samples"]?.doubleValue == 2)
        #expect(attrs["daps_seed"]?.doubleValue == 5)
        #expect(attrs["prior"]?.stringValue == "tiny-dev")
        #expect(attrs["software"]?.stringValue == ReconPipeline.softwareVersion)
        let sha = try Fixtures.run("/usr/bin/sha256sum", [Self.tinyPrior.path]).stdout.split(separator: " ").first.map(String.init)
        #expect(attrs["prior_sha256"]?.stringValue == sha)
        let config = try #require(try JSONSerialization.jsonObject(with: Data((attrs["daps_configuration"]?.stringValue ?? "").utf8)) as? [String: Any])
        #expect(config["annealing_steps"] as? Int == 4)
        #expect(config["ode_steps"] as? Int == 1)
        #expect((config["conditional"] as? [String: Any])?["method"] as? String == "gaussian-cg")
        let scales = try #require(try JSONSerialization.jsonObject(with: Data((attrs["normalisation_scales"]?.stringValue ?? "").utf8)) as? [Double])
        #expect(scales.count == 2 && scales.allSatisfy { $0 > 0 && $0.isFinite })
        #expect(attrs["protocol_json"] != nil && attrs["prior_card"] != nil && attrs["network_evaluations"]?.doubleValue == 4)

        // --report: timings per stage and every parameter.
        let rep = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let timings = try #require(rep["timings"] as? [String: Double])
        for stage in ["read", "maps", "normalisation", "network", "conditional", "write", "total"] {
            #expect(timings[stage] != nil, "report lacks \(stage)")
        }
        #expect((timings["network"] ?? 0) > 0)
        let params = try #require(rep["parameters"] as? [String: String])
        #expect(params["method"] == "daps" && params["annealing_steps"] == "4" && params["samples"] == "2")
        let files = try #require(rep["files"] as? [[String: Any]])
        #expect((files.first?["scales"] as? [Double])?.count == 2)

        // Reproducibility: same seed → bitwise identical; another seed → different.
        let r2 = try CLI.run(["recon", scan.path, "--prior", Self.tinyPrior.path, "--seed", "5", "--out", out2.path] + Self.small)
        #expect(r2.status == 0, "\(r2.stderr)")
        let b = try read(out2.appendingPathComponent("knee_small.h5"))
        #expect(b.reconstruction == a.reconstruction)
        #expect(b.std == a.std)
        #expect(b.samples == nil)
        let r3 = try CLI.run(["recon", scan.path, "--prior", Self.tinyPrior.path, "--seed", "6", "--slices", "1:2", "--out", out3.path] + Self.small)
        #expect(r3.status == 0, "\(r3.stderr)")
        let c = try read(out3.appendingPathComponent("knee_small.h5"))
        #expect(c.reconstruction.storage != Array(a.reconstruction.storage[n..<(2 * n)]))

        // --uncertainty-scale: the same draws, posterior_std = k′ × the across-draw std.
        let out4 = dir.appendingPathComponent("d")
        let r4 = try CLI.run(["recon", scan.path, "--prior", Self.tinyPrior.path, "--seed", "5", "--uncertainty-scale", "3",
                              "--out", out4.path] + Self.small)
        #expect(r4.status == 0, "\(r4.stderr)")
        let d = try read(out4.appendingPathComponent("knee_small.h5"))
        #expect(d.reconstruction == a.reconstruction)
        #expect(d.attributes["uncertainty_scale"]?.doubleValue == 3)
        #expect(d.attributes["coil_maps"]?.stringValue == "lowres")
        let worstScaled = zip(d.std.storage, a.std.storage).map { abs($0 - 3 / k * $1) }.max() ?? .infinity
        #expect(worstScaled <= 1e-5 * (a.std.max * 3 / k), "scaled std off by \(worstScaled)")
        let bad = try CLI.run(["recon", scan.path, "--prior", Self.tinyPrior.path, "--uncertainty-scale", "0",
                               "--out", dir.appendingPathComponent("e").path] + Self.small)
        #expect(bad.status != 0 && bad.stderr.contains("--uncertainty-scale"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("e/knee_small.h5").path))

        // A protocol's virtual_coils compresses the 4 coils like --coils does (same draws, bit
        // for bit) and changes the result; --coils ≥ the coil count compresses nothing.
        let presets = try #require(ReconProtocol.builtInDirectory)
        let presetData = try Data(contentsOf: presets.appendingPathComponent("knee-4x.json"))
        var preset = try #require(try JSONSerialization.jsonObject(with: presetData) as? [String: Any])
        preset["virtual_coils"] = 2
        let protocolFile = dir.appendingPathComponent("cc2.json")
        try JSONSerialization.data(withJSONObject: preset).write(to: protocolFile)
        let out5 = dir.appendingPathComponent("f"), out6 = dir.appendingPathComponent("g"), out7 = dir.appendingPathComponent("h")
        let r5 = try CLI.run(["recon", scan.path, "--prior", Self.tinyPrior.path, "--seed", "5", "--protocol", protocolFile.path,
                              "--out", out5.path] + Self.small)
        #expect(r5.status == 0, "\(r5.stderr)")
        let r6 = try CLI.run(["recon", scan.path, "--prior", Self.tinyPrior.path, "--seed", "5", "--coils", "2",
                              "--out", out6.path] + Self.small)
        #expect(r6.status == 0, "\(r6.stderr)")
        let f5 = try read(out5.appendingPathComponent("knee_small.h5")), f6 = try read(out6.appendingPathComponent("knee_small.h5"))
        #expect(f5.attributes["virtual_coils"]?.doubleValue == 2 && f6.attributes["virtual_coils"]?.doubleValue == 2)
        #expect(f5.reconstruction == f6.reconstruction)
        #expect(f5.reconstruction != a.reconstruction)
        let r7 = try CLI.run(["recon", scan.path, "--prior", Self.tinyPrior.path, "--seed", "5", "--protocol", protocolFile.path,
                              "--coils", "4", "--out", out7.path] + Self.small)
        #expect(r7.status == 0, "\(r7.stderr)")
        #expect(try read(out7.appendingPathComponent("knee_small.h5")).reconstruction == a.reconstruction)
    }

    @Test("recon --dicom writes the mean, std and std-map series of the DAPS run; read back they equal the HDF5 output")
    func dapsReconToDICOM() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("knee_small.h5")
        try CLI.writeSmallScan(to: scan)
        let out = dir.appendingPathComponent("out"), dcm = dir.appendingPathComponent("dicom")
        let r = try CLI.run(["recon", scan.path, "--prior", Self.tinyPrior.path, "--out", out.path, "--dicom", dcm.path,
                             "--patient-id", "P-42"] + Self.small)
        #expect(r.status == 0, "\(r.stderr)")
        let h5 = try read(out.appendingPathComponent("knee_small.h5"))
        let listing = try FileManager.default.contentsOfDirectory(atPath: dcm.path).sorted()
        #expect(listing.first == ".mri-daps-study", "the ownership marker: \(listing)")
        let series = listing.filter { !$0.hasPrefix(".") }
        #expect(series.count == 3, "\(series)")
        // Real-world values: the MR series within half a quantisation step (12 bits over the range),
        // the parametric map exactly.
        for (name, expected, exact) in [(series[0], h5.reconstruction, false), (series[1], h5.std, false),
                                        (series[2], h5.std, true)] {
            let v = try DICOMSeriesReader(realWorldValues: true).read(dcm.appendingPathComponent(name))
            #expect(v.pixels.shape == expected.shape, "\(name)")
            #expect(v.info.patientID == "P-42")
            let step = (expected.max - min(0, expected.storage.min() ?? 0)) / 4095
            let worst = zip(v.pixels.storage, expected.storage).map { abs($0 - $1) }.max() ?? .infinity
            #expect(exact ? worst == 0 : worst <= step * 0.5001 + 1e-7, "\(name): worst \(worst), step \(step)")
        }
    }

    @Test("a missing built-in prior: one-line error, non-zero exit, no output file",
          .enabled(if: !FileManager.default.fileExists(atPath: PriorCatalog.builtInURL("knee")?.path ?? "/")))
    func missingBuiltInPrior() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("knee_small.h5")
        try CLI.writeSmallScan(to: scan)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["recon", scan.path, "--accel", "4", "--out", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("built-in prior 'knee' is not installed; pass --prior PATH"), "\(r.stderr)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        #expect(written.isEmpty, "\(written)")
    }

    @Test("DAPS-only flags are refused for classical methods, and Langevin-only flags for gaussian-cg")
    func misplacedFlags() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["recon", CLI.sample.path, "--method", "sense", "--samples", "3", "--out", dir.path])
        #expect(r.status != 0 && r.stderr.contains("--samples") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        let s = try CLI.run(["recon", CLI.sample.path, "--prior", Self.tinyPrior.path, "--conditional", "gaussian-cg", "--lr", "1e-4",
                             "--out", dir.path])
        #expect(s.status != 0 && s.stderr.contains("--lr") && s.stderr.split(separator: "\n").count == 1, "\(s.stderr)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).isEmpty)
    }

    @Test("prewhitened input: τ is raised to the noise of the normalised data, σ/s, never lowered; recorded as measurement_noise_std (absent for other inputs)")
    func noiseFloorOnTau() throws {
        let daps = try ReconProtocol.builtIn(named: "knee-4x").daps
        let tau = daps.conditional.tau
        #expect(ReconPipeline.configuration(daps, noise: nil, scale: 10) == daps)
        #expect(ReconPipeline.configuration(daps, noise: 1, scale: 10 / tau) == daps)   // σ/s = τ/10 < τ
        let raised = ReconPipeline.configuration(daps, noise: 1, scale: 0.1 / tau)       // σ/s = 10 τ
        #expect(abs(raised.conditional.tau - 10 * tau) < 1e-6 * tau && raised.conditional.method == daps.conditional.method)
        #expect(raised.annealingSteps == daps.annealingSteps && raised.sigmaMax == daps.sigmaMax)

        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("knee_small.h5"), whitened = dir.appendingPathComponent("whitened.h5")
        try CLI.writeSmallScan(to: scan)
        try CLI.writeSmallScan(to: whitened, attributes: ["prewhitened": .integer(1)])
        for (input, expected) in [(scan, nil), (whitened, 1.0)] as [(URL, Double?)] {
            let out = dir.appendingPathComponent("out-" + input.lastPathComponent)
            let r = try CLI.run(["recon", input.path, "--prior", Self.tinyPrior.path, "--out", out.path, "--slices", "0:1"] + Self.small)
            #expect(r.status == 0, "\(r.stderr)")
            let f = try HDF5File(readingFrom: out.appendingPathComponent(input.lastPathComponent))
            defer { f.close() }
            #expect(try f.attribute("measurement_noise_std")?.doubleValue == expected)
        }
    }

    @Test("tau_noise_factor c: τ = c·σ/s kept within [τ₀/3, 3τ₀]; each slice's σ estimate and τ recorded; --tau and --tau-noise-factor 0 fix τ")
    func noiseAdaptiveTau() throws {
        let daps = try ReconProtocol.builtIn(named: "knee-4x").daps
        let tau = daps.conditional.tau
        #expect(abs(ReconPipeline.configuration(daps, noise: 1, scale: 1 / tau, factor: 0.5).conditional.tau - 0.5 * tau) < 1e-6 * tau)
        #expect(abs(ReconPipeline.configuration(daps, noise: 1, scale: 1 / tau, factor: 0.1).conditional.tau - tau / 3) < 1e-6 * tau)
        #expect(abs(ReconPipeline.configuration(daps, noise: 1, scale: 1 / tau, factor: 9).conditional.tau - 3 * tau) < 1e-6 * tau)
        #expect(ReconPipeline.configuration(daps, noise: nil, scale: 1, factor: 2) == daps)
        var p = try ReconProtocol.builtIn(named: "knee-4x")
        var o = ReconProtocol.Overrides()
        o.tauNoiseFactor = 0.7
        #expect(try p.applying(o).tauNoiseFactor == 0.7)
        p.tauNoiseFactor = 0.7
        o = ReconProtocol.Overrides()
        o.tau = 0.01
        #expect(try p.applying(o).tauNoiseFactor == nil)
        o = ReconProtocol.Overrides()
        o.tauNoiseFactor = 0
        #expect(try p.applying(o).tauNoiseFactor == nil)
        p.tauNoiseFactor = -1
        #expect(throws: PipelineError.self) { try p.validate() }

        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("knee_small.h5")
        try CLI.writeSmallScan(to: scan, height: 96, width: 80, coils: 8)  // ≥ 256 acquired corner samples at 4×
        func run(_ extra: [String], _ name: String) throws -> (noise: [Double], taus: [Double], scales: [Double], rule: String) {
            let out = dir.appendingPathComponent(name)
            let r = try CLI.run(["recon", scan.path, "--prior", Self.tinyPrior.path, "--out", out.path, "--slices", "0:2"] + Self.small + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let f = try HDF5File(readingFrom: out.appendingPathComponent(scan.lastPathComponent))
            defer { f.close() }
            func array(_ key: String) throws -> [Double] {
                let text = try #require(try f.attribute(key)?.stringValue)
                return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Double])
            }
            return (try array("noise_std_estimates"), try array("taus"), try array("normalisation_scales"),
                    try #require(try f.attribute("tau_rule")?.stringValue))
        }
        let adaptive = try run(["--tau-noise-factor", "0.5"], "adaptive")
        #expect(adaptive.noise.count == 2 && adaptive.noise.allSatisfy { $0 > 0 } && adaptive.rule.contains("0.5"))
        for k in 0..<2 {
            let expected = min(3 * Double(tau), max(Double(tau) / 3, 0.5 * adaptive.noise[k] / adaptive.scales[k]))
            #expect(abs(adaptive.taus[k] - expected) < 1e-4 * expected, "slice \(k): τ \(adaptive.taus[k]) vs \(expected)")
        }
        for (extra, name) in [(["--tau", "0.02"], "fixed"), (["--tau-noise-factor", "0"], "off")] {
            let r = try run(extra, name)
            let want = name == "fixed" ? 0.02 : Double(tau)
            #expect(r.taus.allSatisfy { abs($0 - want) < 1e-6 }, "\(name): \(r.taus)")
            #expect(r.noise.count == 2)  // estimated and recorded even when it does not set τ
        }
    }
}

@Suite struct PriorCacheTests {
    @Test("a pipeline loads each prior once: the preflight's setup and the run's share one network")
    func priorLoadedOnce() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("knee_small.h5")
        try CLI.writeSmallScan(to: scan)
        var options = ReconOptions()
        options.prior = DAPSReconTests.tinyPrior.path
        options.mask.acceleration = 4
        let pipeline = ReconPipeline(options: options)
        let file = try FastMRIFile(contentsOf: scan)
        defer { file.close() }
        let sampling = try ReconPipeline.sampling(info: file.info, plan: options.mask, fileName: scan.lastPathComponent)
        let first = try pipeline.dapsSetup(info: file.info, sampling: sampling)
        let copy = pipeline
        let second = try copy.dapsSetup(info: file.info, sampling: sampling)
        #expect(first.prior.network === second.prior.network)
        #expect(try ReconPipeline(options: options).dapsSetup(info: file.info, sampling: sampling).prior.network !== first.prior.network)
    }
}
