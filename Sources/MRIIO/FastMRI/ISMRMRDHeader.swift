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
    /// `enc.y / 2`, and `H1resonanceFrequency_Hz` for `fieldStrengthT` (42.577478 MHz/T; both
    /// left out when the field strength is not a positive number whose frequency fits an `Int`,
    /// e.g. a corrupt DICOM MagneticFieldStrength).
    public static func minimal(
        encodedMatrix: MatrixSize, encodedFOV: FieldOfView,
        reconMatrix: MatrixSize, reconFOV: FieldOfView, fieldStrengthT: Double = 3.0
    ) -> ISMRMRDHeader {
        var h = ISMRMRDHeader()
        if fieldStrengthT > 0, let hz = Int(exactly: (42_577_478 * fieldStrengthT).rounded()) {
            h.h1ResonanceFrequencyHz = hz
            h.acquisitionSystem.systemFieldStrengthT = fieldStrengthT
        }
        h.encodedSpace = EncodingSpace(matrixSize: encodedMatrix, fieldOfView: encodedFOV)
        h.reconSpace = EncodingSpace(matrixSize: reconMatrix, fieldOfView: reconFOV)
        h.kspaceEncodingStep1 = Limit(minimum: 0, maximum: max(encodedMatrix.y, 1) - 1, center: max(encodedMatrix.y, 0) / 2)
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
}
