import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

// MARK: - Private XML plumbing

/// A parsed element: local name, namespace declaration (root only), children and text.
final class XMLNode {
    let name: String
    var namespace: String?
    var children: [XMLNode] = []
    var content = ""

    init(name: String) { self.name = name }

    func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
    func text(_ name: String) -> String? {
        guard let c = child(name) else { return nil }
        return c.content.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Builds an `XMLNode` tree from `XMLParser` events; element prefixes are stripped.
final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    var root: XMLNode?
    private var stack: [XMLNode] = []

    /// True when a root element was seen and every element was closed (Linux's XMLParser
    /// accepts a document truncated inside an element).
    var isComplete: Bool { root != nil && stack.isEmpty }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        let node = XMLNode(name: local)
        if stack.isEmpty {
            node.namespace = attributeDict["xmlns"]
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
        }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.content += string
    }
}

/// Typed field access that reports bad numbers as `MRIIOError.malformedHeader`.
struct FieldReader {
    let file: String

    func int(_ node: XMLNode, _ name: String) throws -> Int? {
        guard let t = node.text(name) else { return nil }
        if let v = Int(t) { return v }
        if let d = Double(t), d.rounded() == d, abs(d) < 1e15 { return Int(d) }
        throw MRIIOError.malformedHeader(file: file, reason: "<\(name)> is '\(t)', expected an integer")
    }

    /// An `xs:unsignedShort` of the schema (matrix sizes, encoding limits): 0…65535. Bounding
    /// them keeps the arithmetic on them (e.g. `acquiredPhaseEncodeWindow`) from overflowing.
    func unsignedShort(_ node: XMLNode, _ name: String) throws -> Int? {
        guard let v = try int(node, name) else { return nil }
        guard (0...65535).contains(v) else {
            throw MRIIOError.malformedHeader(file: file, reason: "<\(name)> is \(v), expected an integer in 0…65535")
        }
        return v
    }

    func double(_ node: XMLNode, _ name: String) throws -> Double? {
        guard let t = node.text(name) else { return nil }
        guard let v = Double(t) else {
            throw MRIIOError.malformedHeader(file: file, reason: "<\(name)> is '\(t)', expected a number")
        }
        return v
    }

    func doubles(_ node: XMLNode, _ name: String) throws -> [Double] {
        try node.all(name).map { c in
            let t = c.content.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let v = Double(t) else {
                throw MRIIOError.malformedHeader(file: file, reason: "<\(name)> is '\(t)', expected a number")
            }
            return v
        }
    }

    func space(_ node: XMLNode?) throws -> ISMRMRDHeader.EncodingSpace? {
        guard let node else { return nil }
        var s = ISMRMRDHeader.EncodingSpace()
        if let m = node.child("matrixSize") {
            guard let x = try unsignedShort(m, "x"), let y = try unsignedShort(m, "y") else {
                throw MRIIOError.malformedHeader(file: file, reason: "<\(node.name)><matrixSize> lacks x or y")
            }
            s.matrixSize = .init(x: x, y: y, z: try unsignedShort(m, "z") ?? 1)
        }
        if let f = node.child("fieldOfView_mm") {
            guard let x = try double(f, "x"), let y = try double(f, "y") else {
                throw MRIIOError.malformedHeader(file: file, reason: "<\(node.name)><fieldOfView_mm> lacks x or y")
            }
            s.fieldOfView = .init(x: x, y: y, z: try double(f, "z") ?? 0)
        }
        return s
    }

    func limit(_ node: XMLNode?) throws -> ISMRMRDHeader.Limit? {
        guard let node else { return nil }
        guard let mn = try unsignedShort(node, "minimum"), let mx = try unsignedShort(node, "maximum"),
            let c = try unsignedShort(node, "center")
        else {
            throw MRIIOError.malformedHeader(file: file, reason: "<\(node.name)> lacks minimum, maximum or center")
        }
        return .init(minimum: mn, maximum: mx, center: c)
    }
}
