import Foundation
import NeuralPrior
import Testing

@Suite struct UNetConfigurationTests {
    let example = #"""
        {"in_channels": 2, "out_channels": 2, "base_channels": 32, "channel_multipliers": [1, 2, 2],
         "blocks_per_level": 1, "attention": false, "attention_heads": 1, "groups": 8,
         "embedding_channels": 128, "sigma_data": 0.5}
        """#

    @Test("the contract's example configuration decodes with snake_case keys")
    func decodesExample() throws {
        let c = try UNetConfiguration.decode(json: example)
        #expect(c == UNetConfiguration())
        #expect(c.levels == 3 && c.sizeMultiple == 4 && c.channels(level: 2) == 64)
        #expect(try UNetConfiguration.decode(json: c.jsonString()) == c)
        #expect(c.jsonString().contains("\"channel_multipliers\""))
    }

    @Test("unknown keys, missing keys, wrong types and bad group counts are rejected")
    func rejectsBad() {
        let unknown = example.replacingOccurrences(of: "\"groups\": 8", with: "\"groups\": 8, \"dropout\": 0.1")
        #expect(throws: NeuralPriorError.invalidConfiguration(key: "dropout", problem: "unknown key")) {
            try UNetConfiguration.decode(json: unknown)
        }
        let missing = example.replacingOccurrences(of: "\"groups\": 8,", with: "")
        #expect(throws: NeuralPriorError.invalidConfiguration(key: "groups", problem: "missing")) {
            try UNetConfiguration.decode(json: missing)
        }
        let badGroups = example.replacingOccurrences(of: "\"groups\": 8", with: "\"groups\": 12")
        #expect { try UNetConfiguration.decode(json: badGroups) } throws: { e in
            (e as? NeuralPriorError)?.description.contains("'groups'") == true
        }
        let wrongType = example.replacingOccurrences(of: "\"attention\": false", with: "\"attention\": \"no\"")
        #expect { try UNetConfiguration.decode(json: wrongType) } throws: { e in
            (e as? NeuralPriorError)?.description.contains("'attention'") == true
        }
        let heads = example.replacingOccurrences(of: "\"attention\": false, \"attention_heads\": 1",
                                                 with: "\"attention\": true, \"attention_heads\": 3")
        #expect(throws: NeuralPriorError.self) { try UNetConfiguration.decode(json: heads) }
        #expect(throws: NeuralPriorError.self) { try UNetConfiguration.decode(json: "[1]") }
    }

    @Test("the model card keeps its JSON and exposes the contract's fields")
    func modelCard() throws {
        let card = try ModelCard(json: #"{"name": "knee-pd", "anatomy": "knee", "data": "fastMRI", "licence": "MIT", "training_steps": 1200, "extra": [1]}"#)
        #expect(card.name == "knee-pd" && card.anatomy == "knee" && card.data == "fastMRI" && card.licence == "MIT")
        #expect(card.trainingSteps == 1200)
        #expect(card.fields["extra"] != nil)
        #expect(throws: NeuralPriorError.self) { try ModelCard(json: "nope") }
    }
}
