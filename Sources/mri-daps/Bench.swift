import ArgumentParser
import Foundation
import MRIPipeline

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: the acquisition core against BART (default) or the neural prior against PyTorch.",
        subcommands: [AcquisitionBench.self, PriorBench.self],
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

    func run() throws {
        do {
            let bart = noBart ? nil : Tools.which("bart")
            let r = try Benchmark.run(height: size, width: size, coils: coils, repeats: repeats, bartPath: bart) { status($0) }
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
        } catch { fail(error) }
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
