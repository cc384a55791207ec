import Foundation
import MRIIO
import PACS
import Testing

/// URL parsing, the STOW-RS body and response parsing (no network).
@Suite struct DICOMDestinationTests {
    @Test("dicom:// URLs give the called AE, host and port (default 104); http(s) URLs the service base and credentials")
    func parsing() throws {
        let a = try DICOMDestination(parsing: "dicom://ORTHANC@127.0.0.1:4242")
        #expect(a.kind == .dimse(calledAET: "ORTHANC", host: "127.0.0.1", port: 4242))
        #expect(a.description == "dicom://ORTHANC@127.0.0.1:4242")
        #expect(try DICOMDestination(parsing: "dicom://PACS@pacs.example.org").kind == .dimse(calledAET: "PACS", host: "pacs.example.org", port: 104))

        let b = try DICOMDestination(parsing: "https://alice:s%3Acret@pacs.example.org:8443/dicom-web/")
        #expect(b.kind == .stow(base: URL(string: "https://pacs.example.org:8443/dicom-web")!))
        #expect(b.stowEndpoint?.absoluteString == "https://pacs.example.org:8443/dicom-web/studies")
        #expect(b.user == "alice" && b.password == "s:cret")
        #expect(!b.description.contains("cret") && !b.description.contains("alice"))

        let c = try DICOMDestination(parsing: "http://alice:old@h:8042/dicom-web", credentials: "bob:new:er")
        #expect(c.user == "bob" && c.password == "new:er")
    }

    @Test("bad destinations throw one line naming --to (password redacted)")
    func badDestinations() {
        let cases: [(String, String)] = [
            ("ftp://h/x", "unsupported scheme 'ftp'"),
            ("dicom://127.0.0.1:104", "no called AE title"),
            ("dicom://THIS_AE_TITLE_IS_TOO_LONG@h:104", "is not an AE title"),
            ("dicom://AE@h:104/path", "takes no path"),
            ("dicom://AE@h:0", "port 0 out of range"),
            ("not a url", "not a URL"),
        ]
        for (text, fragment) in cases {
            do {
                _ = try DICOMDestination(parsing: text)
                Issue.record("\(text) was accepted")
            } catch {
                let d = "\(error)"
                #expect(d.contains(fragment) && !d.contains("\n"), "\(text): \(d)")
            }
        }
        do {
            _ = try DICOMDestination(parsing: "http://u:secret@h:99999/x")
            Issue.record("port 99999 accepted")
        } catch {
            #expect(!"\(error)".contains("secret"), "\(error)")
        }
        #expect(throws: MRIIOError.self) { _ = try DICOMDestination(parsing: "http://h/x", credentials: "no-colon") }
        #expect(throws: MRIIOError.self) { _ = try DICOMDestination(parsing: "dicom://AE@h:104", credentials: "a:b") }
        var o = DICOMSender.Options()
        o.callingAET = "A\\B"
        #expect(throws: MRIIOError.self) { _ = try DICOMSender(destination: try DICOMDestination(parsing: "dicom://AE@h:104"), options: o) }
    }

    @Test("STOW-RS multipart/related body: one application/dicom part per file, bytes unchanged, closing delimiter")
    func multipart() {
        let parts = [Data([0, 1, 2, 0x0D, 0x0A]), Data("second".utf8)]
        let body = DICOMWebSTOW.multipartBody(parts: parts, boundary: "B0")
        let expected = Data("--B0\r\nContent-Type: application/dicom\r\nContent-Length: 5\r\n\r\n".utf8) + parts[0] + Data("\r\n".utf8)
            + Data("--B0\r\nContent-Type: application/dicom\r\nContent-Length: 6\r\n\r\nsecond\r\n--B0--\r\n".utf8)
        #expect(body == expected)
        #expect(DICOMWebSTOW.contentType(boundary: "B0") == "multipart/related; type=\"application/dicom\"; boundary=B0")
    }

    @Test("STOW-RS response: ReferencedSOPSequence → stored, FailedSOPSequence → failed with FailureReason; non-JSON → nil")
    func response() throws {
        // Shape of Orthanc 1.10 / DicomWeb 1.7's answer (one stored, one refused).
        let json = """
            {"00080005":{"vr":"CS","Value":["ISO_IR 100"]},
             "00081198":{"vr":"SQ","Value":[{"00081150":{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.4"]},
                                            "00081155":{"vr":"UI","Value":["1.2.3.9"]},
                                            "00081197":{"vr":"US","Value":[43264]}}]},
             "00081199":{"vr":"SQ","Value":[{"00081150":{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.4"]},
                                            "00081155":{"vr":"UI","Value":["1.2.3.4"]}}]}}
            """
        let r = try #require(DICOMWebSTOW.parseResponse(Data(json.utf8)))
        #expect(r == DICOMWebSTOW.Response(stored: ["1.2.3.4"], failed: ["1.2.3.9": 0xA900]))
        // An empty FailedSOPSequence (no "Value") and an array wrapper are accepted.
        let empty = #"[{"00081198":{"vr":"SQ"},"00081199":{"vr":"SQ","Value":[{"00081155":{"vr":"UI","Value":["9.9"]}}]}}]"#
        #expect(DICOMWebSTOW.parseResponse(Data(empty.utf8)) == DICOMWebSTOW.Response(stored: ["9.9"]))
        #expect(DICOMWebSTOW.parseResponse(Data("<NativeDicomModel/>".utf8)) == nil)
    }

    @Test("discovery: Part 10 files and *.dcm recursively, hidden entries and DICOMDIR skipped, sorted by path")
    func discovery() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mri-daps-discover-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("b/.hidden"), withIntermediateDirectories: true)
        let part10 = Data(count: 128) + Data("DICM".utf8) + Data(count: 10)
        try part10.write(to: dir.appendingPathComponent("b/noext"))
        try Data("x".utf8).write(to: dir.appendingPathComponent("a.dcm"))
        try Data("x".utf8).write(to: dir.appendingPathComponent("readme.txt"))
        try part10.write(to: dir.appendingPathComponent("DICOMDIR"))
        try part10.write(to: dir.appendingPathComponent("b/.hidden/x.dcm"))
        try part10.write(to: dir.appendingPathComponent(".y.dcm"))
        let (files, skipped) = try DICOMSender.discover(in: dir)
        #expect(files.map(\.lastPathComponent) == ["a.dcm", "noext"])
        #expect(Set(skipped.map(\.lastPathComponent)) == ["DICOMDIR", "readme.txt"])
        #expect(throws: MRIIOError.self) { _ = try DICOMSender.discover(in: dir.appendingPathComponent("b/.hidden/none")) }
    }
}
