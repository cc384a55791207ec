import DAPS
import Foundation
import MRICore
import MRIPipeline
import Testing
import _TestSupport

@Suite("DAPS protocols: presets, decoding, automatic choice, command-line overrides")
struct ReconProtocolTests {
    static let presets = ["knee-4x", "knee-8x", "brain-4x", "brain-8x",
                          "knee-4x-reference", "knee-8x-reference", "brain-4x-reference", "brain-8x-reference"]

    @Test("the eight presets are built in and agree with their names (fast 100, reference 1000 network evaluations)")
    func presetsDecode() throws {
        for name in Self.presets {
            #expect(ReconProtocol.builtInNames.contains(name), "\(name) missing from \(ReconProtocol.builtInNames)")
            let p = try ReconProtocol.builtIn(named: name)
            #expect(p.name == name)
            let parts = name.split(separator: "-")
            #expect(p.anatomy == String(parts[0]))
            #expect(p.prior == p.anatomy)
            #expect(p.acceleration == Double(parts[1].dropLast())!)
            #expect(p.variant == (name.hasSuffix("reference") ? .reference : .fast))
            // Fast presets: 6 draws (knee-8x: 12, docs/evaluation.md "Draws at 8×") of 35 annealing steps from
            // σ_max 2 (docs/performance.md); reference ones 100 × 10 from σ_max 10.
            let fast = p.variant == .fast
            #expect(p.daps.networkEvaluations == (fast ? 35 : 1000), "\(name): \(p.daps.networkEvaluations) NFE")
            #expect(!fast || p.samples == (name == "knee-8x" ? 12 : 6), "\(name): \(p.samples) draws")
            // Fast presets: the draws see the prior in 4 orientations; reference ones in 1.
            #expect(p.orientations == (fast ? 4 : 1), "\(name): \(p.orientations) orientations")
            #expect(p.samples >= 2)
            #expect(p.quantile == 0.99)
            #expect(p.daps.conditional.method == "gaussian-cg")
            #expect(p.daps.sigmaMin == Float(0.01) && p.daps.sigmaMax == (fast ? 2 : 10))
            #expect(p.coilMaps == .lowres)
            // Fast presets carry the calibration factor fitted on validation data; reference ones do not yet.
            #expect(p.variant == .fast ? p.stdScale > 1 : p.uncertaintyScale == nil, "\(name): uncertainty_scale \(p.stdScale)")
        }
    }

    @Test("the top-level Protocols folder shows the same presets as the resources")
    func topLevelFolder() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.packageRoot.appendingPathComponent("Protocols").path)
        #expect(Set(names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }) == Set(Self.presets))
    }

    func decode(_ json: String) throws -> ReconProtocol {
        try ReconProtocol.decode(Data(json.utf8), source: "test.json")
    }

    static let minimal = """
        {"name": "t", "anatomy": "knee", "acceleration": 4, "variant": "fast", "prior": "knee", "samples": 2,
         "daps": {"annealing_steps": 3, "ode_steps": 1,
                  "conditional": {"method": "gaussian-cg", "tau": 0.05, "iterations": 4, "tolerance": 1e-5}}}
        """

    @Test("decoding: optional fields default, unknown and missing keys are one-line errors naming the file and key")
    func decoding() throws {
        let p = try decode(Self.minimal)
        #expect(p.seed == nil && p.normalisationQuantile == nil && p.quantile == 0.99)
        #expect(p.uncertaintyScale == nil && p.stdScale == 1)
        #expect(p.coilMaps == nil)
        var o = ReconOptions()
        #expect(o.coilMaps(for: p) == .auto && o.coilMaps(for: nil) == .auto)
        #expect(o.coilMaps(for: try decode(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 2, \"coil_maps\": \"lowres\""))) == .lowres)
        o.coilMaps = .espirit
        #expect(o.coilMaps(for: try ReconProtocol.builtIn(named: "knee-4x")) == .espirit)
        #expect(p.virtualCoils == nil && o.virtualCoils(for: p) == nil)
        let compressed = try decode(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 2, \"virtual_coils\": 8"))
        #expect(compressed.virtualCoils == 8 && o.virtualCoils(for: compressed) == 8)
        o.virtualCoils = 12
        #expect(o.virtualCoils(for: compressed) == 12 && o.virtualCoils(for: nil) == 12)
        let calibrated = try decode(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 2, \"uncertainty_scale\": 2.5"))
        #expect(calibrated.stdScale == 2.5)
        #expect(p.daps.sigmaMax == 100 && p.daps.sigmaMin == 0.1)
        #expect(p.daps.conditional == .gaussianCG(tau: 0.05, iterations: 4, tolerance: 1e-5))
        func fails(_ json: String, _ mentions: [String]) {
            do {
                _ = try decode(json)
                Issue.record("decoded: \(json)")
            } catch {
                let text = "\(error)"
                #expect(!text.contains("\n"), "\(text)")
                for m in mentions { #expect(text.contains(m), "'\(text)' should mention '\(m)'") }
            }
        }
        fails(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 2, \"colour\": 1"), ["test.json", "colour"])
        fails(Self.minimal.replacingOccurrences(of: "\"prior\": \"knee\", ", with: ""), ["test.json", "prior"])
        fails(Self.minimal.replacingOccurrences(of: "\"ode_steps\": 1", with: "\"ode_steps\": 1, \"speed\": 2"), ["test.json", "speed"])
        fails(Self.minimal.replacingOccurrences(of: "\"anatomy\": \"knee\"", with: "\"anatomy\": \"hip\""), ["test.json", "anatomy"])
        fails(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 0"), ["test.json", "samples"])
        fails(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 2, \"uncertainty_scale\": 0"), ["test.json", "uncertainty_scale"])
        fails(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 2, \"uncertainty_scale\": -1"), ["test.json", "uncertainty_scale"])
        fails(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 2, \"coil_maps\": \"magic\""), ["test.json", "coil_maps"])
        fails(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 2, \"virtual_coils\": 0"), ["test.json", "virtual_coils"])
        #expect(p.priorOrientations == nil && p.orientations == 1)
        #expect(try decode(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 2, \"prior_orientations\": 4"))
            .orientations == 4)
        fails(Self.minimal.replacingOccurrences(of: "\"samples\": 2", with: "\"samples\": 2, \"prior_orientations\": 3"), ["test.json", "prior_orientations"])
        var flipped = ReconProtocol.Overrides()
        flipped.priorOrientations = 2
        let overridden = try p.applying(flipped)
        #expect(overridden.orientations == 2 && overridden.name.hasSuffix("+overrides"))
        fails("[1, 2]", ["test.json", "not a JSON object"])
    }

    @Test("--protocol accepts a built-in name or a JSON path; a missing file or name is an error")
    func loading() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("mine.json")
        try Data(Self.minimal.utf8).write(to: url)
        #expect(try ReconProtocol.load(url.path).name == "t")
        #expect(try ReconProtocol.load("brain-8x").name == "brain-8x")
        #expect(throws: PipelineError.self) { try ReconProtocol.load("knee-3x") }
        #expect(throws: PipelineError.self) { try ReconProtocol.load(dir.appendingPathComponent("none.json").path) }
    }

    @Test("automatic choice: nearest of 4× and 8× on a log scale, fast unless asked")
    func automatic() {
        #expect(ReconProtocol.automaticName(anatomy: "knee", acceleration: 4) == "knee-4x")
        #expect(ReconProtocol.automaticName(anatomy: "knee", acceleration: 1) == "knee-4x")
        #expect(ReconProtocol.automaticName(anatomy: "knee", acceleration: 5.5) == "knee-4x")
        #expect(ReconProtocol.automaticName(anatomy: "knee", acceleration: 5.8) == "knee-8x")
        #expect(ReconProtocol.automaticName(anatomy: "brain", acceleration: 12) == "brain-8x")
        #expect(ReconProtocol.automaticName(anatomy: "brain", acceleration: nil) == "brain-4x")
        #expect(ReconProtocol.automaticName(anatomy: "brain", acceleration: 8, variant: .reference) == "brain-8x-reference")
        for name in ["knee-4x", "knee-8x", "brain-4x", "brain-8x"] {
            #expect(ReconProtocol.builtInNames.contains(name))
        }
    }

    @Test("overrides change exactly the given fields; switching the conditional keeps τ; misplaced flags are errors")
    func overrides() throws {
        let base = try ReconProtocol.builtIn(named: "knee-4x")
        var o = ReconProtocol.Overrides()
        o.seed = 9
        let seeded = try base.applying(o)
        #expect(seeded.name == "knee-4x" && seeded.seed == 9)

        o.annealingSteps = 7
        o.odeSteps = 3
        o.samples = 5
        o.sigmaMax = 50
        o.sigmaMin = 0.2
        o.conditional = .langevin
        o.lr = 2e-5
        o.lrMinRatio = 0.5
        o.langevinSteps = 4
        o.tau = 0.02
        let p = try base.applying(o)
        #expect(p.name == "knee-4x+overrides")
        #expect(p.daps.annealingSteps == 7 && p.daps.odeSteps == 3 && p.daps.networkEvaluations == 21)
        #expect(p.samples == 5 && p.seed == 9)
        #expect(p.daps.sigmaMax == 50 && p.daps.sigmaMin == Float(0.2))
        #expect(p.daps.conditional == .langevin(steps: 4, lr: Float(2e-5), lrMinRatio: 0.5, tau: Float(0.02)))
        #expect(p.anatomy == base.anatomy && p.prior == base.prior)

        var cg = ReconProtocol.Overrides()
        cg.conditional = .gaussianCG
        cg.cgIterations = 6
        let q = try base.applying(cg)
        guard case .gaussianCG(let tau, let iterations, _) = q.daps.conditional else {
            Issue.record("expected gaussian-cg, got \(q.daps.conditional)")
            return
        }
        #expect(tau == base.daps.conditional.tau && iterations == 6)

        var wrong = cg
        wrong.lr = 1e-4
        #expect(throws: PipelineError.invalidOption(name: "lr", reason: "applies only to --conditional langevin (protocol 'knee-4x' uses gaussian-cg)")) {
            try base.applying(wrong)
        }
        var wrong2 = ReconProtocol.Overrides()
        wrong2.langevinSteps = 3  // a Langevin-only flag on a gaussian-cg preset
        #expect(throws: PipelineError.self) { try base.applying(wrong2) }
        var inverted = ReconProtocol.Overrides()
        inverted.sigmaMin = 200
        #expect(throws: PipelineError.self) { try base.applying(inverted) }
    }
}

@Suite("prior selection: built-in names, paths, anatomy from the acquisition")
struct PriorResolutionTests {
    static var tinyPrior: URL { Fixtures.url("pipeline/tiny_prior_fp16.safetensors") }

    @Test("a built-in name resolves to Resources/Priors/<name>.safetensors, else a one-line 'not installed' error")
    func builtIn() throws {
        for name in PriorCatalog.builtInNames {
            let expected = try #require(PriorCatalog.builtInURL(name))
            #expect(expected.lastPathComponent == "\(name).safetensors")
            #expect(expected.deletingLastPathComponent().lastPathComponent == "Priors")
            if FileManager.default.fileExists(atPath: expected.path) {
                #expect(try PriorCatalog.resolve(name) == expected)
            } else {
                #expect(throws: PipelineError.invalidOption(name: "prior", reason: "built-in prior '\(name)' is not installed; pass --prior PATH")) {
                    try PriorCatalog.resolve(name)
                }
            }
        }
    }

    @Test("a path resolves to itself; a missing path is an error naming it")
    func paths() throws {
        #expect(try PriorCatalog.resolve(Self.tinyPrior.path).path == Self.tinyPrior.path)
        do {
            _ = try PriorCatalog.resolve("/nonexistent/p.safetensors")
            Issue.record("resolved a missing file")
        } catch {
            #expect("\(error)".contains("/nonexistent/p.safetensors") && "\(error)".contains("not found"))
        }
    }

    @Test("acquisition → anatomy: CORPD*/knee → knee, AX*/brain → brain, else none")
    func anatomy() {
        #expect(PriorCatalog.anatomy(acquisition: "CORPD_FBK") == "knee")
        #expect(PriorCatalog.anatomy(acquisition: "CORPDFS_FBK") == "knee")
        #expect(PriorCatalog.anatomy(acquisition: "knee") == "knee")
        #expect(PriorCatalog.anatomy(acquisition: "AXT2") == "brain")
        #expect(PriorCatalog.anatomy(acquisition: "AXFLAIR") == "brain")
        #expect(PriorCatalog.anatomy(acquisition: "Brain") == "brain")
        #expect(PriorCatalog.anatomy(acquisition: "SAGT1_MPRAGE") == "brain")
        #expect(PriorCatalog.anatomy(acquisition: "SAGFLAIR") == "brain")
        #expect(PriorCatalog.anatomy(acquisition: "SAGT1") == nil)
        #expect(PriorCatalog.anatomy(acquisition: nil) == nil)
    }

    @Test("the loaded prior records its card name and the file's SHA-256 (checked against sha256sum)")
    func identity() throws {
        let p = try LoadedPrior(Self.tinyPrior.path)
        #expect(p.identity.name == "tiny-dev")
        #expect(p.identity.card.contains("\"anatomy\": \"knee\""))
        let r = try Fixtures.run("/usr/bin/sha256sum", [Self.tinyPrior.path])
        #expect(r.stdout.hasPrefix(p.identity.sha256 + " "), "\(r.stdout) vs \(p.identity.sha256)")
    }
}

/// A pointwise denoiser (D = 2x) that only accepts H, W multiples of 4 and records the shapes it saw.
final class MultipleOfFourDenoiser: Denoiser, @unchecked Sendable {
    var seen = [[Int]]()
    var channels: Int { 2 }
    func denoise(_ x: FloatArray, sigma: [Float]) throws -> FloatArray {
        seen.append(x.shape)
        guard x.shape[2] % 4 == 0, x.shape[3] % 4 == 0 else { throw PipelineError.invalidOption(name: "x", reason: "not a multiple of 4") }
        return FloatArray(shape: x.shape, storage: x.storage.map { 2 * $0 })
    }
}

@Suite("PaddedDenoiser")
struct PaddedDenoiserTests {
    @Test("pads to the next multiple, crops back, and leaves multiples alone")
    func padding() throws {
        let base = MultipleOfFourDenoiser()
        let d = PaddedDenoiser(base, multiple: 4)
        var rng = SeededRNG(seed: 1)
        let x = FloatArray(shape: [2, 2, 5, 7], storage: (0..<140).map { _ in Float(rng.gaussian()) })
        let y = try d.denoise(x, sigma: [1, 2])
        #expect(y.shape == x.shape)
        #expect(y.storage == x.storage.map { 2 * $0 })
        #expect(base.seen == [[2, 2, 8, 8]])
        let z = FloatArray(shape: [1, 2, 4, 8], storage: [Float](repeating: 1, count: 64))
        #expect(try d.denoise(z, sigma: [1]).storage.allSatisfy { $0 == 2 })
        #expect(base.seen.last == [1, 2, 4, 8])
    }
}

/// Returns, for every pixel, its column index plus 1000 × its row index plus 10⁶ × the batch
/// item (whatever the input), and records the inputs it saw.
final class PositionDenoiser: Denoiser, @unchecked Sendable {
    var seen: [FloatArray] = []
    var channels: Int { 2 }
    func denoise(_ x: FloatArray, sigma: [Float]) throws -> FloatArray {
        seen.append(x)
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var out = [Float](repeating: 0, count: x.count)
        for i in 0..<(b * c * h * w) {
            let j = i % w, r = (i / w) % h, item = i / (c * h * w)
            out[i] = Float(j) + 1000 * Float(r) + 1_000_000 * Float(item)
        }
        return FloatArray(shape: x.shape, storage: out)
    }
}

@Suite("OrientedDenoiser")
struct OrientedDenoiserTests {
    @Test("item k sees its input flipped by orientation k mod n, and the output is flipped back")
    func orientations() throws {
        let (b, c, h, w) = (5, 2, 3, 4)
        var rng = SeededRNG(seed: 3)
        let x = FloatArray(shape: [b, c, h, w], storage: (0..<(b * c * h * w)).map { _ in Float(rng.gaussian()) })
        func at(_ a: FloatArray, _ item: Int, _ ch: Int, _ r: Int, _ j: Int) -> Float { a.storage[((item * c + ch) * h + r) * w + j] }
        for n in [1, 2, 4] {
            let base = PositionDenoiser()
            let y = try OrientedDenoiser(base, orientations: n).denoise(x, sigma: [Float](repeating: 1, count: b))
            let input = try #require(base.seen.first)
            for item in 0..<b {
                let o = item % n, flipW = o & 1 != 0, flipH = o & 2 != 0
                for ch in 0..<c {
                    for r in 0..<h {
                        for j in 0..<w {
                            let (sr, sj) = (flipH ? h - 1 - r : r, flipW ? w - 1 - j : j)
                            // The base saw x flipped …
                            #expect(at(input, item, ch, r, j) == at(x, item, ch, sr, sj), "n \(n), item \(item)")
                            // … and its position map comes back flipped.
                            #expect(at(y, item, ch, r, j) == Float(sj) + 1000 * Float(sr) + 1_000_000 * Float(item))
                        }
                    }
                }
            }
        }
    }

    @Test("a denoiser that commutes with flips gives the same result in every orientation")
    func roundTrip() throws {
        var rng = SeededRNG(seed: 4)
        let x = FloatArray(shape: [4, 2, 5, 6], storage: (0..<240).map { _ in Float(rng.gaussian()) })
        let y = try OrientedDenoiser(DoublingDenoiser(), orientations: 4).denoise(x, sigma: [1, 1, 1, 1])
        #expect(y.storage == x.storage.map { 2 * $0 })
        var x9 = [Float]()
        for _ in 0..<(9 * 2 * 5 * 6) { x9.append(Float(rng.gaussian())) }
        let x8 = FloatArray(shape: [9, 2, 5, 6], storage: x9)
        let y8 = try OrientedDenoiser(DoublingDenoiser(), orientations: 8).denoise(x8, sigma: [Float](repeating: 1, count: 9))
        #expect(y8.storage == x8.storage.map { 2 * $0 })
    }

    @Test("8 orientations: items 4…7 (mod 8) see their flipped input transposed (W × H), and the result comes back")
    func transposedOrientations() throws {
        let (b, c, h, w) = (10, 2, 3, 5)
        var rng = SeededRNG(seed: 5)
        let x = FloatArray(shape: [b, c, h, w], storage: (0..<(b * c * h * w)).map { _ in Float(rng.gaussian()) })
        let base = ColumnRampDenoiser()
        let y = try OrientedDenoiser(base, orientations: 8).denoise(x, sigma: (0..<b).map { Float($0) })
        // Two calls: the 6 plain items (0–3, 8, 9) as H × W, then the 4 transposed ones as W × H,
        // each with its own σ.
        #expect(base.shapes == [[6, c, h, w], [4, c, w, h]])
        #expect(base.sigmas == [[0, 1, 2, 3, 8, 9], [4, 5, 6, 7]])
        for item in 0..<b {
            let o = item % 8, flipW = o & 1 != 0, flipH = o & 2 != 0
            for ch in 0..<c {
                for r in 0..<h {
                    for j in 0..<w {
                        let i = ((item * c + ch) * h + r) * w + j
                        // The base adds the column index of what it saw; mapped back, that is the
                        // (flipped) column for plain items and the (flipped) row for transposed ones.
                        let ramp = o & 4 == 0 ? (flipW ? w - 1 - j : j) : (flipH ? h - 1 - r : r)
                        #expect(y.storage[i] == x.storage[i] + Float(ramp), "item \(item), (\(r), \(j))")
                    }
                }
            }
        }
    }
}

/// x + the column index of each value, recording the shapes and σ it was called with.
final class ColumnRampDenoiser: Denoiser, @unchecked Sendable {
    var shapes: [[Int]] = []
    var sigmas: [[Float]] = []
    var channels: Int { 2 }
    func denoise(_ x: FloatArray, sigma: [Float]) throws -> FloatArray {
        shapes.append(x.shape)
        sigmas.append(sigma)
        let w = x.shape[3]
        return FloatArray(shape: x.shape, storage: x.storage.enumerated().map { $0.element + Float($0.offset % w) })
    }
}

/// 2·x, any size.
struct DoublingDenoiser: Denoiser {
    var channels: Int { 2 }
    func denoise(_ x: FloatArray, sigma: [Float]) throws -> FloatArray {
        FloatArray(shape: x.shape, storage: x.storage.map { 2 * $0 })
    }
}
