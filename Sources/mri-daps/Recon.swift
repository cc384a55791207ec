import ArgumentParser
import Foundation
import MRIPipeline

struct Recon: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconstruct fastMRI files; one reconstruction file per input, named after it, in --out.")

    @Argument(help: "fastMRI HDF5 file(s): fully sampled (give --accel to undersample) or already undersampled (mask in file).")
    var files: [String]
    @OptionGroup var maskOptions: MaskOptions
    @Option(help: "Method: \(ReconMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: String = ReconMethod.l1Wavelet.rawValue
    @Option(help: "Coil maps: auto (ESPIRiT with fallbacks for few centre lines), espirit, lowres.") var maps: String = CoilMapMethod.auto.rawValue
    @Option(help: "Compress to N virtual coils (SVD).") var coils: Int?
    @Option(help: "Regularisation λ (l1-wavelet default 0.01, sense 0.001).") var lambda: Float?
    @Option(help: "Iterations (l1-wavelet default 100, sense 30).") var iterations: Int?
    @Option(help: "Slice range a:b (half-open, 0-based).") var slices: String?
    @Option(help: "Output directory.") var out: String
    @Flag(help: "Replace existing outputs.") var force = false

    func validate() throws {
        guard ReconMethod(rawValue: method) != nil else {
            throw ValidationError("--method: unknown method '\(method)' (choose from \(ReconMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard CoilMapMethod(rawValue: maps) != nil else { throw ValidationError("--maps: choose auto, espirit or lowres") }
        if let c = coils, c < 1 { throw ValidationError("--coils must be ≥ 1") }
        if let i = iterations, i < 1 { throw ValidationError("--iterations must be ≥ 1") }
        if let l = lambda, !(l >= 0) { throw ValidationError("--lambda must be ≥ 0") }
        if let s = slices, Self.parseRange(s) == nil { throw ValidationError("--slices: expected a:b with 0 ≤ a < b (got '\(s)')") }
    }

    static func parseRange(_ s: String) -> Range<Int>? {
        let p = s.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 2, let a = Int(p[0]), let b = Int(p[1]), a >= 0, b > a else { return nil }
        return a..<b
    }

    func run() throws {
        var o = ReconOptions()
        o.method = ReconMethod(rawValue: method)!
        o.coilMaps = CoilMapMethod(rawValue: maps)!
        o.virtualCoils = coils
        o.lambda = lambda
        o.iterations = iterations
        o.slices = slices.flatMap(Self.parseRange)
        o.overwrite = force
        do {
            o.mask = try maskOptions.plan()
            let pipeline = ReconPipeline(options: o)
            for f in files {
                let s = try pipeline.run(input: URL(fileURLWithPath: f), outputDirectory: URL(fileURLWithPath: out)) { status($0) }
                emit(String(format: "%@ → %@: %@, %d slices %@, %d/%d columns (%@ mask, %d centre, %.2f×), %.1f s",
                            f, s.output.path, o.method.rawValue, s.slices, s.outputShape.description, s.sampledColumns, s.width,
                            s.maskSource, s.numLowFrequencies, s.effectiveAcceleration, s.seconds))
            }
        } catch { fail(error) }
    }
}
