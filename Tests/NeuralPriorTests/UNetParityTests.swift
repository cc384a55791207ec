import DAPS
import Foundation
import MRICore
import NeuralPrior
import Testing
import _TestSupport

extension UNetDenoiser: Denoiser {}

/// Parity with the PyTorch twin (Training/make_fixture.py): D(x, σ) on the committed random-weight
/// prior must match PyTorch's float64 result to max|Δ| ≤ 1e-4·max|expected|.
@Suite struct UNetParityTests {
    /// The committed fixture, or a freshly generated one (`.ci/run` regenerates a fixture with
    /// another configuration and points `MRI_DAPS_PRIOR_FIXTURE_DIR` at it).
    static let directory: URL = ProcessInfo.processInfo.environment["MRI_DAPS_PRIOR_FIXTURE_DIR"]
        .map { URL(fileURLWithPath: $0) } ?? Fixtures.url("prior")
    static let prior = directory.appendingPathComponent("tiny_unet.safetensors")
    static let priorHalf = directory.appendingPathComponent("tiny_unet_fp16.safetensors")
    static let io = directory.appendingPathComponent("tiny_unet_io.safetensors")

    func check(_ got: FloatArray, _ expected: FloatArray, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.shape == expected.shape, sourceLocation: sourceLocation)
        let scale = expected.storage.map(abs).max() ?? 0
        let err = maxAbsDifference(got.storage, expected.storage)
        #expect(scale > 0, sourceLocation: sourceLocation)
        #expect(err <= 1e-4 * scale, "max|Δ| = \(err), max|expected| = \(scale)", sourceLocation: sourceLocation)
    }

    @Test("fp32 prior: batch 3 (σ spanning 0.01…100) and batch 1 match PyTorch")
    func parityFloat32() throws {
        let io = try SafetensorsFile(contentsOf: Self.io)
        let denoiser = try UNetDenoiser(contentsOf: Self.prior)
        let sigma = try io.tensor("sigma").storage
        #expect(sigma.min()! <= 0.011 && sigma.max()! >= 99)
        check(try denoiser.denoise(try io.tensor("x"), sigma: sigma), try io.tensor("expected"))
        check(try denoiser.denoise(try io.tensor("x1"), sigma: try io.tensor("sigma1").storage), try io.tensor("expected1"))
        // Second call reuses the workspace and gives the same answer.
        check(try denoiser.denoise(try io.tensor("x"), sigma: sigma), try io.tensor("expected"))
    }

    @Test("fp16 prior (converted at load) matches PyTorch's fp16-weight result")
    func parityFloat16() throws {
        let io = try SafetensorsFile(contentsOf: Self.io)
        let file = try SafetensorsFile(contentsOf: Self.priorHalf)
        #expect(file.tensors.values.allSatisfy { $0.dtype == .f16 })
        let denoiser: any Denoiser = try UNetDenoiser(network: try UNet(file: file))
        check(try denoiser.denoise(try io.tensor("x"), sigma: try io.tensor("sigma").storage), try io.tensor("expected_fp16"))
    }

    @Test("the fixture's metadata, configuration and card load as the contract says")
    func metadata() throws {
        let net = try UNet(contentsOf: Self.prior)
        #expect(net.configuration.inChannels == 2 && net.configuration.outChannels == 2)
        #expect(net.card?.name != nil && net.card?.licence != nil && net.card?.trainingSteps != nil)
        #expect(Set(try SafetensorsFile(contentsOf: Self.prior).tensorNames)
                == Set(UNet.parameterShapes(for: net.configuration).keys))
        #expect(net.flops(height: 16, width: 16) > 0)
    }

    @Test("batch items are independent: item b of a batch has the bits of the item alone")
    func batchConsistency() throws {
        let io = try SafetensorsFile(contentsOf: Self.io)
        let denoiser = try UNetDenoiser(contentsOf: Self.prior)
        let x = try io.tensor("x"), sigma = try io.tensor("sigma").storage
        let all = try denoiser.denoise(x, sigma: sigma)
        for b in 0..<x.shape[0] {
            let one = try denoiser.denoise(x.item(b).reshaped([1] + Array(x.shape.dropFirst())), sigma: [sigma[b]])
            // Exactly: a batch runs its items one by one through batch-1 workspaces (UNetDenoiser).
            #expect(one.storage == all.item(b).storage)
        }
    }

    @Test("strict loading names the missing, unused or mis-shaped tensor")
    func strictLoading() throws {
        let file = try SafetensorsFile(contentsOf: Self.prior)
        let cfg = try UNetConfiguration.decode(json: file.metadata["config"]!)
        var weights = try file.allTensors()
        _ = try UNet(configuration: cfg, weights: weights)
        var missing = weights
        missing["mid.block1.conv2.bias"] = nil
        #expect(throws: NeuralPriorError.missingTensor(key: "mid.block1.conv2.bias")) {
            try UNet(configuration: cfg, weights: missing)
        }
        var extra = weights
        extra["mid.block1.skip.weight"] = FloatArray(zeros: [1])
        #expect(throws: NeuralPriorError.unusedTensor(key: "mid.block1.skip.weight")) {
            try UNet(configuration: cfg, weights: extra)
        }
        let c0 = cfg.channels(level: 0)
        weights["conv_in.weight"] = FloatArray(zeros: [c0, 2, 1, 1])
        #expect(throws: NeuralPriorError.shapeMismatch(key: "conv_in.weight", expected: [c0, 2, 3, 3], found: [c0, 2, 1, 1])) {
            try UNet(configuration: cfg, weights: weights)
        }
    }

    @Test("bad inputs are rejected: shape, size multiple, σ count and sign")
    func badInputs() throws {
        let denoiser = try UNetDenoiser(contentsOf: Self.prior)
        let m = denoiser.network.configuration.sizeMultiple
        #expect(throws: NeuralPriorError.self) { try denoiser.denoise(FloatArray(zeros: [1, 3, 8, 8]), sigma: [1]) }
        if m > 1 {
            #expect(throws: NeuralPriorError.self) { try denoiser.denoise(FloatArray(zeros: [1, 2, 8 * m + 1, 8]), sigma: [1]) }
        }
        #expect(throws: NeuralPriorError.self) { try denoiser.denoise(FloatArray(zeros: [2, 2, 8, 8]), sigma: [1]) }
        #expect(throws: NeuralPriorError.self) { try denoiser.denoise(FloatArray(zeros: [1, 2, 8, 8]), sigma: [0]) }
        #expect(throws: NeuralPriorError.self) { try denoiser.denoise(FloatArray(zeros: [1, 2, 8, 8]), sigma: [.nan]) }
    }

    @Test("a random-weight UNet round-trips through a safetensors file, F32 exactly")
    func randomRoundTrip() throws {
        let cfg = UNetConfiguration(baseChannels: 8, channelMultipliers: [1, 2, 2], groups: 4, embeddingChannels: 16)
        let net = try UNet.random(configuration: cfg, seed: 3)
        let shapes = UNet.parameterShapes(for: cfg)
        var rng = SeededRNG(seed: 3)
        var weights: [String: FloatArray] = [:]
        for (k, s) in shapes.sorted(by: { $0.key < $1.key }) {
            weights[k] = FloatArray(shape: s, storage: (0..<s.reduce(1, *)).map { _ in Float(rng.gaussian()) * 0.1 })
        }
        let data = try SafetensorsFile.encode(weights, metadata: [
            "format": "mri-daps-edm-unet", "format_version": "1", "config": cfg.jsonString(),
            "card": #"{"name": "t", "anatomy": "none", "data": "none", "licence": "CC0", "training_steps": 0}"#,
        ])
        let loaded = try UNet(file: try SafetensorsFile(data: data, name: "rt"))
        let direct = try UNet(configuration: cfg, weights: weights)
        let x = randomArray([2, 2, 16, 12], seed: 5)
        let a = try loaded.forward(x, noiseConditioning: [0.1, -1])
        let b = try direct.forward(x, noiseConditioning: [0.1, -1])
        #expect(a == b)
        #expect(try net.forward(x, noiseConditioning: [0, 0]).storage.allSatisfy(\.isFinite))
        var bad = data
        bad = try SafetensorsFile.encode(weights, metadata: ["format": "other", "format_version": "1"])
        #expect(throws: NeuralPriorError.self) { try UNet(file: try SafetensorsFile(data: bad, name: "x")) }
    }
}

@Suite struct UNetDeterminismTests {
    @Test("D(x, σ) is bitwise reproducible, also while other evaluations run concurrently")
    func reproducible() throws {
        let io = try SafetensorsFile(contentsOf: UNetParityTests.io)
        let x = try io.tensor("x"), sigma = try io.tensor("sigma").storage
        let first = try UNetDenoiser(contentsOf: UNetParityTests.prior).denoise(x, sigma: sigma)
        let other = try UNetDenoiser(contentsOf: UNetParityTests.prior)
        let slots = UnsafeMutableBufferPointer<FloatArray?>.allocate(capacity: 4)
        slots.initialize(repeating: nil)
        defer { slots.deallocate() }
        nonisolated(unsafe) let results = slots
        let denoiser = try UNetDenoiser(contentsOf: UNetParityTests.prior)
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let d = i % 2 == 0 ? denoiser : other
            results[i] = try? d.denoise(x, sigma: sigma)
        }
        for r in slots { #expect(r == first) }
    }
}

@Suite struct UNetComputeSettingsTests {
    @Test("a batch-1 evaluation split over two lanes gives the bits of the same item run on one lane")
    func laneSplitBits() throws {
        // Default architecture (1×1 skips at levels 1–3) at 64×64: batch 1 runs every layer
        // over two lanes (conv rows, each skip beside its conv1, GroupNorm statistics); in a
        // batch of two each item runs on one lane.
        let cfg = UNetConfiguration(baseChannels: 12, channelMultipliers: [1, 2, 4, 4], groups: 4, embeddingChannels: 48)
        let net = try UNet.random(configuration: cfg, seed: 3, compute: ComputeSettings(lanes: 2, fftThreads: 1, blasThreads: 1))
        let denoiser = try UNetDenoiser(network: net)
        let x = randomArray([2, 2, 64, 64], seed: 12)
        let pair = try denoiser.denoise(x, sigma: [0.7, 2])
        for b in 0..<2 {
            let alone = try denoiser.denoise(x.item(b).reshaped([1, 2, 64, 64]), sigma: [[0.7, 2][b]])
            #expect(alone.storage == pair.item(b).storage, "item \(b)")
        }
    }

    @Test("the denoiser gives the same result with one lane or several, and with im2col convolutions")
    func independentOfLanesAndKernel() throws {
        let cfg = UNetConfiguration(baseChannels: 8, channelMultipliers: [1, 2], groups: 4, embeddingChannels: 16)
        let x = randomArray([3, 2, 32, 24], seed: 7)
        let sigma: [Float] = [0.3, 1, 4]
        func denoised(_ compute: ComputeSettings) throws -> FloatArray {
            try UNetDenoiser(network: try UNet.random(configuration: cfg, seed: 2, compute: compute)).denoise(x, sigma: sigma)
        }
        let one = try denoised(.serial)
        let three = try denoised(ComputeSettings(lanes: 3, fftThreads: 1, blasThreads: 1))
        var im2col = ComputeSettings.serial
        im2col.convolution = .im2col
        let portable = try denoised(im2col)
        func relative(_ a: FloatArray, _ b: FloatArray) -> Float {
            var d: Float = 0, n: Float = 0
            for i in 0..<a.count { d += (a.storage[i] - b.storage[i]) * (a.storage[i] - b.storage[i]); n += b.storage[i] * b.storage[i] }
            return (d / n).squareRoot()
        }
        #expect(relative(three, one) <= 1e-6)
        #expect(relative(portable, one) <= 1e-5)
    }
}
