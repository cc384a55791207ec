import Foundation
import MRICore

/// Timing of random-weight UNets in memory (no file needed): milliseconds per network
/// evaluation at several batch sizes, achieved GFLOP/s (convolution and attention FLOPs from
/// `UNet.flops`), the sgemm rate of the same machine in the same run, and peak resident memory.
public enum UNetBenchmark {
    /// One (configuration, size, batch) measurement.
    public struct Result: Sendable {
        public let batch: Int
        /// Median wall time of one forward pass of the whole batch, ms.
        public let milliseconds: Double
        /// Achieved rate, GFLOP/s.
        public let gflopsPerSecond: Double
        /// Workspace bytes for this batch size.
        public let workspaceBytes: Int
        /// Process peak resident set (VmHWM) after this batch size ran, bytes (nil off Linux).
        public let peakResidentBytes: Int?
    }

    /// All measurements for one configuration.
    public struct Report: Sendable, CustomStringConvertible {
        public let configuration: UNetConfiguration
        public let height: Int
        public let width: Int
        /// FLOPs of one item's forward pass.
        public let flopsPerItem: Double
        /// Measured n×n×n sgemm rate, GFLOP/s.
        public let sgemmGFLOPS: Double
        public let results: [Result]

        public var description: String {
            let c = configuration
            var s = "base \(c.baseChannels) mult \(c.channelMultipliers) blocks \(c.blocksPerLevel) attn \(c.attention) "
            s += "\(height)×\(width): \(String(format: "%.2f", flopsPerItem / 1e9)) GFLOP/item, sgemm peak "
            s += "\(String(format: "%.1f", sgemmGFLOPS)) GFLOP/s"
            for r in results {
                s += String(format: "\n  batch %d: %.1f ms (%.1f ms/item), %.1f GFLOP/s, workspace %.0f MB, VmHWM %@",
                            r.batch, r.milliseconds, r.milliseconds / Double(r.batch), r.gflopsPerSecond,
                            Double(r.workspaceBytes) / 1e6,
                            r.peakResidentBytes.map { String(format: "%.0f MB", Double($0) / 1e6) } ?? "n/a")
            }
            return s
        }
    }

    /// Builds a random-weight UNet of `configuration` and times `repeats` denoiser evaluations D(x, σ) (after
    /// one warm-up) for every batch size (workspaces released between batch sizes).
    public static func run(
        configuration: UNetConfiguration, height: Int, width: Int, batches: [Int] = [1, 4], repeats: Int = 5
    ) throws -> Report {
        let net = try UNet.random(configuration: configuration, seed: 1)
        let denoiser = try UNetDenoiser(network: net)
        let sgemm = sgemmRate()
        var results: [Result] = []
        for b in batches {
            net.releaseWorkspaces()
            var rng = SeededRNG(seed: 2)
            let x = FloatArray(shape: [b, configuration.inChannels, height, width],
                               storage: (0..<(b * configuration.inChannels * height * width)).map { _ in Float(rng.gaussian()) })
            let sigma = (0..<b).map { Float(0.5) + Float($0) }
            _ = try denoiser.denoise(x, sigma: sigma)
            var times: [Double] = []
            for _ in 0..<max(1, repeats) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try denoiser.denoise(x, sigma: sigma)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            let ms = times.sorted()[times.count / 2]
            results.append(Result(batch: b, milliseconds: ms,
                                  gflopsPerSecond: net.flops(height: height, width: width) * Double(b) / (ms * 1e6),
                                  workspaceBytes: net.workspaceBytes, peakResidentBytes: peakResidentBytes()))
        }
        return Report(configuration: configuration, height: height, width: width,
                      flopsPerItem: net.flops(height: height, width: width), sgemmGFLOPS: sgemm, results: results)
    }

    /// GFLOP/s of an n×n×n sgemm through `BLAS.matrixMultiply` (best of `repeats`).
    public static func sgemmRate(size n: Int = 1024, repeats: Int = 5) -> Double {
        // The machine's peak: OpenBLAS on all cores for this measurement only (NeuralPrior itself
        // runs it single-threaded and parallelises around it).
        let saved = BLAS.threads
        BLAS.setThreads(ProcessInfo.processInfo.activeProcessorCount)
        defer { BLAS.setThreads(saved) }
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1 }
        var best = Double.infinity
        for _ in 0...repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            BLAS.matrixMultiply(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0))
        }
        return 2 * Double(n) * Double(n) * Double(n) / best
    }

    /// Peak resident set size of this process (`VmHWM` in /proc/self/status), bytes.
    public static func peakResidentBytes() -> Int? {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }
}
