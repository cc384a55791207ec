import Foundation
import MRICore
import Testing

@testable import NeuralPrior

@Suite struct UNetBenchmarkTests {
    @Test("the batch-1 breakdown times every kind of step, and its parts add up to the total")
    func breakdown() throws {
        let cfg = UNetConfiguration(baseChannels: 8, channelMultipliers: [1, 2], groups: 4, embeddingChannels: 16)
        let b = try UNetBenchmark.breakdown(configuration: cfg, height: 32, width: 24, repeats: 2,
                                            compute: ComputeSettings(lanes: 2, fftThreads: 1, blasThreads: 1))
        // conv_in, level 0's block (8 → 8), level 1's down block (8 → 16, 1×1 skip) and up block
        // (16 + 16 → 16, skip), level 0's up block (16 + 8 → 8, skip), conv_out.
        for kind in ["3×3 convolutions 2→8 at 32×24", "3×3 convolutions 8→8 at 32×24",
                     "3×3 convolutions 8→16 at 16×12 (+ 1×1 skip beside)", "3×3 convolutions 16→16 at 16×12",
                     "3×3 convolutions 32→16 at 16×12 (+ 1×1 skip beside)",
                     "3×3 convolutions 24→8 at 32×24 (+ 1×1 skip beside)", "3×3 convolutions 8→2 at 32×24",
                     "GroupNorm statistics", "skip copies, pooling, upsampling"] {
            #expect((b[kind] ?? 0) > 0, "\(kind): \(b[kind].map { "\($0)" } ?? "missing")")
        }
        #expect(b.count == 11, "\(b.keys.sorted())")  // the nine above, "other" and "total"
        let total = try #require(b["total"])
        let parts = b.filter { $0.key != "total" }.values.reduce(0, +)
        #expect(abs(parts - total) <= 1e-9 * total)
        #expect(try #require(b["other"]) >= 0)
    }

    @Test("each round measures sgemm beside the network; the share of the peak is the median of the rounds' ratios")
    func roundShares() throws {
        let cfg = UNetConfiguration(baseChannels: 8, channelMultipliers: [1, 2], groups: 4, embeddingChannels: 16)
        let r = try UNetBenchmark.run(configuration: cfg, height: 32, width: 24, batches: [1, 2], repeats: 3,
                                      compute: ComputeSettings(lanes: 2, fftThreads: 1, blasThreads: 1))
        for result in r.results {
            #expect(result.roundGFLOPS.count == 3 && result.roundSgemmGFLOPS.count == 3)
            #expect(result.roundSgemmGFLOPS == r.results[0].roundSgemmGFLOPS)  // one sgemm per round for all batches
            #expect(result.roundSgemmGFLOPS.allSatisfy { $0 > 0 && $0 <= r.sgemmGFLOPS })
            let ratios = zip(result.roundGFLOPS, result.roundSgemmGFLOPS).map { $0 / $1 }.sorted()
            #expect(result.shareOfRoundSgemm == ratios[1])
            // The reported median rate is one of the rounds' rates.
            #expect(result.roundGFLOPS.contains { abs($0 - result.gflopsPerSecond) <= 1e-9 * $0 })
        }
    }

    @Test("steps are timed only inside LayerTimes.record, on the recording thread")
    func recordingScope() throws {
        let cfg = UNetConfiguration(baseChannels: 8, channelMultipliers: [1, 2], groups: 4, embeddingChannels: 16)
        let denoiser = try UNetDenoiser(network: try UNet.random(configuration: cfg, seed: 1))
        let x = FloatArray(shape: [1, 2, 16, 16], storage: [Float](repeating: 0.1, count: 512))
        let times = LayerTimes()
        _ = try denoiser.denoise(x, sigma: [1])
        #expect(times.milliseconds.isEmpty)
        try times.record { _ = try denoiser.denoise(x, sigma: [1]) }
        let recorded = times.milliseconds
        #expect(!recorded.isEmpty)
        _ = try denoiser.denoise(x, sigma: [1])
        #expect(times.milliseconds == recorded)
    }
}
