import Foundation
import MRIIO
import MRIPipeline
import NeuralPrior

/// Fuzz target `ismrmrd`: `ISMRMRDHeader(data:file:)` on the raw bytes (and `init(xml:)` when
/// they are UTF-8), then the derived phase-encode window and the XML written back and parsed again.
enum ISMRMRDTarget {
    static func run(_ data: Data) throws {
        let header = try ISMRMRDHeader(data: data, file: "fuzz.xml")
        _ = header.acquiredPhaseEncodeWindow
        if let text = String(data: data, encoding: .utf8) { _ = try ISMRMRDHeader(xml: text, file: "fuzz.xml") }
        _ = try ISMRMRDHeader(xml: header.xmlString(), file: "fuzz-rewritten.xml")
    }
}

/// Fuzz target `safetensors`: `SafetensorsFile(data:name:)`, every tensor converted to Float32,
/// and, when `__metadata__` says `format` = "mri-daps-edm-unet", `UNet(file:)` (configuration,
/// model card and strict weight loading; no forward pass).
enum SafetensorsTarget {
    static func run(_ data: Data) throws {
        let file = try SafetensorsFile(data: data, name: "fuzz.safetensors")
        _ = try file.allTensors()
        guard file.metadata["format"] != nil else { return }
        _ = try UNet(file: file)
    }
}

/// Fuzz target `protocol`: `ReconProtocol.decode(_:source:)` (JSON decoding with unknown-key
/// rejection, then `validate()`), and the canonical JSON of an accepted protocol decoded again.
enum ProtocolTarget {
    static func run(_ data: Data) throws {
        let p = try ReconProtocol.decode(data, source: "fuzz.json")
        _ = try ReconProtocol.decode(Data(p.jsonString().utf8), source: "fuzz-rewritten.json")
    }
}
