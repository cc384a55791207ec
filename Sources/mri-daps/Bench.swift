import ArgumentParser
import Foundation
import Benchmarks
import MRIPipeline

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: the acquisition core against BART (default), the neural prior against PyTorch, or a DAPS slice.",
        subcommands: [AcquisitionBench.self, PriorBench.self, DAPSBench.self],
        defaultSubcommand: AcquisitionBench.self)
}

struct AcquisitionBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acquisition",
        abstract: "Time FFT, AᴴA, ESPIRiT and L1-wavelet on a synthetic 320×320 15-coil slice, against BART when installed.")

    @Option(help: "Runs per stage (median reported).") var repeats = 5
    @Option(help: "Coils.") var coils = 15
    @Option(help: "Matrix size (square).") var size = 320
    @Flag(help: "Skip BART even when installed.") var noBart = false
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var compute: ComputeOptions

    func run() throws {
        let bart = noBart ? nil : Tools.which("bart")
        let r = try Benchmark.run(height: size, width: size, coils: coils, repeats: repeats, bartPath: bart,
                                  compute: compute.settings(reconstruction: false)) { status($0) }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            emit(String(decoding: try enc.encode(r), as: UTF8.self))
            return
        }
        emit("synthetic \(r.height)×\(r.width), \(r.coils) coils, 4× random mask (\(r.sampledColumns) columns, \(r.numLowFrequencies) centre), \(r.threads) threads, median of \(repeats)")
        emit("| stage | median (s) | ratio to BART |")
        emit("|---|---:|---:|")
        for row in r.rows {
            emit(String(format: "| %@ | %.4f | %@ |", row.name as NSString, row.medianSeconds,
                        (row.ratioToBART.map { String(format: "%.2f×", $0) } ?? "") as NSString))
        }
        if let a = r.l1PSNR { emit(String(format: "L1-wavelet PSNR vs fully sampled RSS: mri-daps %.2f dB", a)) }
        if let c = r.mapCorrelationMin { emit(String(format: "ESPIRiT vs bart ecalib maps: worst-coil correlation %.5f (inside the object)", c)) }
        if let b = r.bartL1PSNR { emit(String(format: "L1-wavelet PSNR vs fully sampled RSS: bart pics %.2f dB", b)) }
    }
}

enum Tools {
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

struct PriorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prior",
        abstract: "Time the UNet denoiser (default architecture or --prior's) at 320×320, batch 1 and 4, against sgemm peak and PyTorch.")

    @Option(help: "Prior file whose configuration to time (default: the default architecture).") var prior: String?
    @Option(help: "A configuration JSON (docs/weight-format.md) to time instead of the default architecture.") var config: String?
    @Option(help: "Image height (and width unless --width).") var size = 320
    @Option(help: "Image width (default: --size; 368 is fastMRI knees' phase-encode width). PyTorch is timed only for square sizes.") var width: Int?
    @Option(help: "Timed rounds, each one evaluation per batch size, interleaved (median reported).") var repeats = 9
    @Option(help: "Folder holding bench_torch.py for the PyTorch comparison.") var training = "Training"
    @Flag(help: "Also time each kind of step of batch-1 evaluations (3×3 convolutions per shape, GroupNorm statistics, copies).")
    var breakdown = false
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        if !(8...4096).contains(size) { throw ValidationError("--size must lie in 8…4096 (got \(size))") }
        if let w = width, !(8...4096).contains(w) { throw ValidationError("--width must lie in 8…4096 (got \(w))") }
    }

    func run() throws {
        let r = try PriorBenchmark.run(priorFile: prior.map { URL(fileURLWithPath: $0) }, configurationJSON: config, size: size, width: width, repeats: repeats,
                                       trainingDirectory: URL(fileURLWithPath: training), compute: compute.settings(reconstruction: true),
                                       breakdown: breakdown)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            emit(String(decoding: try enc.encode(r), as: UTF8.self))
            return
        }
        emit("prior \(r.configuration)")
        emit(String(format: "%d×%d, %d threads: batch 1 %.1f ms/eval, batch 4 %.1f ms (%.2f× batch 1), %.1f GFLOP/s of sgemm peak %.1f GFLOP/s (OpenBLAS %@ kernels), peak RSS %@",
                    r.size, r.width, r.threads, r.msPerEvalBatch1, r.msPerEvalBatch4, r.msPerEvalBatch4 / r.msPerEvalBatch1,
                    r.gflops, r.sgemmPeakGFLOPS, r.blasKernels as NSString, (r.peakRSSMB.map { String(format: "%.0f MB", $0) } ?? "n/a") as NSString))
        emit(String(format: "batch 1 against the sgemm rate of the same round: %.0f %% (median of %d rounds)",
                    100 * r.shareOfRoundSgemmBatch1, repeats))
        if let b = r.breakdownMs, let total = b["total"] {
            emit(String(format: "batch 1, ms per evaluation (%.1f in all):", total))
            for (kind, ms) in b.filter({ $0.key != "total" }).sorted(by: { $0.value > $1.value }) {
                emit(String(format: "  %6.2f  %4.1f %%  %@", ms, 100 * ms / total, kind as NSString))
            }
        }
        if let t = r.pytorchMsBatch1 {
            emit(String(format: "PyTorch (same model, threads): batch 1 %.1f ms, batch 4 %.1f ms; Swift/PyTorch %.2f×",
                        t, r.pytorchMsBatch4 ?? .nan, r.msPerEvalBatch1 / t))
        } else {
            emit("PyTorch: not available (needs /usr/bin/python3 with torch and \(training)/bench_torch.py)")
        }
    }
}

struct DAPSBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daps",
        abstract: "Time one DAPS slice through recon's pipeline: 1 draw and the protocol's draws batched, time split, peak memory.",
        discussion: """
            The slice is FILE's (fastMRI layout; --slice, default the middle one; its mask, else --accel), else a \
            built-in fastMRI knee geometry slice (640x368, 15 coils, 2x readout oversampling, 4x random mask, 8 % \
            centre), else with --size N a synthetic NxN slice without oversampling.
            """)

    @Argument(help: "A fastMRI-layout file to take the slice from (default: the built-in fastMRI knee geometry).")
    var file: String?
    @Option(help: "Slice of FILE (default: the middle slice).") var slice: Int?
    @Option(help: "Prior (knee, brain or a .safetensors path; default: the default architecture with random weights).") var prior: String?
    @Option(name: .customLong("protocol"), help: "Protocol name or .json path.") var reconProtocol = "knee-4x"
    @Option(help: "Override the protocol's conditional step.") var conditional: ConditionalMethod?
    @Option(help: "Draws of the batched run (default: the protocol's samples, as recon runs it).") var draws: Int?
    @Option(help: "Synthetic NxN slice without readout oversampling instead of the fastMRI knee geometry.") var size: Int?
    @Option(help: "Coils of the --size slice.") var coils = 15
    @Option(name: .customLong("virtual-coils"),
            help: "Compress to N virtual coils before the sampler (default: the protocol's virtual_coils; N ≥ coils: none).")
    var virtualCoils: Int?
    @OptionGroup var maskOptions: MaskOptions
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        if let d = draws, d < 1 { throw ValidationError("--draws must be ≥ 1") }
        if let v = virtualCoils, v < 1 { throw ValidationError("--virtual-coils must be ≥ 1") }
        if let s = size, !(8...4096).contains(s) { throw ValidationError("--size must lie in 8…4096 (got \(s))") }
        if !(1...128).contains(coils) { throw ValidationError("--coils must lie in 1…128 (got \(coils))") }
        if let k = slice, k < 0 { throw ValidationError("--slice must be ≥ 0 (got \(k))") }
        if file != nil && size != nil { throw ValidationError("give FILE or --size, not both") }
    }

    func run() throws {
        var o = ReconProtocol.Overrides()
        o.conditional = conditional
        var input = DAPSBenchmark.Input.fastMRIKnee
        if let file {
            try HDF5Probe.check([file])
            input = .file(URL(fileURLWithPath: file), slice: slice)
        } else if let size {
            input = .synthetic(size: size, coils: coils)
        }
        var plan = try maskOptions.plan()
        if plan.acceleration == nil { plan = MaskPlan(acceleration: 4, kind: plan.kind ?? .random, centerFraction: plan.centerFraction ?? 0.08, seed: plan.seed) }
        let r = try DAPSBenchmark.run(input: input, prior: prior, protocolName: reconProtocol, overrides: o, mask: plan,
                                      batchDraws: draws, virtualCoils: virtualCoils,
                                      compute: compute.settings(reconstruction: true)) { status($0) }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            emit(String(decoding: try enc.encode(r), as: UTF8.self))
            return
        }
        emit("DAPS \(r.protocolName) \(r.dapsConfiguration)")
        emit("prior \(r.prior): \(r.priorConfiguration)")
        emit("\(r.input): raw \(r.rawCoils)×\(r.rawHeight)×\(r.width), sampler \(r.virtualCoils)×\(r.height)×\(r.width), \(r.sampledColumns) columns, \(r.threads) threads, OpenBLAS \(r.blasKernels), convolution \(r.convolutionKernel)")
        emit(String(format: "preprocess (mask, oversampling, coil compression) %.2f s, coil maps (%@) %.2f s, normalisation estimate %.2f s",
                    r.preprocessSeconds, r.mapsMethod as NSString, r.mapsSeconds, r.normalisationSeconds))
        emit("| draws | total (s) | per draw (s) | network (s) | conditional (s) | operator, summed over draws (s) | NFE |")
        emit("|---:|---:|---:|---:|---:|---:|---:|")
        for x in [r.single, r.batched] {
            emit(String(format: "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %d |", x.draws, x.seconds, x.secondsPerDraw, x.network,
                        x.conditional, x.operatorSeconds, x.networkEvaluations))
        }
        emit("peak RSS " + (r.peakRSSMB.map { String(format: "%.0f MB", $0) } ?? "n/a"))
    }
}
