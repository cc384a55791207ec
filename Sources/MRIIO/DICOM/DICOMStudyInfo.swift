import Foundation

/// Who and what a written study is about: the Patient, General Study and equipment attributes
/// shared by every series of one export. Empty strings are written as empty (type 2) values.
public struct DICOMStudyInfo: Sendable, Equatable {
    /// PatientName (0010,0010), PN: "Family^Given".
    public var patientName = ""
    /// PatientID (0010,0020).
    public var patientID = ""
    /// PatientBirthDate (0010,0030), DA YYYYMMDD or "".
    public var patientBirthDate = ""
    /// PatientSex (0010,0040): "M", "F", "O" or "".
    public var patientSex = ""
    /// StudyDescription (0008,1030).
    public var studyDescription = ""
    /// StudyID (0020,0010); "1" by default (not identifying; DICOMDIR builders want a value).
    public var studyID = "1"
    /// AccessionNumber (0008,0050).
    public var accessionNumber = ""
    /// ReferringPhysicianName (0008,0090).
    public var referringPhysicianName = ""
    /// InstitutionName (0008,0080) ("" = omitted).
    public var institutionName = ""
    /// StudyDate/StudyTime (0008,0020/0030) as DA/TM; "" = the content date/time.
    public var studyDate = "", studyTime = ""
    /// BodyPartExamined (0018,0015), e.g. "KNEE" ("" = omitted).
    public var bodyPartExamined = ""
    /// Laterality (0020,0060) of MR images: nil = omitted; "" = unknown (type 2C, required for
    /// paired body parts such as the knee); "R" or "L".
    public var laterality: String?
    /// Anatomy of the frames (Parametric Map Frame Anatomy; SCT code).
    public var anatomy = DICOMCode.entireBody
    /// PatientPosition (0018,5100), e.g. "HFS", "FFS".
    public var patientPosition = "HFS"
    /// Manufacturer / ManufacturerModelName / SoftwareVersions (0008,0070 / 0008,1090 / 0018,1020)
    /// of the equipment that made the derived images (this software).
    public var manufacturer = "mri-daps", modelName = "mri-daps", softwareVersions = "0.1.0"
    /// DeviceSerialNumber (0018,1000); type 1 in the Enhanced General Equipment module.
    public var deviceSerialNumber = "0"
    /// MagneticFieldStrength (0018,0087) in tesla, when known.
    public var magneticFieldStrength: Double?
    /// RepetitionTime / EchoTime / InversionTime (ms) and FlipAngle (degrees), when known.
    public var repetitionTime: Double?, echoTime: Double?, inversionTime: Double?, flipAngle: Double?
    /// ScanningSequence (0018,0020): SE, IR, GR, EP or RM (research mode, the default when unknown).
    public var scanningSequence = "RM"
    /// When true the writer also sets PatientIdentityRemoved = YES and DeidentificationMethod.
    public var identityRemoved = false
    /// DeidentificationMethod (0012,0063), written when `identityRemoved`.
    public var deidentificationMethod = ""

    /// Empty identity; every field has a documented default.
    public init() {}

    /// This identity with identifying attributes removed: patient, study and institution fields
    /// emptied, `identityRemoved` set. `DICOMWriter` then applies the whole PS3.15 Basic
    /// Application Level Confidentiality Profile to every attribute it writes
    /// (`DICOMConfidentialityProfile`); a PatientName or PatientID set afterwards is written as a
    /// pseudonym.
    public func anonymized() -> DICOMStudyInfo {
        var a = self
        a.patientName = ""
        a.patientID = ""
        a.patientBirthDate = ""
        a.patientSex = ""
        a.accessionNumber = ""
        a.referringPhysicianName = ""
        a.institutionName = ""
        a.studyDescription = ""
        a.studyID = ""
        a.studyDate = ""
        a.studyTime = ""
        a.identityRemoved = true
        a.deidentificationMethod = "PS3.15 Basic Application Confidentiality Profile (mri-daps)"
        return a
    }
}
