import Foundation

/// The text header of one TWIX measurement: named sections (`Config`, `Dicom`, `Meas`,
/// `MeasYaps`, `Phoenix`, `Spice`) as stored at the measurement's start (uint32 header length,
/// uint32 section count, then per section a NUL-terminated name, a uint32 length and the text).
///
/// XProtocol sections hold parameters as `<ParamString."tPatientName">  { "…" }`,
/// `<ParamLong."lPatientSex">  { 2 }` or `<ParamDouble."X">  { <Precision> 6  2.89 }`, on one
/// line or several; `{ }` is unset. `MeasYaps` is ASCCONV text, `key = value` per line, where
/// keys equal to 0 are left out. Values are returned as text; no field is interpreted here.
public struct TWIXHeader: Sendable {
    /// Section name → text (a trailing NUL removed).
    public let sections: [String: String]

    /// Parses the sections in `bytes[offset ..< offset + length]`; empty when the header does
    /// not parse (a truncated or odd file keeps its k-space readable).
    init(bytes: Data, offset: Int, length: Int) {
        var found = [String: String]()
        let end = offset + length
        guard offset + 8 <= end, end <= bytes.count else { sections = [:]; return }
        let headerEnd = min(end, offset + Int(TWIXFile.u32(bytes, offset)))
        let count = Int(TWIXFile.u32(bytes, offset + 4))
        var p = offset + 8
        for _ in 0..<min(count, 64) {
            guard p < headerEnd, let nul = bytes[p..<min(headerEnd, p + 64)].firstIndex(of: 0) else { break }
            let name = String(decoding: bytes[p..<nul], as: UTF8.self)
            guard nul + 5 <= headerEnd else { break }
            let size = Int(TWIXFile.u32(bytes, nul + 1))
            let start = nul + 5
            guard start + size <= headerEnd else { break }
            var text = String(decoding: bytes[start..<(start + size)], as: UTF8.self)
            while text.hasSuffix("\0") { text.removeLast() }
            found[name] = text
            p = start + size
        }
        sections = found
    }

    /// The value of XProtocol parameter `name` in `section` (its first occurrence): quotes and
    /// `<Precision>`/`<Unit>`/… tags removed, whitespace trimmed; nil when absent or unset.
    public func parameter(_ name: String, in section: String) -> String? {
        guard let text = sections[section], let key = text.range(of: ".\"\(name)\">") else { return nil }
        guard let open = text[key.upperBound...].firstIndex(of: "{"),
              text[key.upperBound..<open].allSatisfy(\.isWhitespace),
              let close = text[open...].firstIndex(of: "}") else { return nil }
        var body = String(text[text.index(after: open)..<close])
        // Drop <Tag> value pairs such as <Precision> 6 or <Unit> "[mm]" before the value.
        while let tag = body.range(of: #"<[A-Za-z]+>\s*("[^"]*"|\S+)"#, options: .regularExpression) {
            body.removeSubrange(tag)
        }
        body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.hasPrefix("\""), let last = body.dropFirst().firstIndex(of: "\"") {
            body = String(body[body.index(after: body.startIndex)..<last])
        }
        return body.isEmpty ? nil : body
    }

    /// The value of ASCCONV key `key` (e.g. `sSliceArray.asSlice[0].dThickness`) in `MeasYaps`:
    /// quotes removed, hex numbers (0x…) converted to decimal; nil when the key is absent.
    public func yaps(_ key: String) -> String? {
        guard let text = sections["MeasYaps"] else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let rest = line.dropFirst(key.count)
            guard let eq = rest.firstIndex(of: "="), rest[..<eq].allSatisfy(\.isWhitespace) else { continue }
            var v = rest[rest.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if let hash = v.range(of: "#") { v = String(v[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces) }
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            if v.hasPrefix("0x"), let n = Int(v.dropFirst(2), radix: 16) { v = String(n) }
            return v
        }
        return nil
    }

    /// `yaps(key)` as a number (absent: `missing`, since ASCCONV leaves out keys equal to 0).
    public func yapsNumber(_ key: String, missing: Double? = 0) -> Double? {
        yaps(key).flatMap(Double.init) ?? missing
    }
}
