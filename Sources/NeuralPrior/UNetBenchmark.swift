import Foundation
import MRICore

/// Timing of random-weight UNets in memory (no file needed): milliseconds per network
/// evaluation at several batch sizes, achieved GFLOP/s (convolution and attention FLOPs from
/// `UNet.flops`), the sgemm rate of the same machine in the same run, and peak resident memory.
public enum UNetBenchmark {
    /// One (configuration, size, batch) measurement.
    public struct Result: Sendable {
        public let batch: Int
        /// Median wall time of one forward pass of the whole batch over the interleaved rounds, ms.
        public let milliseconds: Double
        /// Achieved rate, GFLOP/s.
        public let gflopsPerSecond: Double
        /// Workspace bytes for this batch size.
        public let workspaceBytes: Int
        /// Process peak resident set (VmHWM) after this batch size ran, bytes (nil off Linux).
        public let peakResidentBytes: Int?
        /// GFLOP/s of each timed round.
        public let roundGFLOPS: [Double]
        /// Median over the rounds of this round's rate over the sgemm rate measured at the start
        /// of the same round (`Report.roundSgemmGFLOPS`): the share of the peak with the host's
        /// drift between the two measurements taken out.
        public var shareOfRoundSgemm: Double {
            let r = zip(roundGFLOPS, roundSgemmGFLOPS).map { $0 / $1 }.sorted()
            return r.isEmpty ? .nan : r[r.count / 2]
        }
        /// The sgemm rate measured at the start of each round.
        public let roundSgemmGFLOPS: [Double]
    }

    /// All measurements for one configuration.
    public struct Report: Sendable, CustomStringConvertible {
        public let configuration: UNetConfiguration
        public let height: Int
        public let width: Int
        /// FLOPs of one item's forward pass.
        public let flopsPerItem: Double
        /// Measured n×n×n sgemm rate, GFLOP/s: the best of a measurement before the rounds and
        /// of the rounds' own (`Result.roundSgemmGFLOPS`).
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

    /// Builds a random-weight UNet of `configuration` and times `repeats` denoiser evaluations D(x, σ) per
    /// batch size. Each batch size first runs alone once (workspaces released before it) for its
    /// footprint and peak memory; the timed evaluations then run in interleaved rounds — one
    /// evaluation of every batch size per round — so that a change of load on a shared machine
    /// during the measurement hits every batch size alike instead of biasing their ratio.
    public static func run(
        configuration: UNetConfiguration, height: Int, width: Int, batches: [Int] = [1, 4], repeats: Int = 9,
        compute: ComputeSettings = .machine
    ) throws -> Report {
        let net = try UNet.random(configuration: configuration, seed: 1, compute: compute)
        let denoiser = try UNetDenoiser(network: net)
        let sgemm = sgemmRate(threads: compute.threads)
        var inputs: [(x: FloatArray, sigma: [Float])] = []
        var footprint: [(workspace: Int, peak: Int?)] = []
        for b in batches {
            net.releaseWorkspaces()
            var rng = SeededRNG(seed: 2)
            let x = FloatArray(shape: [b, configuration.inChannels, height, width],
                               storage: (0..<(b * configuration.inChannels * height * width)).map { _ in Float(rng.gaussian()) })
            let sigma = (0..<b).map { Float(0.5) + Float($0) }
            _ = try denoiser.denoise(x, sigma: sigma)
            inputs.append((x, sigma))
            footprint.append((net.workspaceBytes, peakResidentBytes()))
        }
        for (x, sigma) in inputs { _ = try denoiser.denoise(x, sigma: sigma) }  // warm every batch size again
        var times = [[Double]](repeating: [], count: batches.count)
        var roundSgemm: [Double] = []
        for _ in 0..<max(1, repeats) {
            roundSgemm.append(sgemmRate(repeats: 1, threads: compute.threads))
            for (i, (x, sigma)) in inputs.enumerated() {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try denoiser.denoise(x, sigma: sigma)
                times[i].append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
        }
        let flops = net.flops(height: height, width: width)
        let results = batches.indices.map { i -> Result in
            let ms = times[i].sorted()[times[i].count / 2]
            return Result(batch: batches[i], milliseconds: ms, gflopsPerSecond: flops * Double(batches[i]) / (ms * 1e6),
                          workspaceBytes: footprint[i].workspace, peakResidentBytes: footprint[i].peak,
                          roundGFLOPS: times[i].map { flops * Double(batches[i]) / ($0 * 1e6) }, roundSgemmGFLOPS: roundSgemm)
        }
        return Report(configuration: configuration, height: height, width: width,
                      flopsPerItem: flops, sgemmGFLOPS: max(sgemm, roundSgemm.max() ?? 0), results: results)
    }

    /// Where a batch-1 evaluation's wall time goes: milliseconds per evaluation for each kind of
    /// step (`LayerTimes`), averaged over `repeats` evaluations after one warm-up, with
    /// "total" (whole evaluations, input scaling and output combination included) and "other"
    /// (total minus the listed steps: embedding, modulation, GroupNorm coefficients, waits).
    public static func breakdown(
        configuration: UNetConfiguration, height: Int, width: Int, repeats: Int = 9, compute: ComputeSettings = .machine
    ) throws -> [String: Double] {
        let net = try UNet.random(configuration: configuration, seed: 1, compute: compute)
        let denoiser = try UNetDenoiser(network: net)
        var rng = SeededRNG(seed: 2)
        let x = FloatArray(shape: [1, configuration.inChannels, height, width],
                           storage: (0..<(configuration.inChannels * height * width)).map { _ in Float(rng.gaussian()) })
        _ = try denoiser.denoise(x, sigma: [0.5])
        let times = LayerTimes()
        let n = max(1, repeats)
        let t0 = DispatchTime.now().uptimeNanoseconds
        try times.record { for _ in 0..<n { _ = try denoiser.denoise(x, sigma: [0.5]) } }
        let total = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 / Double(n)
        var result = times.milliseconds.mapValues { $0 / Double(n) }
        result["other"] = total - result.values.reduce(0, +)
        result["total"] = total
        return result
    }

    /// GFLOP/s of an n×n×n sgemm through `BLAS.matrixMultiply` on `threads` cores (best of
    /// `repeats`): the columns of C are split into `threads` blocks multiplied concurrently, each
    /// by a (single-threaded) sgemm call, as the network itself runs its sgemms.
    public static func sgemmRate(size n: Int = 1024, repeats: Int = 5, threads: Int) -> Double {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1 }
        var best = Double.infinity
        for _ in 0...repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let parts = max(1, min(threads, n)), per = (n + parts - 1) / parts
            nonisolated(unsafe) let (pa, pb, pc) = (a, b, c)
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let lo = p * per, cols = min(n, lo + per) - lo
                if cols > 0 {
                    BLAS.matrixMultiply(m: n, n: cols, k: n, a: pa, lda: n, b: pb + lo, ldb: n, c: pc + lo, ldc: n)
                }
            }
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
