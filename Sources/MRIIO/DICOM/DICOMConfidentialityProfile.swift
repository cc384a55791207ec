/// The Basic Application Level Confidentiality Profile of DICOM PS3.15 Annex E: for every
/// attribute of Table E.1-1 the action the profile prescribes (X remove, Z empty or dummy,
/// D dummy, U new UID, and the combined codes that depend on what the IOD requires).
///
/// `DICOMWriter` applies it, through `decision(path:value:)`, to every attribute it writes when
/// the study's identity is removed (`mri-daps --anonymize`). Combined codes resolve as follows:
/// X/Z → Z; X/D, Z/D, X/Z/D → D for the attributes the written IODs require with a value
/// (`valueRequired`), else Z when the code allows it, else X; X/Z/U* → U. UIDs (U) are kept as
/// written because an anonymised export makes every UID new (the writer refuses source UIDs).
/// Dummies depend on the VR (DA 19000101, TM 000000, PN and text ANONYMIZED, numbers 0).
/// `pseudonyms` (PatientName, PatientID given explicitly) replace the Z/D of those attributes.
public struct DICOMConfidentialityProfile: Sendable {
    /// One row of Table E.1-1.
    public struct Entry: Sendable, Equatable {
        /// (gggg,eeee) as 8 upper-case hex digits; repeating groups with lower-case x (60xx4000).
        public var tag: String
        /// DICOM keyword ("" where the dictionary has none).
        public var keyword: String
        /// Value representation ("" when unknown or a repeating group).
        public var vr: String
        /// The Basic Profile action code as printed in the standard (X, Z, D, U, X/Z, X/D, Z/D, X/Z/D, X/Z/U*).
        public var action: String
    }

    /// What to write for one attribute.
    public enum Decision: Sendable, Equatable {
        /// Write this value.
        case write(String)
        /// Write the attribute with a zero-length value.
        case empty
        /// Do not write the attribute (nor anything inside it).
        case skip
    }

    /// Every row of the table.
    public let entries: [Entry]
    /// Attributes the written IODs need with a value (combined codes with D resolve to D).
    public var valueRequired: Set<String>
    /// Keyword → value written instead of the profile's zero/dummy (explicit pseudonyms).
    public var pseudonyms: [String: String]
    private let byName: [String: Entry]

    /// Table E.1-1 (edition 2026d), with the given value-required attributes and pseudonyms.
    public static func basic(valueRequired: Set<String> = [], pseudonyms: [String: String] = [:]) -> DICOMConfidentialityProfile {
        DICOMConfidentialityProfile(entries: parsedTable, valueRequired: valueRequired, pseudonyms: pseudonyms)
    }

    /// A profile over `entries`.
    public init(entries: [Entry], valueRequired: Set<String> = [], pseudonyms: [String: String] = [:]) {
        self.entries = entries
        self.valueRequired = valueRequired
        self.pseudonyms = pseudonyms
        var names = [String: Entry]()
        for e in entries {
            names[Self.tagKey(e.tag)] = e
            if !e.keyword.isEmpty { names[e.keyword] = e }
        }
        byName = names
    }

    private static let parsedTable: [Entry] = basicProfileTable.split(separator: "\n").dropFirst().compactMap { line in
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return f.count == 4 ? Entry(tag: f[0], keyword: f[1], vr: f[2], action: f[3]) : nil
    }

    /// "(gggg,eeee)" form of an 8-digit tag.
    static func tagKey(_ tag: String) -> String {
        let t = tag.uppercased()
        return "(\(t.prefix(4)),\(t.suffix(4)))"
    }

    /// The table row of a path component: a keyword, or a tag "(gggg,eeee)" (an item index
    /// such as "[0]" is ignored); repeating groups 50xx/60xx match by their group's first byte.
    public func entry(for component: Substring) -> Entry? {
        let name = component.split(separator: "[").first.map(String.init) ?? ""
        if let e = byName[name] ?? byName[name.uppercased()] { return e }
        guard name.count == 11, name.hasPrefix("(") else { return nil }
        let group = name.dropFirst().prefix(4).uppercased(), element = name.dropFirst(6).prefix(4).uppercased()
        if group.hasPrefix("50") { return byName["(50XX,XXXX)"] }
        if group.hasPrefix("60") { return byName["(60XX,\(element))"] }
        return nil
    }

    /// What the profile makes of setting `path` (components joined by ".", keywords or tags)
    /// to `value` (nil: an empty attribute). An attribute inside a removed or emptied sequence
    /// is skipped.
    public func decision(path: String, value: String?) -> Decision {
        let components = path.split(separator: ".")
        for parent in components.dropLast() {
            if let e = entry(for: parent), resolved(e) != .uid { return .skip }
        }
        guard let last = components.last, let e = entry(for: last) else { return value.map(Decision.write) ?? .empty }
        switch resolved(e) {
        case .remove: return .skip
        case .zero: return pseudonyms[e.keyword].map(Decision.write) ?? .empty
        case .dummy: return .write(pseudonyms[e.keyword] ?? Self.dummy(vr: e.vr))
        case .uid: return value.map(Decision.write) ?? .empty
        }
    }

    enum Resolved { case remove, zero, dummy, uid }

    /// The single action a code comes to for the attributes mri-daps writes (see the type).
    func resolved(_ e: Entry) -> Resolved {
        switch e.action {
        case "X": return .remove
        case "Z": return .zero
        case "D": return .dummy
        case "U", "X/Z/U*": return .uid
        case "X/Z": return .zero
        default:
            if valueRequired.contains(e.keyword) { return .dummy }
            return e.action.contains("Z") ? .zero : .remove
        }
    }

    /// A non-identifying value of the VR.
    static func dummy(vr: String) -> String {
        switch vr {
        case "DA": return "19000101"
        case "TM": return "000000"
        case "DT": return "19000101000000"
        case "AS": return "000Y"
        case "IS", "DS", "US", "UL", "SS", "SL", "FL", "FD", "UV", "SV": return "0"
        default: return "ANONYMIZED"
        }
    }
}
