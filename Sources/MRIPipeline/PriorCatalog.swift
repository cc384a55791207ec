import Foundation
import NeuralPrior

/// The priors `mri-daps` can use: the built-in ones (package resources under
/// `Resources/Priors/*.safetensors`) and any file given with `--prior PATH`, each described by
/// the configuration and model card in its safetensors metadata (docs/weight-format.md).
public enum PriorCatalog {
    /// One available prior.
    public struct Entry: Sendable {
        public var name: String
        public var path: String
        /// "built-in" or "file".
        public var source: String
        /// The configuration as canonical JSON.
        public var configJSON: String
        /// The model card as JSON (`{}` when absent).
        public var cardJSON: String
        public var parameters: Int
    }

    /// Built-in prior files shipped as resources (sorted by name).
    public static var builtInFiles: [URL] {
        guard let dir = Bundle.module.resourceURL?.appendingPathComponent("Priors"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(".safetensors") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// Describes a prior file (strictly loaded: a malformed file throws, naming it).
    public static func describe(_ url: URL, source: String) throws -> Entry {
        let net = try UNet(contentsOf: url)
        let params = UNet.parameterShapes(for: net.configuration).values.reduce(0) { $0 + $1.reduce(1, *) }
        return Entry(name: net.card?.name ?? url.deletingPathExtension().lastPathComponent, path: url.path,
                     source: source, configJSON: net.configuration.jsonString(), cardJSON: net.card?.json ?? "{}",
                     parameters: params)
    }

    /// All built-in priors plus `extra` files.
    public static func entries(extra: [URL] = []) throws -> [Entry] {
        try builtInFiles.map { try describe($0, source: "built-in") } + extra.map { try describe($0, source: "file") }
    }

    /// Human-readable listing.
    public static func text(_ entries: [Entry]) -> String {
        if entries.isEmpty {
            return "no priors: none are built in yet (issue 4 ships the knee and brain priors); pass --prior PATH to describe a file"
        }
        return entries.map { e in
            "\(e.name) (\(e.source), \(e.parameters) parameters)\n  path: \(e.path)\n  config: \(e.configJSON)\n  card: \(e.cardJSON)"
        }.joined(separator: "\n")
    }

    /// JSON list of objects with `name`, `path`, `source`, `parameters`, `config`, `card`.
    public static func json(_ entries: [Entry]) throws -> String {
        let list: [[String: Any]] = try entries.map { e in
            [
                "name": e.name, "path": e.path, "source": e.source, "parameters": e.parameters,
                "config": try JSONSerialization.jsonObject(with: Data(e.configJSON.utf8)),
                "card": try JSONSerialization.jsonObject(with: Data(e.cardJSON.utf8)),
            ]
        }
        let d = try JSONSerialization.data(withJSONObject: list, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: d, as: UTF8.self)
    }
}
