import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The parts of an ISMRMRD XML header (namespace `http://www.ismrm.org/ISMRMRD`, ISMRMRD
/// schema v1) that mri-daps uses: encoded/recon matrix and field of view, the phase-encode
/// limits that locate the acquired k-space columns, and the measurement, system, subject,
/// study and sequence information needed for DICOM output. Every field is optional; a field
/// absent from the XML is `nil` (or an empty list). Only the first `<encoding>` is read.
///
/// fastMRI stores this XML in each file's `ismrmrd_header` dataset (`mri_data.py` reads
/// `encoding/encodedSpace/matrixSize`, `encoding/reconSpace/matrixSize` and
/// `encodingLimits/kspace_encoding_step_1`).
public struct ISMRMRDHeader: Sendable, Equatable {
    /// The ISMRMRD XML namespace.
    public static let namespace = "http://www.ismrm.org/ISMRMRD"

    /// Matrix size in samples (x = readout, y = phase encode 1, z = phase encode 2).
    public struct MatrixSize: Sendable, Equatable {
        public var x: Int, y: Int, z: Int
        /// Creates a matrix size.
        public init(x: Int, y: Int, z: Int = 1) { (self.x, self.y, self.z) = (x, y, z) }
    }

    /// Field of view in millimetres.
    public struct FieldOfView: Sendable, Equatable {
        public var x: Double, y: Double, z: Double
        /// Creates a field of view (mm).
        public init(x: Double, y: Double, z: Double) { (self.x, self.y, self.z) = (x, y, z) }
    }

    /// An encoding space: `<matrixSize>` and `<fieldOfView_mm>`.
    public struct EncodingSpace: Sendable, Equatable {
        public var matrixSize: MatrixSize?
        public var fieldOfView: FieldOfView?
        /// Creates an encoding space.
        public init(matrixSize: MatrixSize? = nil, fieldOfView: FieldOfView? = nil) {
            self.matrixSize = matrixSize
            self.fieldOfView = fieldOfView
        }
    }

    /// An encoding counter limit `{minimum, maximum, center}`.
    public struct Limit: Sendable, Equatable {
        public var minimum: Int, maximum: Int, center: Int
        /// Creates a limit.
        public init(minimum: Int, maximum: Int, center: Int) {
            (self.minimum, self.maximum, self.center) = (minimum, maximum, center)
        }
    }

    /// `<measurementInformation>`.
    public struct MeasurementInformation: Sendable, Equatable {
        public var measurementID: String?
        public var seriesDate: String?
        public var seriesTime: String?
        /// e.g. "HFS", "FFS" (required by the schema when this element is present).
        public var patientPosition: String?
        public var initialSeriesNumber: Int?
        public var protocolName: String?
        public var seriesDescription: String?
        public var seriesInstanceUIDRoot: String?
        public var frameOfReferenceUID: String?
        /// Creates empty information.
        public init() {}
    }

    /// `<acquisitionSystemInformation>`.
    public struct AcquisitionSystemInformation: Sendable, Equatable {
        public var systemVendor: String?
        public var systemModel: String?
        /// Main field strength in tesla (`systemFieldStrength_T`).
        public var systemFieldStrengthT: Double?
        public var relativeReceiverNoiseBandwidth: Double?
        public var receiverChannels: Int?
        public var institutionName: String?
        public var stationName: String?
        public var deviceID: String?
        /// Creates empty information.
        public init() {}
    }

    /// `<subjectInformation>`.
    public struct SubjectInformation: Sendable, Equatable {
        public var patientName: String?
        public var patientWeightKg: Double?
        public var patientID: String?
        public var patientBirthdate: String?
        public var patientGender: String?
        /// Creates empty information.
        public init() {}
    }

    /// `<studyInformation>`.
    public struct StudyInformation: Sendable, Equatable {
        public var studyDate: String?
        public var studyTime: String?
        public var studyID: String?
        public var accessionNumber: Int?
        public var referringPhysicianName: String?
        public var studyDescription: String?
        public var studyInstanceUID: String?
        /// Creates empty information.
        public init() {}
    }

    /// `<sequenceParameters>`: each timing may be repeated; times in milliseconds.
    public struct SequenceParameters: Sendable, Equatable {
        /// Repetition times TR (ms).
        public var repetitionTimes: [Double] = []
        /// Echo times TE (ms).
        public var echoTimes: [Double] = []
        /// Inversion times TI (ms).
        public var inversionTimes: [Double] = []
        /// Flip angles (degrees).
        public var flipAnglesDeg: [Double] = []
        /// e.g. "TurboSpinEcho".
        public var sequenceType: String?
        /// Echo spacings (ms).
        public var echoSpacings: [Double] = []
        /// Creates empty parameters.
        public init() {}

        /// First TR (ms).
        public var tr: Double? { repetitionTimes.first }
        /// First TE (ms).
        public var te: Double? { echoTimes.first }
        /// First TI (ms).
        public var ti: Double? { inversionTimes.first }
        /// First flip angle (degrees).
        public var flipAngleDeg: Double? { flipAnglesDeg.first }
    }

    public var subject = SubjectInformation()
    public var study = StudyInformation()
    public var measurement = MeasurementInformation()
    public var acquisitionSystem = AcquisitionSystemInformation()
    /// `experimentalConditions/H1resonanceFrequency_Hz` (schema-required).
    public var h1ResonanceFrequencyHz: Int?
    /// `encoding/encodedSpace`.
    public var encodedSpace: EncodingSpace?
    /// `encoding/reconSpace`.
    public var reconSpace: EncodingSpace?
    /// `encoding/encodingLimits/kspace_encoding_step_1`.
    public var kspaceEncodingStep1: Limit?
    /// `encoding/encodingLimits/kspace_encoding_step_2`.
    public var kspaceEncodingStep2: Limit?
    /// `encoding/encodingLimits/slice`.
    public var sliceLimit: Limit?
    /// `encoding/trajectory` (e.g. "cartesian").
    public var trajectory: String?
    public var sequence = SequenceParameters()

    /// An empty header (all fields nil).
    public init() {}

    /// The acquired phase-encode column window, as fastMRI's `mri_data.py` computes it:
    /// `padding_left = enc_y // 2 − center`, `padding_right = padding_left + maximum + 1`
    /// (`enc_y` = `encodedSpace.matrixSize.y`, limits from `kspace_encoding_step_1`).
    /// Columns outside `padding_left ..< padding_right` are zero padding. `nil` when a field is
    /// missing or the window does not fit in `Int` (only possible for values set in code: parsed
    /// sizes and limits are 0…65535).
    public var acquiredPhaseEncodeWindow: Range<Int>? {
        guard let y = encodedSpace?.matrixSize?.y, let lim = kspaceEncodingStep1 else { return nil }
        let (left, o1) = (y >> 1).subtractingReportingOverflow(lim.center)
        let (last, o2) = left.addingReportingOverflow(lim.maximum)
        let (right, o3) = last.addingReportingOverflow(1)
        guard !o1, !o2, !o3 else { return nil }
        return right >= left ? left..<right : nil
    }

    /// A schema-complete minimal header for simulated data: Cartesian encoding with the given
    /// matrices and fields of view, all phase-encode lines `0 ... enc.y − 1` with centre
    /// `enc.y / 2`, and `H1resonanceFrequency_Hz` for `fieldStrengthT` (42.577478 MHz/T).
    public static func minimal(
        encodedMatrix: MatrixSize, encodedFOV: FieldOfView,
        reconMatrix: MatrixSize, reconFOV: FieldOfView, fieldStrengthT: Double = 3.0
    ) -> ISMRMRDHeader {
        var h = ISMRMRDHeader()
        h.h1ResonanceFrequencyHz = Int((42_577_478 * fieldStrengthT).rounded())
        h.acquisitionSystem.systemFieldStrengthT = fieldStrengthT
        h.encodedSpace = EncodingSpace(matrixSize: encodedMatrix, fieldOfView: encodedFOV)
        h.reconSpace = EncodingSpace(matrixSize: reconMatrix, fieldOfView: reconFOV)
        h.kspaceEncodingStep1 = Limit(minimum: 0, maximum: encodedMatrix.y - 1, center: encodedMatrix.y / 2)
        h.trajectory = "cartesian"
        return h
    }

    // MARK: - Parsing

    /// Byte offset of the first `<?` that is not the XML declaration at the very start (after an
    /// optional UTF-8 byte order mark), or nil.
    static func processingInstructionOffset(_ data: Data) -> Int? {
        let bytes = [UInt8](data)
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let declaration = Array("<?xml".utf8)
        var i = start
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "<") && bytes[i + 1] == UInt8(ascii: "?") {
                let isDeclaration = i == start && bytes[i...].starts(with: declaration)
                    && i + 5 < bytes.count && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i + 5])
                if !isDeclaration { return i }
            }
            i += 1
        }
        return nil
    }

    /// Parses ISMRMRD XML. `file` names the source in errors.
    /// - Throws: `MRIIOError.malformedHeader` for unparsable XML, a root other than
    ///   `ismrmrdHeader`, a foreign namespace, a non-numeric value in a numeric field, or a
    ///   matrix size or encoding limit outside the schema's `unsignedShort` range 0…65535.
    public init(xml: String, file: String = "ismrmrd_header") throws {
        try self.init(data: Data(xml.utf8), file: file)
    }

    /// Parses ISMRMRD XML bytes. `file` names the source in errors.
    /// - Throws: as `init(xml:file:)`; also `.malformedHeader` for bytes that are not UTF-8 and
    ///   for processing instructions (`<?target …?>`) other than the leading XML declaration:
    ///   Foundation's XMLParser on Linux traps on element names that are not UTF-8 (`<\u{FF}e`)
    ///   and crashes on a processing instruction without data (`<?x?>`); ISMRMRD uses neither.
    public init(data: Data, file: String = "ismrmrd_header") throws {
        guard String(data: data, encoding: .utf8) != nil else {
            throw MRIIOError.malformedHeader(file: file, reason: "not UTF-8 text")
        }
        if let offset = Self.processingInstructionOffset(data) {
            throw MRIIOError.malformedHeader(file: file, reason: "processing instruction at byte \(offset) (only the <?xml …?> declaration is accepted)")
        }
        let builder = XMLTreeBuilder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        guard parser.parse(), builder.isComplete, let root = builder.root else {
            let reason = parser.parserError.map { "invalid XML (\($0.localizedDescription))" } ?? "invalid XML"
            throw MRIIOError.malformedHeader(file: file, reason: reason)
        }
        guard root.name == "ismrmrdHeader" else {
            throw MRIIOError.malformedHeader(file: file, reason: "root element is <\(root.name)>, expected <ismrmrdHeader>")
        }
        if let ns = root.namespace, ns != Self.namespace {
            throw MRIIOError.malformedHeader(file: file, reason: "namespace \(ns), expected \(Self.namespace)")
        }
        let r = FieldReader(file: file)
        self.init()

        if let s = root.child("subjectInformation") {
            subject.patientName = s.text("patientName")
            subject.patientWeightKg = try r.double(s, "patientWeight_kg")
            subject.patientID = s.text("patientID")
            subject.patientBirthdate = s.text("patientBirthdate")
            subject.patientGender = s.text("patientGender")
        }
        if let s = root.child("studyInformation") {
            study.studyDate = s.text("studyDate")
            study.studyTime = s.text("studyTime")
            study.studyID = s.text("studyID")
            study.accessionNumber = try r.int(s, "accessionNumber")
            study.referringPhysicianName = s.text("referringPhysicianName")
            study.studyDescription = s.text("studyDescription")
            study.studyInstanceUID = s.text("studyInstanceUID")
        }
        if let m = root.child("measurementInformation") {
            measurement.measurementID = m.text("measurementID")
            measurement.seriesDate = m.text("seriesDate")
            measurement.seriesTime = m.text("seriesTime")
            measurement.patientPosition = m.text("patientPosition")
            measurement.initialSeriesNumber = try r.int(m, "initialSeriesNumber")
            measurement.protocolName = m.text("protocolName")
            measurement.seriesDescription = m.text("seriesDescription")
            measurement.seriesInstanceUIDRoot = m.text("seriesInstanceUIDRoot")
            measurement.frameOfReferenceUID = m.text("frameOfReferenceUID")
        }
        if let a = root.child("acquisitionSystemInformation") {
            acquisitionSystem.systemVendor = a.text("systemVendor")
            acquisitionSystem.systemModel = a.text("systemModel")
            acquisitionSystem.systemFieldStrengthT = try r.double(a, "systemFieldStrength_T")
            acquisitionSystem.relativeReceiverNoiseBandwidth = try r.double(a, "relativeReceiverNoiseBandwidth")
            acquisitionSystem.receiverChannels = try r.int(a, "receiverChannels")
            acquisitionSystem.institutionName = a.text("institutionName")
            acquisitionSystem.stationName = a.text("stationName")
            acquisitionSystem.deviceID = a.text("deviceID")
        }
        if let e = root.child("experimentalConditions") {
            h1ResonanceFrequencyHz = try r.int(e, "H1resonanceFrequency_Hz")
        }
        if let enc = root.child("encoding") {
            encodedSpace = try r.space(enc.child("encodedSpace"))
            reconSpace = try r.space(enc.child("reconSpace"))
            if let lim = enc.child("encodingLimits") {
                kspaceEncodingStep1 = try r.limit(lim.child("kspace_encoding_step_1"))
                kspaceEncodingStep2 = try r.limit(lim.child("kspace_encoding_step_2"))
                sliceLimit = try r.limit(lim.child("slice"))
            }
            trajectory = enc.text("trajectory")
        }
        if let q = root.child("sequenceParameters") {
            sequence.repetitionTimes = try r.doubles(q, "TR")
            sequence.echoTimes = try r.doubles(q, "TE")
            sequence.inversionTimes = try r.doubles(q, "TI")
            sequence.flipAnglesDeg = try r.doubles(q, "flipAngle_deg")
            sequence.sequenceType = q.text("sequence_type")
            sequence.echoSpacings = try r.doubles(q, "echo_spacing")
        }
    }

    // MARK: - Writing

    /// Serialises the header as ISMRMRD XML (schema element order; absent fields omitted;
    /// `<encoding>` and its `<trajectory>` are always written, "cartesian" by default).
    /// `try ISMRMRDHeader(xml: h.xmlString()) == h` for any header whose strings are trimmed.
    public func xmlString() -> String {
        var w = XMLWriter()
        w.open("ismrmrdHeader", attributes: "xmlns=\"\(Self.namespace)\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"")
        if subject != SubjectInformation() {
            w.open("subjectInformation")
            w.leaf("patientName", subject.patientName)
            w.leaf("patientWeight_kg", subject.patientWeightKg)
            w.leaf("patientID", subject.patientID)
            w.leaf("patientBirthdate", subject.patientBirthdate)
            w.leaf("patientGender", subject.patientGender)
            w.close("subjectInformation")
        }
        if study != StudyInformation() {
            w.open("studyInformation")
            w.leaf("studyDate", study.studyDate)
            w.leaf("studyTime", study.studyTime)
            w.leaf("studyID", study.studyID)
            w.leaf("accessionNumber", study.accessionNumber)
            w.leaf("referringPhysicianName", study.referringPhysicianName)
            w.leaf("studyDescription", study.studyDescription)
            w.leaf("studyInstanceUID", study.studyInstanceUID)
            w.close("studyInformation")
        }
        if measurement != MeasurementInformation() {
            w.open("measurementInformation")
            w.leaf("measurementID", measurement.measurementID)
            w.leaf("seriesDate", measurement.seriesDate)
            w.leaf("seriesTime", measurement.seriesTime)
            w.leaf("patientPosition", measurement.patientPosition)
            w.leaf("initialSeriesNumber", measurement.initialSeriesNumber)
            w.leaf("protocolName", measurement.protocolName)
            w.leaf("seriesDescription", measurement.seriesDescription)
            w.leaf("seriesInstanceUIDRoot", measurement.seriesInstanceUIDRoot)
            w.leaf("frameOfReferenceUID", measurement.frameOfReferenceUID)
            w.close("measurementInformation")
        }
        if acquisitionSystem != AcquisitionSystemInformation() {
            let a = acquisitionSystem
            w.open("acquisitionSystemInformation")
            w.leaf("systemVendor", a.systemVendor)
            w.leaf("systemModel", a.systemModel)
            w.leaf("systemFieldStrength_T", a.systemFieldStrengthT)
            w.leaf("relativeReceiverNoiseBandwidth", a.relativeReceiverNoiseBandwidth)
            w.leaf("receiverChannels", a.receiverChannels)
            w.leaf("institutionName", a.institutionName)
            w.leaf("stationName", a.stationName)
            w.leaf("deviceID", a.deviceID)
            w.close("acquisitionSystemInformation")
        }
        if let h1 = h1ResonanceFrequencyHz {
            w.open("experimentalConditions")
            w.leaf("H1resonanceFrequency_Hz", h1)
            w.close("experimentalConditions")
        }
        w.open("encoding")
        for (name, space) in [("encodedSpace", encodedSpace), ("reconSpace", reconSpace)] {
            guard let space else { continue }
            w.open(name)
            if let m = space.matrixSize {
                w.open("matrixSize")
                w.leaf("x", m.x)
                w.leaf("y", m.y)
                w.leaf("z", m.z)
                w.close("matrixSize")
            }
            if let f = space.fieldOfView {
                w.open("fieldOfView_mm")
                w.leaf("x", f.x)
                w.leaf("y", f.y)
                w.leaf("z", f.z)
                w.close("fieldOfView_mm")
            }
            w.close(name)
        }
        let limits = [("kspace_encoding_step_1", kspaceEncodingStep1), ("kspace_encoding_step_2", kspaceEncodingStep2), ("slice", sliceLimit)]
        if limits.contains(where: { $0.1 != nil }) {
            w.open("encodingLimits")
            for (name, limit) in limits {
                guard let limit else { continue }
                w.open(name)
                w.leaf("minimum", limit.minimum)
                w.leaf("maximum", limit.maximum)
                w.leaf("center", limit.center)
                w.close(name)
            }
            w.close("encodingLimits")
        }
        w.leaf("trajectory", trajectory ?? "cartesian")
        w.close("encoding")
        if sequence != SequenceParameters() {
            w.open("sequenceParameters")
            for v in sequence.repetitionTimes { w.leaf("TR", v) }
            for v in sequence.echoTimes { w.leaf("TE", v) }
            for v in sequence.inversionTimes { w.leaf("TI", v) }
            for v in sequence.flipAnglesDeg { w.leaf("flipAngle_deg", v) }
            w.leaf("sequence_type", sequence.sequenceType)
            for v in sequence.echoSpacings { w.leaf("echo_spacing", v) }
            w.close("sequenceParameters")
        }
        w.close("ismrmrdHeader")
        return w.text
    }
}

// MARK: - Private XML plumbing

/// A parsed element: local name, namespace declaration (root only), children and text.
private final class XMLNode {
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
private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
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
private struct FieldReader {
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

/// Indented XML text output with escaping.
private struct XMLWriter {
    var text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    private var depth = 0

    mutating func open(_ name: String, attributes: String = "") {
        text += String(repeating: "  ", count: depth) + "<\(name)\(attributes.isEmpty ? "" : " " + attributes)>\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        text += String(repeating: "  ", count: depth) + "</\(name)>\n"
    }

    mutating func leaf(_ name: String, _ value: String?) {
        guard let value else { return }
        text += String(repeating: "  ", count: depth) + "<\(name)>\(Self.escape(value))</\(name)>\n"
    }

    mutating func leaf(_ name: String, _ value: Int?) { leaf(name, value.map { String($0) }) }

    mutating func leaf(_ name: String, _ value: Double?) {
        guard let value else { return }
        // Integral values print without a fraction ("140"), others with Swift's shortest round-trip form.
        let s = value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        leaf(name, s)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
