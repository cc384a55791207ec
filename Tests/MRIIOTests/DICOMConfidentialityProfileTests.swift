import Foundation
import MRIIO
import Testing
import _TestSupport

/// The embedded PS3.15 Table E.1-1 and how its actions resolve for what mri-daps writes.
@Suite("DICOM confidentiality profile (PS3.15 E.1, Basic Profile)")
struct DICOMConfidentialityProfileTests {
    @Test("the embedded table equals Tests/Fixtures/dicom/ps3.15-basic-profile.csv (656 rows, the standard's per-action counts)")
    func tableMatchesFixture() throws {
        let csv = try String(contentsOf: Fixtures.url("dicom/ps3.15-basic-profile.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let entries = DICOMConfidentialityProfile.basic().entries
        #expect(entries.count == 656)
        #expect(entries.map { [$0.tag, $0.keyword, $0.vr, $0.action] } == rows)
        var counts = [String: Int]()
        for e in entries { counts[e.action, default: 0] += 1 }
        #expect(counts == ["X": 416, "D": 93, "U": 55, "Z": 42, "X/D": 23, "X/Z": 11, "X/Z/D": 8, "Z/D": 6, "X/Z/U*": 2])
    }

    @Test("decisions: X skipped, Z empty, D a dummy of the VR, U kept; combined codes by value-required; pseudonyms; inside removed sequences; repeating groups")
    func decisions() {
        let p = DICOMConfidentialityProfile.basic(valueRequired: ["ContentDate"], pseudonyms: ["PatientID": "SUBJ-01"])
        #expect(p.decision(path: "DerivationDescription", value: "from erika.h5") == .skip)             // X
        #expect(p.decision(path: "PatientName", value: "Doe^Jane") == .empty)                          // Z
        #expect(p.decision(path: "PatientID", value: "P-42") == .write("SUBJ-01"))                    // Z/D, pseudonym
        #expect(p.decision(path: "AttributeModificationDateTime", value: "20261130") == .write("19000101000000")) // D, DT
        #expect(p.decision(path: "AcquisitionDate", value: "20261130") == .empty)                     // X/Z
        #expect(p.decision(path: "StudyInstanceUID", value: "2.25.1") == .write("2.25.1"))            // U
        #expect(p.decision(path: "ContentDate", value: "20261205") == .write("19000101"))             // Z/D, type 1
        #expect(p.decision(path: "ContentTime", value: "101010") == .empty)                           // Z/D, not required
        #expect(p.decision(path: "SeriesDate", value: "20261205") == .skip)                           // X/D, not required
        #expect(p.decision(path: "InstitutionName", value: "Hospital") == .empty)                     // X/Z/D
        #expect(p.decision(path: "AcquisitionContextSequence", value: nil) == .empty)                 // X/Z
        #expect(p.decision(path: "OtherPatientIDsSequence[0].PatientID", value: "x") == .skip)       // inside X
        #expect(p.decision(path: "(6002,4000)", value: "overlay note") == .skip)                      // 60xx4000, X
        #expect(p.decision(path: "(0008,0080)", value: "Hospital") == .empty)                         // by tag
        #expect(p.decision(path: "RealWorldValueMappingSequence[0].LUTLabel", value: "MEAN") == .write("MEAN"))
        #expect(p.decision(path: "Rows", value: "32") == .write("32"))
    }
}
