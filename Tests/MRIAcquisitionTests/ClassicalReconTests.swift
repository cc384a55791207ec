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
                s.storage[(c * h + i) * w + j] = ComplexFloat(Float(mag * cos(ph)), Float(mag * sin(ph)))
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
        for i in 0..<320 { for j in 0..<256 { img.storage[i * 256 + j] = raw[i + 320 * j] } }
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
            img.storage[i * w + j] = ComplexFloat(Float(v * cos(ph)), Float(v * sin(ph)))
        } }
        return img
    }

    /// Fully sampled k-space F(S_c x) plus complex Gaussian noise of standard deviation
    /// `noise`·(max |k|).
    static func simulate(image: ComplexArray, maps: ComplexArray, noise: Double, seed: UInt64) -> ComplexArray {
        let nc = maps.shape[0], n = image.count
        var coil = ComplexArray(zeros: maps.shape)
        for c in 0..<nc { for i in 0..<n { coil.storage[c * n + i] = maps.storage[c * n + i] * image.storage[i] } }
        var k = CenteredFFT.forward(coil)
        let peak = k.storage.map { $0.magnitude }.max() ?? 1
        var rng = SeededRNG(seed: seed)
        let sigma = Float(noise) * peak
        for i in 0..<k.count { k.storage[i] += rng.complexGaussian() * sigma }
        return k
    }

    /// Zeroes the unsampled columns.
    static func undersample(_ k: ComplexArray, mask: [Bool]) -> ComplexArray {
        var u = k
        let w = k.shape[2], rows = k.count / w
        for r in 0..<rows { for j in 0..<w where !mask[j] { u.storage[r * w + j] = .zero } }
        return u
    }

    /// Magnitude of a complex image.
    static func magnitude(_ x: ComplexArray) -> FloatArray { x.magnitude }

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
            a.storage[(c * h + i) * w + j] = raw[i + h * (j + w * c)]
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
    @Test("BART comparison: ESPIRiT maps and L1-wavelet PSNR on a simulated 8-coil knee slice",
          .enabled(if: Fixtures.executable("bart") != nil && SENSETestSupport.kneeImage() != nil))
    func bartComparison() throws {
        let image = SENSETestSupport.kneeImage()!
        let h = 320, w = 256, nc = 8
        let maps = SENSETestSupport.birdcageMaps(coils: nc, height: h, width: w)
        let full = SENSETestSupport.simulate(image: image, maps: maps, noise: 0.0005, seed: 3)
        let (mask, numLow) = SENSETestSupport.columnMask(width: w, acceleration: 4, centerFraction: 0.08, seed: 11)
        let under = SENSETestSupport.undersample(full, mask: mask)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try SENSETestSupport.writeCFL(under, to: dir.appendingPathComponent("ksp"))
        try SENSETestSupport.bart(["ecalib", "-m1", "-r", "\(numLow)", "ksp", "sens"], in: dir)
        let bartMaps = try SENSETestSupport.readCFL(dir.appendingPathComponent("sens"))
        let t0 = Date()
        let ours = try ESPIRiT().estimate(kspace: under, numLowFrequencies: numLow)
        let tEsp = Date().timeIntervalSince(t0)

        // Object mask: where both map sets are non-zero and the reference image is > 5% of max.
        let refMag = image.magnitude.storage
        let peak = refMag.max()!
        var object = [Bool](repeating: false, count: h * w)
        for i in 0..<(h * w) {
            object[i] = refMag[i] > 0.05 * peak && bartMaps.storage[i].magnitude > 0 || refMag[i] > 0.05 * peak && bartMaps.storage[3 * h * w + i].magnitude > 0
        }
        var minCorr = 1.0, minComplex = 1.0
        for c in 0..<nc {
            let a = ours.sensitivityMaps.storage[(c * h * w)..<((c + 1) * h * w)]
            let b = bartMaps.storage[(c * h * w)..<((c + 1) * h * w)]
            minCorr = min(minCorr, SENSETestSupport.magnitudeCorrelation(a, b, mask: object))
            minComplex = min(minComplex, SENSETestSupport.complexCorrelation(a, b, mask: object))
        }
        let nzOurs = (0..<(h * w)).filter { ours.sensitivityMaps.storage[$0].magnitude > 0 }.count
        let nzBart = (0..<(h * w)).filter { bartMaps.storage[$0].magnitude > 0 }.count
        let both = (0..<(h * w)).filter { ours.sensitivityMaps.storage[$0].magnitude > 0 && bartMaps.storage[$0].magnitude > 0 }.count
        try? FileManager.default.createDirectory(atPath: "/tmp/sensedbg", withIntermediateDirectories: true)
        try SENSETestSupport.writeCFL(ours.sensitivityMaps, to: URL(fileURLWithPath: "/tmp/sensedbg/ours"))
        try SENSETestSupport.writeCFL(bartMaps, to: URL(fileURLWithPath: "/tmp/sensedbg/bart"))
        try SENSETestSupport.writeCFL(under, to: URL(fileURLWithPath: "/tmp/sensedbg/ksp"))
        try SENSETestSupport.writeCFL(maps, to: URL(fileURLWithPath: "/tmp/sensedbg/truth"))
        print("support ours \(nzOurs) bart \(nzBart) both \(both)")
        print("ESPIRiT: kernels \(ours.kernelCount), time \(tEsp) s, min magnitude correlation \(minCorr), min complex \(minComplex)")
        #expect(minCorr >= 0.95)

        // L1-wavelet: same data, same (BART) maps, same λ.
        let lambda: Float = 0.01
        try SENSETestSupport.bart(["pics", "-S", "-R", "W:3:0:\(lambda)", "-i", "100", "ksp", "sens", "rec"], in: dir)
        let bartRec = try SENSETestSupport.readCFL(dir.appendingPathComponent("rec")).reshaped([h, w])
        let op = try SENSEOperator(sensitivityMaps: bartMaps, columnMask: mask)
        let t1 = Date()
        let rec = try L1WaveletReconstruction(lambda: lambda, iterations: 100).reconstruct(kspace: under, operator: op)
        let tL1 = Date().timeIntervalSince(t1)
        let reference = try MVUECombination.reconstruct(kspace: full, sensitivityMaps: bartMaps).magnitude
        let psnrOurs = ImageQualityMetrics.psnr(target: reference, prediction: rec.magnitude)
        let psnrBart = ImageQualityMetrics.psnr(target: reference, prediction: bartRec.magnitude)
        let zf = ImageQualityMetrics.psnr(target: reference, prediction: try ZeroFilledRSS.reconstruct(kspace: under))
        // Ours with our own maps.
        let op2 = try SENSEOperator(sensitivityMaps: ours.sensitivityMaps, columnMask: mask)
        let rec2 = try L1WaveletReconstruction(lambda: lambda, iterations: 100).reconstruct(kspace: under, operator: op2)
        let ref2 = try MVUECombination.reconstruct(kspace: full, sensitivityMaps: ours.sensitivityMaps).magnitude
        let psnrOwn = ImageQualityMetrics.psnr(target: ref2, prediction: rec2.magnitude)
        print("L1-wavelet PSNR ours \(psnrOurs) dB, BART \(psnrBart) dB, zero-filled \(zf) dB, ours+own maps \(psnrOwn) dB; time \(tL1) s")
        #expect(psnrOurs >= psnrBart - 0.5)
        #expect(psnrOwn >= psnrBart - 0.5)
        #expect(psnrOurs > zf + 3)
    }
}
