import Foundation
import MRICore
import MRIPipeline
import NeuralPrior

/// `mri-daps bench prior`: the UNet denoiser's speed at 320×320, batch 1 and 4, against
/// OpenBLAS sgemm's peak measured in the same run, and PyTorch's time for the same model and
/// threads (`Training/bench_torch.py`, when /usr/bin/python3 has torch).
public enum PriorBenchmark {
    /// The default prior architecture (docs/priors.md): 12 base channels, four levels
    /// [1, 2, 4, 4] (12, 24, 48, 48 channels at 1, ½, ¼, ⅛ resolution), one residual block per
    /// level, no attention, 4 groups — the fastest measured candidate that keeps width at the
    /// coarse levels.
    public static let defaultConfigurationJSON = """
        {"in_channels": 2, "out_channels": 2, "base_channels": 12, "channel_multipliers": [1, 2, 4, 4], \
        "blocks_per_level": 1, "attention": false, "attention_heads": 1, "groups": 4, \
        "embedding_channels": 48, "sigma_data": 0.5}
        """

    public struct Report: Sendable, Codable {
        public var configuration: String
        /// Image height (and width unless `width` says otherwise).
        public var size: Int
        public var width: Int
        public var msPerEvalBatch1: Double
        public var msPerEvalBatch4: Double
        public var gflops: Double
        public var sgemmPeakGFLOPS: Double
        /// Batch 1: median over the rounds of its rate over the sgemm rate of the same round
        /// (`UNetBenchmark.Result.shareOfRoundSgemm`).
        public var shareOfRoundSgemmBatch1: Double
        public var peakRSSMB: Double?
        public var pytorchMsBatch1: Double?
        public var pytorchMsBatch4: Double?
        public var threads: Int
        /// OpenBLAS's kernels in this process (`BLAS.coreName`).
        public var blasKernels: String
        /// With `breakdown`: ms per batch-1 evaluation per kind of step (`UNetBenchmark.breakdown`).
        public var breakdownMs: [String: Double]?

        enum CodingKeys: String, CodingKey {
            case configuration, size, width, threads
            case blasKernels = "blas_kernels"
            case msPerEvalBatch1 = "ms_per_eval_batch1"
            case msPerEvalBatch4 = "ms_per_eval_batch4"
            case gflops
            case sgemmPeakGFLOPS = "sgemm_peak_gflops"
            case shareOfRoundSgemmBatch1 = "share_of_round_sgemm_batch1"
            case peakRSSMB = "peak_rss_mb"
            case pytorchMsBatch1 = "pytorch_ms_batch1"
            case pytorchMsBatch4 = "pytorch_ms_batch4"
            case breakdownMs = "breakdown_ms"
        }
    }

    /// Runs the benchmark for `priorFile`'s configuration (or the default), `size`×`width` (square by default).
    /// `trainingDirectory` holds `bench_torch.py`; PyTorch figures are nil when it or torch is absent.
    /// With `breakdown`, also times each kind of step of batch-1 evaluations (after the rest).
    public static func run(priorFile: URL?, configurationJSON: String? = nil, size: Int = 320, width: Int? = nil, repeats: Int = 9,
                           trainingDirectory: URL?, compute: ComputeSettings = .machine, breakdown: Bool = false) throws -> Report {
        let configuration = try priorFile.map { try UNet(contentsOf: $0).configuration }
            ?? UNetConfiguration.decode(json: configurationJSON ?? defaultConfigurationJSON)
        let r = try UNetBenchmark.run(configuration: configuration, height: size, width: width ?? size, batches: [1, 4], repeats: repeats,
                                      compute: compute)
        let b1 = r.results.first { $0.batch == 1 }!, b4 = r.results.first { $0.batch == 4 }!
        let threads = compute.threads
        var report = Report(configuration: configuration.jsonString(), size: size, width: width ?? size,
                            msPerEvalBatch1: b1.milliseconds, msPerEvalBatch4: b4.milliseconds,
                            gflops: b1.gflopsPerSecond, sgemmPeakGFLOPS: r.sgemmGFLOPS,
                            shareOfRoundSgemmBatch1: b1.shareOfRoundSgemm,
                            peakRSSMB: b4.peakResidentBytes.map { Double($0) / 1e6 },
                            pytorchMsBatch1: nil, pytorchMsBatch4: nil, threads: threads,
                            blasKernels: BLAS.coreName)
        if breakdown {
            report.breakdownMs = try UNetBenchmark.breakdown(configuration: configuration, height: size, width: width ?? size,
                                                             repeats: repeats, compute: compute)
        }
        if width == nil || width == size, let torch = try? pytorch(configurationJSON: configuration.jsonString(), size: size, threads: threads,
                                    trainingDirectory: trainingDirectory) {
            report.pytorchMsBatch1 = torch.0
            report.pytorchMsBatch4 = torch.1
        }
        return report
    }

    static func pytorch(configurationJSON: String, size: Int, threads: Int, trainingDirectory: URL?) throws -> (Double, Double)? {
        let python = "/usr/bin/python3"
        guard let dir = trainingDirectory, FileManager.default.isExecutableFile(atPath: python) else { return nil }
        let script = dir.appendingPathComponent("bench_torch.py")
        guard FileManager.default.fileExists(atPath: script.path) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script.path, "--config", configurationJSON, "--threads", "\(threads)", "--size", "\(size)"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let a = obj["ms_batch1"] as? Double, let b = obj["ms_batch4"] as? Double else { return nil }
        return (a, b)
    }
}
