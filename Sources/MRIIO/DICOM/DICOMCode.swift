/// A coded concept (Code Sequence Macro, PS3.3 Table 8.8-1): value, coding scheme, meaning.
public struct DICOMCode: Sendable, Equatable {
    /// CodeValue (0008,0100).
    public var value: String
    /// CodingSchemeDesignator (0008,0102), e.g. "DCM", "SCT", "UCUM".
    public var scheme: String
    /// CodeMeaning (0008,0104).
    public var meaning: String

    /// Creates a code.
    public init(_ value: String, _ scheme: String, _ meaning: String) {
        (self.value, self.scheme, self.meaning) = (value, scheme, meaning)
    }

    /// (113049, DCM, "Mean"): a per-pixel mean (PS3.16 CID 7464).
    public static let mean = DICOMCode("113049", "DCM", "Mean")
    /// (113061, DCM, "Standard Deviation"): a per-pixel standard deviation (PS3.16 CID 7464).
    public static let standardDeviation = DICOMCode("113061", "DCM", "Standard Deviation")
    /// Variance (CID 7464 General Region of Interest Measurement Modifier).
    public static let variance = DICOMCode("C1711260", "UMLS", "Variance")
    /// (110852, DCM, "MR signal intensity"): the quantity of a classical (single-estimate) reconstruction.
    public static let mrSignalIntensity = DICOMCode("110852", "DCM", "MR signal intensity")
    /// (246205007, SCT, "Quantity"): the concept name of a QuantityDefinitionSequence item.
    public static let quantity = DICOMCode("246205007", "SCT", "Quantity")
    /// (1, UCUM, "no units"): dimensionless, arbitrary-unit intensities.
    public static let noUnits = DICOMCode("1", "UCUM", "no units")
    /// (72696002, SCT, "Knee").
    public static let knee = DICOMCode("72696002", "SCT", "Knee")
    /// (12738006, SCT, "Brain").
    public static let brain = DICOMCode("12738006", "SCT", "Brain")
    /// (38266002, SCT, "Entire body"): anatomy when nothing better is known.
    public static let entireBody = DICOMCode("38266002", "SCT", "Entire body")
    /// (113100, DCM, "Basic Application Confidentiality Profile"): PS3.15 E.1 applied (CID 7050).
    public static let basicConfidentialityProfile = DICOMCode("113100", "DCM", "Basic Application Confidentiality Profile")
}
