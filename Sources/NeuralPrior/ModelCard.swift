import Foundation

/// The free-form model card of a prior (`__metadata__.card`, docs/weight-format.md): the raw
/// JSON object is kept, with typed accessors for the fields the contract requires.
public struct ModelCard: @unchecked Sendable {
    /// The parsed JSON object (values as JSONSerialization returns them).
    public let fields: [String: Any]
    /// The JSON text the card was parsed from.
    public let json: String

    /// Parses a JSON object text.
    public init(json: String) throws {
        guard let d = json.data(using: .utf8), let obj = try? JSONSerialization.jsonObject(with: d) as? [String: Any]
        else { throw NeuralPriorError.invalidConfiguration(key: "card", problem: "not a JSON object") }
        self.fields = obj
        self.json = json
    }

    private func string(_ k: String) -> String? {
        if let s = fields[k] as? String { return s }
        if let n = fields[k] as? NSNumber { return n.stringValue }
        return nil
    }
    /// `name`.
    public var name: String? { string("name") }
    /// `anatomy` (e.g. "knee").
    public var anatomy: String? { string("anatomy") }
    /// `data`: the training data description.
    public var data: String? { string("data") }
    /// `licence`.
    public var licence: String? { string("licence") }
    /// `training_steps`.
    public var trainingSteps: Int? {
        if let n = fields["training_steps"] as? NSNumber { return n.intValue }
        if let s = fields["training_steps"] as? String { return Int(s) }
        return nil
    }
}
