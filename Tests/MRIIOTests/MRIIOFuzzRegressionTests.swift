import Foundation
import MRIIO
import Testing

/// Inputs on which scripts/fuzz.sh found a trap or crash in MRIIO, each answered now by a
/// one-line `MRIIOError` (the same bytes are in Tests/Fuzz/corpus/<target>/crash-*).
@Suite struct MRIIOFuzzRegressionTests {
    @Test("ISMRMRD header: an element name that is not UTF-8 is refused, not a trap in XMLParser")
    func nonUTF8ElementName() {
        // Tests/Fuzz/corpus/ismrmrd/crash-non-utf8-element-name.xml
        let bytes = Data([0x3C, 0xFF, 0x65, 0x00, 0x00])
        #expect(throws: MRIIOError.malformedHeader(file: "h.xml", reason: "not UTF-8 text")) {
            try ISMRMRDHeader(data: bytes, file: "h.xml")
        }
    }

    @Test("ISMRMRD header: a processing instruction without data is refused, not a crash in XMLParser")
    func processingInstructionWithoutData() {
        // Tests/Fuzz/corpus/ismrmrd/crash-processing-instruction-without-data.xml
        let reason = "processing instruction at byte 0 (only the <?xml …?> declaration is accepted)"
        #expect(throws: MRIIOError.malformedHeader(file: "h.xml", reason: reason)) {
            try ISMRMRDHeader(xml: "<?xmlsrmcod:0i?>", file: "h.xml")
        }
        let later = "<?xml version=\"1.0\"?><ismrmrdHeader><?pi?></ismrmrdHeader>"
        #expect(throws: MRIIOError.malformedHeader(file: "h.xml", reason: "processing instruction at byte 36 (only the <?xml …?> declaration is accepted)")) {
            try ISMRMRDHeader(xml: later, file: "h.xml")
        }
        // The XML declaration itself (with or without a byte order mark) is still accepted.
        let ok = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ismrmrdHeader xmlns=\"http://www.ismrm.org/ISMRMRD\"></ismrmrdHeader>"
        #expect(throws: Never.self) { try ISMRMRDHeader(xml: ok) }
        #expect(throws: Never.self) { try ISMRMRDHeader(data: Data([0xEF, 0xBB, 0xBF]) + Data(ok.utf8)) }
    }
}
