import Foundation
import MRIAcquisition
import MRICore
import Testing
import _TestSupport

/// Test data shared by the SENSE / ESPIRiT / classical-recon tests: simulated multi-coil
/// k-space of a real knee image (or an analytic phantom), column masks, and BART .cfl I/O.
enum SENSETestSupport {
    /// fastMRI random column mask: centre block of `numLow` columns starting at (W − numLow + 1)/2,
    /// other columns kept with probability (W/R − numLow)/(W − numLow).
    static func columnMask(width w: Int, acceleration: Double, centerFraction: Double, seed: UInt64) -> (mask: [Bool], numLow: Int) {
        let numLow = Int((Double(w) * centerFraction).rounded())
        var rng = SeededRNG(seed: seed)
        let prob = (Double(w) / acceleration - Double(numLow)) / Double(w - numLow)
        var mask = (0..<w).map { _ in rng.uniform() < prob }
        let start = (w - numLow + 1) / 2
        for j in start..<(start + numLow) { mask[j] = true }
        return (mask, numLow)
    }

    /// Smooth birdcage-like coil maps: Gaussian magnitude centred on a ring, linear phase.
    static func birdcageMaps(coils: Int, height h: Int, width w: Int) -> ComplexArray {
        var s = ComplexArray(zeros: [coils, h, w])
        let radius = 0.55 * Double(max(h, w)), sigma = 0.5 * Double(max(h, w))
        for c in 0..<coils {
            let theta = 2 * Double.pi * Double(c) / Double(coils)
            let cy = Double(h) / 2 + radius * sin(theta), cx = Double(w) / 2 + radius * cos(theta)
            for i in 0..<h { for j in 0..<w {
                let dy = Double(i) - cy, dx = Double(j) - cx
                let mag = exp(-(dy * dy + dx * dx) / (2 * sigma * sigma))
                let ph = theta + 2.0 * (Double(i) / Double(h) - 0.5) * cos(theta) + 1.5 * (Double(j) / Double(w) - 0.5) * sin(theta)
                s[linear: (c * h + i) * w + j] = ComplexFloat(Float(mag * cos(ph)), Float(mag * sin(ph)))
            } }
        }
        return s
    }

    /// The knee19 image from ../shared (BART column-major 320×256 complex) as `[H, W]`, or nil.
    static func kneeImage() -> ComplexArray? {
        guard let dir = Fixtures.sharedData else { return nil }
        let url = dir.appendingPathComponent("knee/mridata-axial/knee19.cfl")
        guard let data = try? Data(contentsOf: url), data.count == 320 * 256 * 8 else { return nil }
        let raw = data.withUnsafeBytes { Array($0.bindMemory(to: ComplexFloat.self)) }
        var img = ComplexArray(zeros: [320, 256])
        for i in 0..<320 { for j in 0..<256 { img[linear: i * 256 + j] = raw[i + 320 * j] } }
        return img
    }

    /// Elliptical phantom `[h, w]` with a few inner structures and a smooth phase.
    static func phantom(height h: Int, width w: Int) -> ComplexArray {
        var img = ComplexArray(zeros: [h, w])
        let ellipses: [(cy: Double, cx: Double, ry: Double, rx: Double, v: Double)] = [
            (0, 0, 0.80, 0.65, 1.0), (0, 0, 0.70, 0.55, -0.4), (-0.2, -0.15, 0.25, 0.12, 0.5),
            (0.25, 0.2, 0.15, 0.2, 0.35), (0.1, -0.3, 0.06, 0.06, 0.6), (-0.45, 0.2, 0.08, 0.15, -0.2),
        ]
        for i in 0..<h { for j in 0..<w {
            let y = 2 * Double(i) / Double(h) - 1, x = 2 * Double(j) / Double(w) - 1
            var v = 0.0
            for e in ellipses where pow((y - e.cy) / e.ry, 2) + pow((x - e.cx) / e.rx, 2) <= 1 { v += e.v }
            let ph = 0.6 * x + 0.3 * y
            img[linear: i * w + j] = ComplexFloat(Float(v * cos(ph)), Float(v * sin(ph)))
        } }
        return img
    }

    /// Fully sampled k-space F(S_c x) plus complex Gaussian noise of standard deviation
    /// `noise`·(max |k|).
    static func simulate(image: ComplexArray, maps: ComplexArray, noise: Double, seed: UInt64) -> ComplexArray {
        let nc = maps.shape[0], n = image.count
        var coil = ComplexArray(zeros: maps.shape)
        for c in 0..<nc { for i in 0..<n { coil[linear: c * n + i] = maps.storage[c * n + i] * image.storage[i] } }
        var k = CenteredFFT.forward(coil)
        let peak = k.storage.map { $0.magnitude }.max() ?? 1
        var rng = SeededRNG(seed: seed)
        let sigma = Float(noise) * peak
        for i in 0..<k.count { k[linear: i] += rng.complexGaussian() * sigma }
        return k
    }

    /// Zeroes the unsampled columns.
    static func undersample(_ k: ComplexArray, mask: [Bool]) -> ComplexArray {
        var u = k
        let w = k.shape[2], rows = k.count / w
        for r in 0..<rows { for j in 0..<w where !mask[j] { u[linear: r * w + j] = .zero } }
        return u
    }

    // MARK: BART .cfl I/O (dims column-major; fastMRI [coils, H, W] ↔ BART (H, W, 1, coils)).

    static func writeCFL(_ a: ComplexArray, to base: URL) throws {
        let (nc, h, w) = a.rank == 3 ? (a.shape[0], a.shape[1], a.shape[2]) : (1, a.shape[0], a.shape[1])
        var dims = [h, w, 1, nc] + [Int](repeating: 1, count: 12)
        if a.rank == 2 { dims[3] = 1 }
        let header = "# Dimensions\n" + dims.map(String.init).joined(separator: " ") + "\n"
        try header.write(to: base.appendingPathExtension("hdr"), atomically: true, encoding: .utf8)
        var raw = [ComplexFloat](repeating: .zero, count: a.count)
        for c in 0..<nc { for i in 0..<h { for j in 0..<w {
            raw[i + h * (j + w * c)] = a.storage[(c * h + i) * w + j]
        } } }
        let data = raw.withUnsafeBufferPointer { Data(buffer: $0) }
        try data.write(to: base.appendingPathExtension("cfl"))
    }

    /// Reads a BART (H, W, 1, C…) array as `[C, H, W]` (C = product of the trailing dims).
    static func readCFL(_ base: URL) throws -> ComplexArray {
        let header = try String(contentsOf: base.appendingPathExtension("hdr"), encoding: .utf8)
        let lines = header.split(separator: "\n")
        guard let idx = lines.firstIndex(where: { $0.hasPrefix("# Dimensions") }) else { throw CocoaError(.fileReadCorruptFile) }
        let dims = lines[idx + 1].split(separator: " ").compactMap { Int($0) }
        let h = dims[0], w = dims[1], rest = dims.dropFirst(2).reduce(1, *)
        let data = try Data(contentsOf: base.appendingPathExtension("cfl"))
        let raw = data.withUnsafeBytes { Array($0.bindMemory(to: ComplexFloat.self)) }
        var a = ComplexArray(zeros: [rest, h, w])
        for c in 0..<rest { for i in 0..<h { for j in 0..<w {
            a[linear: (c * h + i) * w + j] = raw[i + h * (j + w * c)]
        } } }
        return a
    }

    static func bart(_ args: [String], in dir: URL) throws {
        let r = try Fixtures.run(Fixtures.executable("bart")!, args, cwd: dir)
        if r.status != 0 { throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "bart \(args): \(r.stderr)"]) }
    }

    /// |Pearson correlation| of the magnitudes of two maps over `mask` pixels.
    static func magnitudeCorrelation(_ a: ArraySlice<ComplexFloat>, _ b: ArraySlice<ComplexFloat>, mask: [Bool]) -> Double {
        var xs = [Double](), ys = [Double]()
        for (k, (p, q)) in zip(a, b).enumerated() where mask[k] {
            xs.append(Double(p.magnitude)); ys.append(Double(q.magnitude))
        }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx); syy += (y - my) * (y - my) }
        return sxy / (sxx * syy).squareRoot()
    }

    /// |⟨a, b⟩| / (‖a‖‖b‖) of complex maps over `mask` pixels (1 = equal up to a global phase and scale).
    static func complexCorrelation(_ a: ArraySlice<ComplexFloat>, _ b: ArraySlice<ComplexFloat>, mask: [Bool]) -> Double {
        var re = 0.0, im = 0.0, na = 0.0, nb = 0.0
        for (k, (p, q)) in zip(a, b).enumerated() where mask[k] {
            re += Double(p.re * q.re + p.im * q.im); im += Double(p.re * q.im - p.im * q.re)
            na += Double(p.magnitudeSquared); nb += Double(q.magnitudeSquared)
        }
        return (re * re + im * im).squareRoot() / (na * nb).squareRoot()
    }
}

@Suite struct ClassicalReconTests {
    @Test("zero-filled RSS of fully sampled single-coil data is |x|")
    func zeroFilledIdentity() throws {
        let x = SENSETestSupport.phantom(height: 24, width: 20)
        let k = CenteredFFT.forward(x).reshaped([1, 24, 20])
        let rss = try ZeroFilledRSS.reconstruct(kspace: k)
        for i in 0..<x.count { #expect(abs(rss.storage[i] - x.storage[i].magnitude) < 1e-5) }
    }

    @Test("MVUE of noise-free data with the true maps is sqrt(Σ|S|²)·x")
    func mvueAnalytic() throws {
        let (h, w) = (32, 28)
        let x = SENSETestSupport.phantom(height: h, width: w)
        let maps = SENSETestSupport.birdcageMaps(coils: 4, height: h, width: w)
        let k = SENSETestSupport.simulate(image: x, maps: maps, noise: 0, seed: 0)
        let mvue = try MVUECombination.reconstruct(kspace: k, sensitivityMaps: maps)
        var err: Float = 0
        for i in 0..<(h * w) {
            var s2: Float = 0
            for c in 0..<4 { s2 += maps.storage[c * h * w + i].magnitudeSquared }
            err = max(err, (mvue.storage[i] - x.storage[i] * s2.squareRoot()).magnitude)
        }
        #expect(err < 1e-4)
    }

    @Test("CG-SENSE recovers the image from fully sampled noise-free data")
    func cgSenseExact() throws {
        let (h, w) = (32, 28)
        let x = SENSETestSupport.phantom(height: h, width: w)
        let maps = SENSETestSupport.birdcageMaps(coils: 4, height: h, width: w)
        let k = SENSETestSupport.simulate(image: x, maps: maps, noise: 0, seed: 0)
        let op = try SENSEOperator(sensitivityMaps: maps, columnMask: [Bool](repeating: true, count: w))
        let rec = try CGSENSE(lambda: 0, iterations: 50, tolerance: 1e-7).reconstruct(kspace: k, operator: op)
        #expect((rec - x).norm <= 1e-3 * x.norm)
    }

    @Test("intensity scale equals BART pics' printed scaling",
          .enabled(if: Fixtures.executable("bart") != nil))
    func intensityScalingMatchesBART() throws {
        let (h, w) = (64, 80)
        let x = SENSETestSupport.phantom(height: h, width: w)
        let maps = SENSETestSupport.birdcageMaps(coils: 4, height: h, width: w)
        let full = SENSETestSupport.simulate(image: x, maps: maps, noise: 1e-3, seed: 2)
        let (mask, _) = SENSETestSupport.columnMask(width: w, acceleration: 4, centerFraction: 0.16, seed: 4)
        let under = SENSETestSupport.undersample(full, mask: mask)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try SENSETestSupport.writeCFL(under, to: dir.appendingPathComponent("ksp"))
        try SENSETestSupport.writeCFL(maps, to: dir.appendingPathComponent("sens"))
        let r = try Fixtures.run("/usr/bin/env", ["DEBUG_LEVEL=4", Fixtures.executable("bart")!, "pics", "-i", "1",
                                                  "ksp", "sens", "rec"], cwd: dir)
        let line = try #require((r.stdout + r.stderr).split(separator: "\n").first { $0.hasPrefix("Scaling:") })
        let bartScale = try #require(Float(line.split(separator: " ")[1]))
        let ours = try IntensityScaling.estimate(kspace: under)
        #expect(abs(ours - bartScale) <= 1e-3 * bartScale)
    }

    @Test("8× with 4% centre lines: CG-SENSE and L1-wavelet with ESPIRiT or low-res maps beat zero-filled")
    func fewCalibrationLines() throws {
        let (h, w, nc) = (128, 320, 8)
        let x = SENSETestSupport.phantom(height: h, width: w)
        let truth = SENSETestSupport.birdcageMaps(coils: nc, height: h, width: w)
        let full = SENSETestSupport.simulate(image: x, maps: truth, noise: 2e-4, seed: 5)
        let (mask, numLow) = SENSETestSupport.columnMask(width: w, acceleration: 8, centerFraction: 0.04, seed: 6)
        #expect(numLow == 13)
        let under = SENSETestSupport.undersample(full, mask: mask)
        let reference = try ZeroFilledRSS.reconstruct(kspace: full)
        let zf = ImageQualityMetrics.psnr(target: reference, prediction: try ZeroFilledRSS.reconstruct(kspace: under))
        let espirit = try ESPIRiT().sensitivityMaps(kspace: under, numLowFrequencies: numLow)
        let lowres = try LowResolutionCoilMaps().sensitivityMaps(kspace: under, numLowFrequencies: numLow)
        for (name, maps) in [("ESPIRiT", espirit), ("low-res", lowres)] {
            let op = try SENSEOperator(sensitivityMaps: maps, columnMask: mask)
            let cg = try CGSENSE(lambda: 0.01, iterations: 20).reconstruct(kspace: under, operator: op)
            let l1 = try L1WaveletReconstruction(lambda: 0.01, iterations: 40).reconstruct(kspace: under, operator: op)
            let pcg = ImageQualityMetrics.psnr(target: reference, prediction: cg.magnitude)
            let pl1 = ImageQualityMetrics.psnr(target: reference, prediction: l1.magnitude)
            print("few lines, \(name): zero-filled \(zf) dB, CG-SENSE \(pcg) dB, L1-wavelet \(pl1) dB")
            #expect(pcg > zf + 1, "\(name) CG-SENSE")
            #expect(pl1 > zf + 1, "\(name) L1-wavelet")
        }
    }

    /// Measured figures of one BART comparison run.
    struct Comparison {
        var minMagnitudeCorrelation = 1.0, minComplexCorrelation = 1.0
        var psnrOurs = 0.0, psnrBART = 0.0, psnrOwnMaps = 0.0, psnrZeroFilled = 0.0
        var timeESPIRiT = 0.0, timeBARTecalib = 0.0, timeL1 = 0.0, timeBARTpics = 0.0
        var kernels = 0
    }

    /// The knee19 image resampled (centred k-space crop or zero-padding) to `[h, w]`.
    static func knee(height h: Int, width w: Int) -> ComplexArray {
        let image = SENSETestSupport.kneeImage()!
        let k = CenteredFFT.forward(image)
        var out = ComplexArray(zeros: [h, w])
        let (sh, sw) = (320, 256)
        let ch = min(h, sh), cw = min(w, sw)
        for i in 0..<ch { for j in 0..<cw {
            out[linear: (h / 2 - ch / 2 + i) * w + w / 2 - cw / 2 + j] = k.storage[(sh / 2 - ch / 2 + i) * sw + sw / 2 - cw / 2 + j]
        } }
        return CenteredFFT.inverse(out)
    }

    /// Simulates `coils` coils on the knee image, undersamples 4× random with the given ACS
    /// fraction (the 160×128 test keeps the 20 ACS lines that 8 % of the full 256 columns give, i.e.
    /// the same k-space extent), and runs
    /// `bart ecalib -m1 -r numLow` + `bart pics -S -R W:3:0:λ -i iterations` against ours.
    static func compareWithBART(height h: Int, width w: Int, coils nc: Int, iterations: Int, lambda: Float, centerFraction: Double) throws -> Comparison {
        let image = knee(height: h, width: w)
        let maps = SENSETestSupport.birdcageMaps(coils: nc, height: h, width: w)
        let full = SENSETestSupport.simulate(image: image, maps: maps, noise: 0.0005, seed: 3)
        let (mask, numLow) = SENSETestSupport.columnMask(width: w, acceleration: 4, centerFraction: centerFraction, seed: 11)
        let under = SENSETestSupport.undersample(full, mask: mask)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var out = Comparison()
        try SENSETestSupport.writeCFL(under, to: dir.appendingPathComponent("ksp"))
        var t = Date()
        try SENSETestSupport.bart(["ecalib", "-m1", "-r", "\(numLow)", "ksp", "sens"], in: dir)
        out.timeBARTecalib = Date().timeIntervalSince(t)
        let bartMaps = try SENSETestSupport.readCFL(dir.appendingPathComponent("sens"))
        t = Date()
        let ours = try ESPIRiT().estimate(kspace: under, numLowFrequencies: numLow)
        out.timeESPIRiT = Date().timeIntervalSince(t)
        out.kernels = ours.kernelCount

        // Object mask: reference image above 5 % of its maximum and inside both crops.
        let n = h * w
        let refMag = image.magnitude.storage
        let peak = refMag.max()!
        let object = (0..<n).map {
            refMag[$0] > 0.05 * peak && bartMaps.storage[$0].magnitude > 0 && ours.sensitivityMaps.storage[$0].magnitude > 0
        }
        for c in 0..<nc {
            let a = ours.sensitivityMaps.storage[(c * n)..<((c + 1) * n)]
            let b = bartMaps.storage[(c * n)..<((c + 1) * n)]
            out.minMagnitudeCorrelation = min(out.minMagnitudeCorrelation, SENSETestSupport.magnitudeCorrelation(a, b, mask: object))
            out.minComplexCorrelation = min(out.minComplexCorrelation, SENSETestSupport.complexCorrelation(a, b, mask: object))
        }

        // L1-wavelet on the same data with the same (BART) maps and λ.
        t = Date()
        try SENSETestSupport.bart(["pics", "-S", "-R", "W:3:0:\(lambda)", "-i", "\(iterations)", "ksp", "sens", "rec"], in: dir)
        out.timeBARTpics = Date().timeIntervalSince(t)
        let bartRec = try SENSETestSupport.readCFL(dir.appendingPathComponent("rec")).reshaped([h, w])
        let op = try SENSEOperator(sensitivityMaps: bartMaps, columnMask: mask)
        t = Date()
        let rec = try L1WaveletReconstruction(lambda: lambda, iterations: iterations).reconstruct(kspace: under, operator: op)
        out.timeL1 = Date().timeIntervalSince(t)
        let reference = try MVUECombination.reconstruct(kspace: full, sensitivityMaps: bartMaps).magnitude
        out.psnrOurs = ImageQualityMetrics.psnr(target: reference, prediction: rec.magnitude)
        out.psnrBART = ImageQualityMetrics.psnr(target: reference, prediction: bartRec.magnitude)
        out.psnrZeroFilled = ImageQualityMetrics.psnr(target: reference, prediction: try ZeroFilledRSS.reconstruct(kspace: under))
        // The whole pipeline with our own maps (reference: fully sampled MVUE with our maps).
        let op2 = try SENSEOperator(sensitivityMaps: ours.sensitivityMaps, columnMask: mask)
        let rec2 = try L1WaveletReconstruction(lambda: lambda, iterations: iterations).reconstruct(kspace: under, operator: op2)
        let ref2 = try MVUECombination.reconstruct(kspace: full, sensitivityMaps: ours.sensitivityMaps).magnitude
        out.psnrOwnMaps = ImageQualityMetrics.psnr(target: ref2, prediction: rec2.magnitude)
        print("""
            BART comparison \(h)×\(w)×\(nc): ESPIRiT kernels \(out.kernels), map correlation min magnitude \
            \(out.minMagnitudeCorrelation), min complex \(out.minComplexCorrelation); PSNR ours \(out.psnrOurs) dB, \
            BART \(out.psnrBART) dB, ours+own maps \(out.psnrOwnMaps) dB, zero-filled \(out.psnrZeroFilled) dB; \
            time ESPIRiT \(out.timeESPIRiT) s vs bart ecalib \(out.timeBARTecalib) s, L1-wavelet \(iterations) it. \
            \(out.timeL1) s vs bart pics \(out.timeBARTpics) s
            """)
        return out
    }

    private static func check(_ r: Comparison) {
        #expect(r.minMagnitudeCorrelation >= 0.95)
        #expect(r.minComplexCorrelation >= 0.95)
        #expect(r.psnrOurs >= r.psnrBART - 0.5)
        #expect(r.psnrOwnMaps >= r.psnrBART - 0.5)
        #expect(r.psnrOurs > r.psnrZeroFilled + 1)
    }

    @Test("BART comparison on a simulated 8-coil knee slice (160×128, 20 ACS lines): maps ≥ 0.95 correlation, L1-wavelet within 0.5 dB",
          .enabled(if: Fixtures.executable("bart") != nil && SENSETestSupport.kneeImage() != nil))
    func bartComparison() throws {
        Self.check(try Self.compareWithBART(height: 160, width: 128, coils: 8, iterations: 100, lambda: 0.01, centerFraction: 0.16))
    }

    /// Full-size benchmark (320×320×15, release build): `MRI_DAPS_SENSE_BENCHMARK=1 swift test -c release
    /// --filter bartBenchmark`. Prints the wall times; asserts the same accuracy as above.
    @Test("BART comparison at 320×320×15 coils (opt-in benchmark)",
          .enabled(if: Fixtures.executable("bart") != nil && SENSETestSupport.kneeImage() != nil
                   && ProcessInfo.processInfo.environment["MRI_DAPS_SENSE_BENCHMARK"] == "1"))
    func bartBenchmark() throws {
        Self.check(try Self.compareWithBART(height: 320, width: 320, coils: 15, iterations: 100, lambda: 0.01, centerFraction: 0.08))
    }
}

extension ClassicalReconTests {
    @Test("2-D Poisson-disc mask (ky–kz-like sampling): L1-wavelet within 0.5 dB of bart pics on the same data and maps",
          .enabled(if: Fixtures.executable("bart") != nil && SENSETestSupport.kneeImage() != nil))
    func bartPoisson() throws {
        let (h, w, nc) = (160, 128, 8)
        let image = Self.knee(height: h, width: w)
        let full = SENSETestSupport.simulate(image: image, maps: SENSETestSupport.birdcageMaps(coils: nc, height: h, width: w),
                                             noise: 0.0005, seed: 3)
        var rng = SeededRNG(seed: 5)
        let mask = try PoissonDiscMask(acceleration: 4, centerFraction: 0.12).generate(height: h, width: w, using: &rng)
        #expect(mask.isTwoDimensional)
        let under = try mask.apply(to: full)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try SENSETestSupport.writeCFL(under, to: dir.appendingPathComponent("ksp"))
        try SENSETestSupport.bart(["ecalib", "-m1", "-r", "\(mask.numLowFrequencies)", "ksp", "sens"], in: dir)
        try SENSETestSupport.bart(["pics", "-S", "-R", "W:3:0:0.01", "-i", "100", "ksp", "sens", "rec"], in: dir)
        let maps = try SENSETestSupport.readCFL(dir.appendingPathComponent("sens"))
        let bartRec = try SENSETestSupport.readCFL(dir.appendingPathComponent("rec")).reshaped([h, w])
        let op = try SENSEOperator(sensitivityMaps: maps, mask2D: try mask.plane(height: h))
        let ours = try L1WaveletReconstruction(lambda: 0.01, iterations: 100).reconstruct(kspace: under, operator: op)
        let reference = try MVUECombination.reconstruct(kspace: full, sensitivityMaps: maps).magnitude
        let psnrOurs = ImageQualityMetrics.psnr(target: reference, prediction: ours.magnitude)
        let psnrBART = ImageQualityMetrics.psnr(target: reference, prediction: bartRec.magnitude)
        let psnrZF = ImageQualityMetrics.psnr(target: reference, prediction: try ZeroFilledRSS.reconstruct(kspace: under))
        print("Poisson 2-D, \(h)×\(w)×\(nc), R \(mask.effectiveAcceleration): L1-wavelet PSNR ours \(psnrOurs) dB, BART \(psnrBART) dB, zero-filled \(psnrZF) dB")
        #expect(psnrOurs >= psnrBART - 0.5 && psnrOurs > psnrZF + 1, "ours \(psnrOurs) dB, BART \(psnrBART) dB, zero-filled \(psnrZF) dB")
    }
}
