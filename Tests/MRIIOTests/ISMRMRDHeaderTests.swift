import Foundation
import MRIIO
import Testing
import _TestSupport

@Suite struct ISMRMRDHeaderTests {
    private func fixture(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: IOFixtures.url(name)), as: UTF8.self)
    }

    @Test("full header: every used field is read")
    func fullHeader() throws {
        let h = try ISMRMRDHeader(xml: try fixture("ismrmrd_header.xml"))
        #expect(h.encodedSpace == .init(matrixSize: .init(x: 12, y: 10, z: 1), fieldOfView: .init(x: 280, y: 140.5, z: 4.5)))
        #expect(h.reconSpace == .init(matrixSize: .init(x: 8, y: 8, z: 1), fieldOfView: .init(x: 140, y: 140, z: 3)))
        #expect(h.kspaceEncodingStep1 == .init(minimum: 0, maximum: 7, center: 4))
        #expect(h.kspaceEncodingStep2 == .init(minimum: 0, maximum: 0, center: 0))
        #expect(h.sliceLimit == .init(minimum: 0, maximum: 1, center: 0))
        #expect(h.trajectory == "cartesian")
        #expect(h.measurement.measurementID == "45167_17425454_17425459_1234")
        #expect(h.measurement.patientPosition == "FFS")
        #expect(h.measurement.protocolName == "COR PD FBK")
        #expect(h.measurement.frameOfReferenceUID == "1.3.12.2.1107.5.2.19.45167.1.20180101000000000.0.0.0")
        #expect(h.measurement.seriesDate == nil)
        let a = h.acquisitionSystem
        #expect(a.systemVendor == "SIEMENS")
        #expect(a.systemModel == "Skyra")
        #expect(a.systemFieldStrengthT == 2.89362)
        #expect(a.relativeReceiverNoiseBandwidth == 0.793)
        #expect(a.receiverChannels == 15)
        #expect(a.institutionName == "NYU & Partners")
        #expect(a.stationName == nil)
        #expect(h.h1ResonanceFrequencyHz == 123_250_465)
        #expect(h.study.studyTime == "10:15:00")
        #expect(h.study.studyDate == nil)
        #expect(h.subject == ISMRMRDHeader.SubjectInformation())
        #expect(h.sequence.tr == 2750)
        #expect(h.sequence.te == 27)
        #expect(h.sequence.ti == 100)
        #expect(h.sequence.flipAngleDeg == 160)
        #expect(h.sequence.sequenceType == "TurboSpinEcho")
        #expect(h.sequence.echoSpacings == [13.5])
    }

    @Test("acquired phase-encode window = [enc_y//2 − center, that + maximum + 1)")
    func paddingWindow() throws {
        // Fixture: enc_y 10, center 4, maximum 7 → 5 − 4 = 1, 1 + 7 + 1 = 9.
        #expect(try ISMRMRDHeader(xml: try fixture("ismrmrd_header.xml")).acquiredPhaseEncodeWindow == 1..<9)
        // Typical fastMRI knee: enc_y 368, center 183, maximum 365 → 1 ..< 367.
        let sparse = try ISMRMRDHeader(xml: try fixture("ismrmrd_header_sparse.xml"))
        #expect(sparse.acquiredPhaseEncodeWindow == 1..<367)
        // Odd enc_y uses floor division: 369 // 2 − 184 = 0, 0 + 365 + 1 = 366.
        var odd = sparse
        odd.encodedSpace?.matrixSize?.y = 369
        odd.kspaceEncodingStep1?.center = 184
        #expect(odd.acquiredPhaseEncodeWindow == 0..<366)
        #expect(ISMRMRDHeader().acquiredPhaseEncodeWindow == nil)
    }

    @Test("missing sections and fields are nil")
    func sparseHeader() throws {
        let h = try ISMRMRDHeader(xml: try fixture("ismrmrd_header_sparse.xml"))
        #expect(h.encodedSpace?.matrixSize == .init(x: 640, y: 368, z: 1))
        #expect(h.encodedSpace?.fieldOfView == nil)
        #expect(h.reconSpace == nil)
        #expect(h.kspaceEncodingStep2 == nil)
        #expect(h.measurement == ISMRMRDHeader.MeasurementInformation())
        #expect(h.acquisitionSystem == ISMRMRDHeader.AcquisitionSystemInformation())
        #expect(h.sequence == ISMRMRDHeader.SequenceParameters())
        #expect(h.sequence.tr == nil)
        #expect(h.h1ResonanceFrequencyHz == nil)
    }

    @Test("writer output parses back to an equal header")
    func roundTrip() throws {
        var h = try ISMRMRDHeader(xml: try fixture("ismrmrd_header.xml"))
        h.subject.patientName = "Doe^<Jane>"
        h.subject.patientWeightKg = 61.5
        h.study.accessionNumber = 42
        h.measurement.initialSeriesNumber = 3
        h.sequence.echoTimes = [27, 54.25]
        let xml = h.xmlString()
        #expect(xml.contains("xmlns=\"http://www.ismrm.org/ISMRMRD\""))
        #expect(xml.contains("&lt;Jane&gt;"))
        #expect(try ISMRMRDHeader(xml: xml) == h)
        let minimal = ISMRMRDHeader.minimal(
            encodedMatrix: .init(x: 640, y: 368), encodedFOV: .init(x: 280, y: 161, z: 4.5),
            reconMatrix: .init(x: 320, y: 320), reconFOV: .init(x: 140, y: 140, z: 3), fieldStrengthT: 3)
        let parsed = try ISMRMRDHeader(xml: minimal.xmlString())
        #expect(parsed == minimal)
        #expect(parsed.h1ResonanceFrequencyHz == 127_732_434)
        #expect(parsed.acquiredPhaseEncodeWindow == 0..<368)
    }

    @Test("writer output is well-formed XML that Python's ElementTree reads with the ISMRMRD namespace",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func pythonReadsWrittenHeader() throws {
        let h = ISMRMRDHeader.minimal(
            encodedMatrix: .init(x: 640, y: 368), encodedFOV: .init(x: 280, y: 161, z: 4.5),
            reconMatrix: .init(x: 320, y: 320), reconFOV: .init(x: 140, y: 140, z: 3))
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("h.xml")
        try h.xmlString().write(to: file, atomically: true, encoding: .utf8)
        // The same lookups as fastMRI's mri_data.et_query.
        let script = """
            import json, sys, xml.etree.ElementTree as ET
            ns = {"ismrmrd": "http://www.ismrm.org/ISMRMRD"}
            r = ET.parse(sys.argv[1]).getroot()
            q = lambda p: r.find("/".join("ismrmrd:" + x for x in p), ns).text
            print(json.dumps({"enc_y": int(q(["encoding", "encodedSpace", "matrixSize", "y"])),
                              "recon_x": int(q(["encoding", "reconSpace", "matrixSize", "x"])),
                              "center": int(q(["encoding", "encodingLimits", "kspace_encoding_step_1", "center"])),
                              "maximum": int(q(["encoding", "encodingLimits", "kspace_encoding_step_1", "maximum"]))}))
            """
        let out = try IOFixtures.python(script, [file.path])
        #expect(out["enc_y"] as? Int == 368)
        #expect(out["recon_x"] as? Int == 320)
        #expect(out["center"] as? Int == 184)
        #expect(out["maximum"] as? Int == 367)
    }

    @Test("malformed XML, wrong root, foreign namespace and bad numbers throw malformedHeader")
    func malformed() throws {
        let bad = [
            "<ismrmrdHeader><encoding>",
            "not xml at all",
            "<other xmlns=\"http://www.ismrm.org/ISMRMRD\"/>",
            "<ismrmrdHeader xmlns=\"http://example.com/other\"/>",
            "<ismrmrdHeader><encoding><encodedSpace><matrixSize><x>12</x><y>ten</y></matrixSize></encodedSpace></encoding></ismrmrdHeader>",
            "<ismrmrdHeader><encoding><encodingLimits><kspace_encoding_step_1><minimum>0</minimum></kspace_encoding_step_1></encodingLimits></encoding></ismrmrdHeader>",
        ]
        for xml in bad {
            let e = #expect(throws: MRIIOError.self, "\(xml)") { try ISMRMRDHeader(xml: xml, file: "x.h5") }
            if case .malformedHeader(let file, _)? = e {
                #expect(file == "x.h5")
            } else {
                Issue.record("expected malformedHeader for \(xml), got \(String(describing: e))")
            }
        }
    }
}
