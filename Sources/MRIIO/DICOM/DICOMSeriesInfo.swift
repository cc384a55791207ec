/// The key attributes of a DICOM series read by `DICOMSeriesReader`: identity, study, series,
/// acquisition parameters, and per-slice provenance in the volume's (sorted) slice order.
///
/// Series-level values come from the first slice's file. Enhanced multi-frame objects keep some
/// MR parameters in functional groups; those are read from there when the top-level attribute
/// is absent (TR and flip angle from MR Timing and Related Parameters, TE from MR Echo).
/// Every value is nil when the file does not carry it.
public struct DICOMSeriesInfo: Sendable, Equatable {
    /// SOPClassUID (0008,0016), e.g. MR Image Storage 1.2.840.10008.5.1.4.1.1.4.
    public var sopClassUID: String?
    /// StudyInstanceUID (0020,000D), SeriesInstanceUID (0020,000E), FrameOfReferenceUID (0020,0052).
    public var studyInstanceUID: String?, seriesInstanceUID: String?, frameOfReferenceUID: String?
    /// PatientName (0010,0010) as stored ("Family^Given"), PatientID (0010,0020),
    /// PatientBirthDate (0010,0030, YYYYMMDD), PatientSex (0010,0040).
    public var patientName: String?, patientID: String?, patientBirthDate: String?, patientSex: String?
    /// StudyDate/StudyTime (0008,0020/0030), StudyDescription (0008,1030), StudyID (0020,0010),
    /// AccessionNumber (0008,0050), ReferringPhysicianName (0008,0090).
    public var studyDate: String?, studyTime: String?, studyDescription: String?, studyID: String?
    public var accessionNumber: String?, referringPhysicianName: String?
    /// SeriesDescription (0008,103E), ProtocolName (0018,1030), SeriesNumber (0020,0011).
    public var seriesDescription: String?, protocolName: String?, seriesNumber: Int?
    /// Modality (0008,0060), BodyPartExamined (0018,0015), Laterality (0020,0060), PatientPosition (0018,5100).
    public var modality: String?, bodyPartExamined: String?, laterality: String?, patientPosition: String?
    /// Manufacturer (0008,0070), ManufacturerModelName (0008,1090), InstitutionName (0008,0080).
    public var manufacturer: String?, modelName: String?, institutionName: String?
    /// MagneticFieldStrength (0018,0087) in tesla.
    public var magneticFieldStrength: Double?
    /// RepetitionTime, EchoTime, InversionTime (0018,0080/0081/0082) in ms; FlipAngle (0018,1314) in degrees.
    public var repetitionTime: Double?, echoTime: Double?, inversionTime: Double?, flipAngle: Double?
    /// ScanningSequence (0018,0020), e.g. "GR\IR"; MRAcquisitionType (0018,0023), "2D"/"3D".
    public var scanningSequence: String?, mrAcquisitionType: String?
    /// The distinct transfer syntax UIDs of the files read, in order of first appearance.
    public var transferSyntaxUIDs: [String] = []
    /// Per slice of the volume (sorted order): the file, the frame within it (0 for single-frame
    /// files), SOPInstanceUID and InstanceNumber.
    public var sourceFiles: [String] = [], frameIndices: [Int] = []
    public var sopInstanceUIDs: [String?] = [], instanceNumbers: [Int?] = []

    /// Empty information.
    public init() {}

    /// The Patient/Study/equipment identity in the form `DICOMWriter` takes, so that derived
    /// series can keep the source's identity (empty strings where the source has nothing).
    /// Equipment fields keep their mri-daps defaults: the writer describes the software that made the derived images.
    public var studyInfo: DICOMStudyInfo {
        var s = DICOMStudyInfo()
        s.patientName = patientName ?? ""
        s.patientID = patientID ?? ""
        s.patientBirthDate = patientBirthDate ?? ""
        s.patientSex = patientSex ?? ""
        s.studyDescription = studyDescription ?? ""
        s.studyID = studyID ?? "1"
        s.accessionNumber = accessionNumber ?? ""
        s.referringPhysicianName = referringPhysicianName ?? ""
        s.institutionName = institutionName ?? ""
        s.studyDate = studyDate ?? ""
        s.studyTime = studyTime ?? ""
        s.bodyPartExamined = bodyPartExamined ?? ""
        s.laterality = laterality
        if let p = patientPosition { s.patientPosition = p }
        s.magneticFieldStrength = magneticFieldStrength
        s.repetitionTime = repetitionTime
        s.echoTime = echoTime
        s.inversionTime = inversionTime
        s.flipAngle = flipAngle
        return s
    }
}
