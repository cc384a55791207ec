import Foundation
import MRIPipeline
import MRIAcquisition
import MRICore
import MRIIO

/// `mri-daps bench`: times the acquisition core on a synthetic 320×320, 15-coil slice (4×
/// random mask, 8 % centre), median of `repeats` runs, and — when `bart` is on PATH — BART's
/// `ecalib -m1` and `pics -S -i 100 -R W:3:0:0.01` on the same k-space in the same run.
public enum Benchmark {
    public struct Row: Sendable, Codable {
        public var name: String
        public var medianSeconds: Double
        public var runs: [Double]
        /// Our median / BART's median for the matching BART stage (nil when BART is absent).
        public var ratioToBART: Double?
    }

    public struct Report: Sendable, Codable {
        public var height: Int, width: Int, coils: Int
        public var sampledColumns: Int, numLowFrequencies: Int
        public var threads: Int
        public var bart: String?
        public var rows: [Row]
        /// PSNR (dB, vs the fully sampled RSS) of our and BART's L1-wavelet on this slice.
        public var l1PSNR: Double?, bartL1PSNR: Double?
        /// Smallest, over coils, of |⟨S_ours, S_bart⟩|/(‖S_ours‖‖S_bart‖) inside the object
        /// (fully sampled RSS > 10 % of its max): agreement up to a global phase per coil.
        public var mapCorrelationMin: Double?
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }

    static func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
        var t = [Double]()
        for _ in 0..<repeats {
            let s = DispatchTime.now().uptimeNanoseconds
            try body()
            t.append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9)
        }
        return t
    }

    /// Runs the benchmark. `log` receives progress lines.
    public static func run(height: Int = 320, width: Int = 320, coils: Int = 15, repeats: Int = 5,
                           bartPath: String? = nil, compute: ComputeSettings = .machine,
                           log: (String) -> Void = { _ in }) throws -> Report {
        let (full, _) = SyntheticScan.make(height: height, width: width, coils: coils)
        var rng = SeededRNG(seed: 0)
        let mask = try RandomMask(acceleration: 4, centerFraction: 0.08).generate(width: width, using: &rng)
        let k = try mask.apply(to: full)
        let numLow = mask.numLowFrequencies
        var rows = [Row]()
        func add(_ name: String, _ runs: [Double]) {
            rows.append(Row(name: name, medianSeconds: median(runs), runs: runs, ratioToBART: nil))
            log(String(format: "%@: median %.4f s", name, median(runs)))
        }
        var img = CenteredFFT.inverse(k, compute: compute)
        add("fft pair (forward+inverse, \(coils) coils)", time(repeats) {
            img = CenteredFFT.inverse(CenteredFFT.forward(img, compute: compute), compute: compute)
        })
        let espirit = ESPIRiT(compute: compute)
        var maps = try espirit.sensitivityMaps(kspace: k, numLowFrequencies: numLow)
        let op = try SENSEOperator(sensitivityMaps: maps, columnMask: mask.columns, compute: compute)
        var x = op.adjoint(k)
        add("A^H A (SENSE normal)", time(repeats) { x = op.normal(x) })
        add("espirit", try time(repeats) { maps = try espirit.sensitivityMaps(kspace: k, numLowFrequencies: numLow) })
        var rec = ComplexArray(zeros: [height, width])
        add("l1-wavelet 100 it", try time(repeats) {
            rec = try L1WaveletReconstruction(lambda: 0.01, iterations: 100).reconstruct(kspace: k, operator: op)
        })
        let reference = try ZeroFilledRSS.reconstruct(kspace: full)
        let ours = ImageQualityMetrics.psnr(target: reference, prediction: rec.magnitude)
        var report = Report(height: height, width: width, coils: coils, sampledColumns: mask.columns.filter { $0 }.count,
                            numLowFrequencies: numLow, threads: compute.threads,
                            bart: nil, rows: rows, l1PSNR: ours, bartL1PSNR: nil, mapCorrelationMin: nil)
        guard let bart = bartPath else { return report }
        report.bart = bart
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mri-daps-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try CFLFile(slice: k).write(to: dir.appendingPathComponent("ksp"), overwrite: true)
        let bartRun = { (args: [String]) throws in try Self.runBART(bart, args, in: dir) }
        let ecalib = try time(repeats) { try bartRun(["ecalib", "-m1", "-r", "\(numLow)", "ksp", "sens"]) }
        let pics = try time(repeats) { try bartRun(["pics", "-S", "-i", "100", "-R", "W:3:0:0.01", "ksp", "sens", "rec"]) }
        report.rows.append(Row(name: "bart ecalib -m1", medianSeconds: median(ecalib), runs: ecalib, ratioToBART: nil))
        report.rows.append(Row(name: "bart pics W:3:0:0.01 -i 100", medianSeconds: median(pics), runs: pics, ratioToBART: nil))
        log(String(format: "bart ecalib: %.3f s, bart pics: %.3f s", median(ecalib), median(pics)))
        for i in report.rows.indices {
            if report.rows[i].name == "espirit" { report.rows[i].ratioToBART = report.rows[i].medianSeconds / median(ecalib) }
            if report.rows[i].name == "l1-wavelet 100 it" { report.rows[i].ratioToBART = report.rows[i].medianSeconds / median(pics) }
        }
        let bartRec = try CFLFile(contentsOf: dir.appendingPathComponent("rec")).image()
        report.bartL1PSNR = ImageQualityMetrics.psnr(target: reference, prediction: bartRec.magnitude)
        let bartMaps = try CFLFile(contentsOf: dir.appendingPathComponent("sens")).slice()
        report.mapCorrelationMin = mapCorrelation(maps, bartMaps, object: reference)
        return report
    }

    /// Runs `bart ARGS` in `dir`, output discarded; throws naming the command on failure.
    static func runBART(_ bart: String, _ args: [String], in dir: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bart)
        p.arguments = args
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PipelineError.unusableInput(file: bart, reason: "bart \(args.joined(separator: " ")) exited \(p.terminationStatus)")
        }
    }

    /// Minimum over coils of the phase-invariant correlation of two map sets inside the object.
    static func mapCorrelation(_ a: ComplexArray, _ b: ComplexArray, object: FloatArray) -> Double {
        let n = object.count, coils = a.count / n
        let cut = 0.1 * object.max
        var worst = 1.0
        for c in 0..<coils {
            var re = 0.0, im = 0.0, na = 0.0, nb = 0.0
            for i in 0..<n where object.storage[i] > cut {
                let x = a.storage[c * n + i], y = b.storage[c * n + i]
                re += Double(x.re * y.re + x.im * y.im)
                im += Double(x.re * y.im - x.im * y.re)
                na += Double(x.magnitudeSquared)
                nb += Double(y.magnitudeSquared)
            }
            worst = min(worst, (re * re + im * im).squareRoot() / max((na * nb).squareRoot(), 1e-30))
        }
        return worst
    }
}
