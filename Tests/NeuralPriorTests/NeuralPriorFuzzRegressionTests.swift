import Foundation
import NeuralPrior
import Testing

/// Prior files whose configuration trapped or never finished before `UNetConfiguration` had
/// upper bounds (the `safetensors` fuzz target; the same files are in
/// Tests/Fuzz/corpus/safetensors/crash-*). Each is now a one-line `NeuralPriorError`.
@Suite struct NeuralPriorFuzzRegressionTests {
    /// A weightless prior file whose `config` is `base` with `changes` applied.
    static func prior(_ changes: [String: Any]) throws -> SafetensorsFile {
        var config: [String: Any] = [
            "in_channels": 2, "out_channels": 2, "base_channels": 2, "channel_multipliers": [1], "blocks_per_level": 1,
            "attention": false, "attention_heads": 1, "groups": 1, "embedding_channels": 2, "sigma_data": 0.5,
        ]
        config.merge(changes) { $1 }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self)
        let metadata = ["format": "mri-daps-edm-unet", "format_version": "1", "config": json, "card": "{}"]
        return try SafetensorsFile(data: try SafetensorsFile.encode([:], metadata: metadata), name: "p.safetensors")
    }

    @Test("base_channels × channel_multipliers overflowing Int is refused, not an overflow trap")
    func channelOverflow() throws {
        let file = try Self.prior(["base_channels": 1 << 62, "channel_multipliers": [4]])
        #expect(throws: NeuralPriorError.invalidConfiguration(key: "base_channels", problem: "must be positive, even and ≤ 4096")) {
            try UNet(file: file)
        }
        let multiplier = try Self.prior(["channel_multipliers": [1, 1 << 61]])
        #expect(throws: NeuralPriorError.invalidConfiguration(key: "channel_multipliers", problem: "must be 1…8 integers in 1…64")) {
            try UNet(file: multiplier)
        }
    }

    @Test("blocks_per_level 10¹² is refused at once, not a parameter list that never ends")
    func hugeBlockCount() throws {
        let file = try Self.prior(["blocks_per_level": 1_000_000_000_000])
        #expect(throws: NeuralPriorError.invalidConfiguration(key: "blocks_per_level", problem: "must be 1…64")) {
            try UNet(file: file)
        }
        let embedding = try Self.prior(["embedding_channels": 1 << 40])
        #expect(throws: NeuralPriorError.invalidConfiguration(key: "embedding_channels", problem: "must be 1…65536")) {
            try UNet(file: embedding)
        }
    }

    @Test("the bounds leave every shipped configuration valid")
    func shippedConfigurationsStayValid() throws {
        #expect(throws: Never.self) { try UNetConfiguration().validate() }
        let file = try Self.prior([:])
        // A valid configuration with no weights: strict loading names the first missing tensor.
        #expect(throws: NeuralPriorError.self) { try UNet(file: file) }
    }
}
