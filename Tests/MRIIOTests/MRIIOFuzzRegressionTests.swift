import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

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

    @Test("fastMRI file: num_low_frequency NaN, ±∞, 1e30, 2⁶³ or −1 is refused, not an Int conversion trap",
          arguments: [Double.nan, .infinity, -.infinity, 1e30, 9.223372036854775807e18, -1, 2.5])
    func numLowFrequencyNotAWholeNumber(_ value: Double) throws {
        // Tests/Fuzz/corpus/fastmri/crash-num-low-frequency-not-finite (a recipe of FastMRIStructuredTarget).
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("nlf.h5")
        try FastMRIWriter.write(
            kspace: ComplexArray(zeros: [1, 1, 4, 4]), to: url, layout: .kspaceOnly,
            attributes: FastMRIAttributes(extra: ["num_low_frequency": .real(value)]))
        #expect(throws: MRIIOError.badValue(
            file: url.path, name: "num_low_frequency", reason: "is \(value), expected an integer in 0…4 (the k-space width)")) {
            try FastMRIFile(contentsOf: url)
        }
    }

    @Test("fastMRI file: an integer num_low_frequency of Int64.max is refused too")
    func numLowFrequencyHugeInteger() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("nlf.h5")
        try FastMRIWriter.write(
            kspace: ComplexArray(zeros: [1, 1, 4, 4]), to: url, layout: .kspaceOnly,
            attributes: FastMRIAttributes(extra: ["num_low_frequency": .integer(.max)]))
        #expect(throws: MRIIOError.self) { try FastMRIFile(contentsOf: url) }
        let ok = dir.appendingPathComponent("ok.h5")
        try FastMRIWriter.write(
            kspace: ComplexArray(zeros: [1, 1, 4, 4]), to: ok, layout: .kspaceOnly, attributes: FastMRIAttributes(numLowFrequencies: 3))
        #expect(try FastMRIFile(contentsOf: ok).info.numLowFrequencies == 3)
    }
}

/// The phase-encode window arithmetic on ISMRMRD sizes and limits (found by the `fastmri` target).
@Suite struct ISMRMRDWindowFuzzRegressionTests {
    @Test("a limit or matrix size outside the schema's 0…65535 is refused, not an overflow trap later")
    func limitOutOfRange() throws {
        // Tests/Fuzz/corpus/fastmri/crash-phase-encode-window-overflow (a recipe of FastMRIStructuredTarget).
        func xml(_ y: String, _ maximum: String) -> String {
            """
            <ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD"><encoding>
            <encodedSpace><matrixSize><x>8</x><y>\(y)</y></matrixSize></encodedSpace>
            <encodingLimits><kspace_encoding_step_1><minimum>0</minimum><maximum>\(maximum)</maximum><center>3</center></kspace_encoding_step_1></encodingLimits>
            </encoding></ismrmrdHeader>
            """
        }
        #expect(throws: MRIIOError.malformedHeader(file: "h.xml", reason: "<maximum> is 9223372036854775807, expected an integer in 0…65535")) {
            try ISMRMRDHeader(xml: xml("8", "9223372036854775807"), file: "h.xml")
        }
        #expect(throws: MRIIOError.malformedHeader(file: "h.xml", reason: "<y> is -4, expected an integer in 0…65535")) {
            try ISMRMRDHeader(xml: xml("-4", "5"), file: "h.xml")
        }
        #expect(try ISMRMRDHeader(xml: xml("8", "5")).acquiredPhaseEncodeWindow == 1..<7)
    }

    @Test("a window that does not fit in Int (values set in code) is nil, not a trap")
    func windowOverflowInCode() {
        var h = ISMRMRDHeader()
        h.encodedSpace = .init(matrixSize: .init(x: 8, y: 8))
        h.kspaceEncodingStep1 = .init(minimum: 0, maximum: .max, center: 0)
        #expect(h.acquiredPhaseEncodeWindow == nil)
        h.kspaceEncodingStep1 = .init(minimum: 0, maximum: 0, center: .min)
        #expect(h.acquiredPhaseEncodeWindow == nil)
    }
}

/// Raw HDF5 inputs of the `hdf5` target that crashed inside libhdf5 through a call MRIIO could guard.
@Suite struct ISMRMRDMinimalFuzzRegressionTests {
    /// Found by the long `fastmri` run: a field strength whose Larmor frequency does not fit an
    /// Int trapped in `ISMRMRDHeader.minimal` (reachable from a DICOM MagneticFieldStrength in
    /// `simulate`); the frequency and field strength are now left out instead.
    @Test("minimal header: NaN, ±∞, 1e300 or negative field strength, extreme matrices: no trap",
          arguments: [Double.nan, .infinity, -.infinity, 1e300, -3, 0])
    func fieldStrength(_ t: Double) {
        let m = ISMRMRDHeader.MatrixSize(x: 8, y: 8, z: 1)
        let f = ISMRMRDHeader.FieldOfView(x: 200, y: 200, z: 5)
        let h = ISMRMRDHeader.minimal(encodedMatrix: m, encodedFOV: f, reconMatrix: m, reconFOV: f, fieldStrengthT: t)
        #expect(h.h1ResonanceFrequencyHz == nil && h.acquisitionSystem.systemFieldStrengthT == nil)
        let ok = ISMRMRDHeader.minimal(encodedMatrix: m, encodedFOV: f, reconMatrix: m, reconFOV: f, fieldStrengthT: 3)
        #expect(ok.h1ResonanceFrequencyHz == 127_732_434)
        let odd = ISMRMRDHeader.MatrixSize(x: 8, y: .min, z: 1)
        _ = ISMRMRDHeader.minimal(encodedMatrix: odd, encodedFOV: f, reconMatrix: odd, reconFOV: f)
    }
}

@Suite struct HDF5FuzzRegressionTests {
    @Test("a complex compound whose member lies outside the type is not complex (libhdf5 read out of bounds)")
    func compoundMemberOutsideType() throws {
        // The `i` member of kspace's {r, i} compound sits at offset 2³¹ in an 8-byte type.
        let url = Fixtures.packageRoot.appendingPathComponent("Tests/Fuzz/corpus/hdf5/crash-compound-member-outside-type.h5")
        #expect(throws: MRIIOError.wrongType(file: url.path, dataset: "kspace", expected: "complex64")) {
            try FastMRIFile(contentsOf: url)
        }
        #expect(try HDF5File(readingFrom: url).datasetInfo("kspace").type == .other("compound"))
    }
}

@Suite struct TWIXFuzzRegressionTests {
    @Test("TWIX: a raid entry whose length is near UInt64.max is read to the end of the file, not an overflow trap")
    func raidLengthOverflow() throws {
        // Tests/Fuzz/corpus/twix/crash-raid-length-overflow.dat (found by the twix target in CI's 60 s run):
        // hdSize 0, 1 entry, offset 160, length 0xFFFF_FFFF_FFFF_FFFF.
        var bytes = [UInt8](repeating: 0, count: 243)
        bytes[4] = 1
        bytes[16] = 0xA0
        for i in 24..<32 { bytes[i] = 0xFF }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("twix-overflow-\(UUID().uuidString).dat")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try TWIXFile(contentsOf: url)
        #expect(file.format == .vd && file.measurements.first?.length == 243 - 160)
        #expect(throws: MRIIOError.self) { try file.scans() }
    }
}
