import Foundation
import MRICore
import MRIIO
import MRIPipeline
import Testing
import _TestSupport

/// Raw data with a patient and a study (a multi-slice ISMRMRD file generated with Debian's
/// ismrmrd-tools and Tests/Fixtures/make_ismrmrd_study.py): the DICOM output joins that study
/// with each slice where the acquisition put it, and `--anonymize` applies every row of PS3.15
/// Table E.1-1 (Basic Profile) to what is written.
@Suite("raw data → the patient's study; --anonymize (PS3.15 Basic Profile)")
struct RawStudyTests {
    static var generator: String? { Fixtures.executable("ismrmrd_generate_cartesian_shepp_logan") }
    static var ready: Bool { generator != nil && DICOMFixture.hasPydicom }

    /// What make_ismrmrd_study.py wrote: the identity, acquisition order and geometry.
    struct Study {
        let file: URL
        let identity: [String: String]
        let position: [Double], read: [Double], phase: [Double], slice: [Double]
        let spacing: Double, thickness: Double
    }

    /// A 5-slice, 4-coil, 32 × 32 (2× oversampled readout) study in `dir`.
    static func makeStudy(in dir: URL) throws -> Study {
        let single = dir.appendingPathComponent("single.h5"), file = dir.appendingPathComponent("study.h5")
        let g = try Fixtures.run(generator!, ["-m", "32", "-c", "4", "-o", single.path])
        #expect(g.status == 0, "\(g.stderr)")
        let r = try Fixtures.run("/usr/bin/python3", [Fixtures.url("make_ismrmrd_study.py").path, single.path, file.path, "--slices", "5"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let v = { (k: String) in (j[k] as? [Double]) ?? [] }
        return Study(file: file, identity: j["identity"] as? [String: String] ?? [:], position: v("position"), read: v("read"),
                     phase: v("phase"), slice: v("slice"), spacing: j["spacing"] as? Double ?? 0, thickness: j["thickness"] as? Double ?? 0)
    }

    /// Every element of `files` (nested ones included), read by pydicom.
    static func elements(_ files: [URL]) throws -> [[String: String]] {
        let r = try Fixtures.run("/usr/bin/python3", [Fixtures.url("dicom/dump_dicom_elements.py").path] + files.map(\.path))
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: String]])
    }

    static func value(_ elements: [[String: String]], file: URL, path: String) -> String? {
        elements.first { $0["file"] == file.path && $0["path"] == path }?["value"]
    }

    @Test("the DICOM series join the header's study (Study and Frame of Reference UIDs, patient), slices in space order at the acquired positions; dciodvfy 0 errors",
          .enabled(if: ready, "ismrmrd-tools or pydicom missing"))
    func joinsTheStudy() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let study = try Self.makeStudy(in: dir)
        let dcm = dir.appendingPathComponent("dcm")
        let r = try Fixtures.run(DICOMFixture.binary, ["recon", study.file.path, "--method", "zero-filled",
                                                      "--out", dir.appendingPathComponent("out").path, "--dicom", dcm.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("Erika") && !r.stderr.contains("Erika"), "identity in the log")
        // Slice z of space holds the phantom × (1 + z), acquired interleaved: the volume is in space order.
        let h5 = try HDF5File(readingFrom: dir.appendingPathComponent("out/study.h5"))
        let volume = try h5.readFloat("reconstruction")
        h5.close()
        let plane = volume.shape[1] * volume.shape[2]
        let sums = (0..<5).map { z in volume.storage[(z * plane)..<((z + 1) * plane)].reduce(0) { $0 + Double($1) } }
        for z in 1..<5 { #expect(abs(sums[z] / sums[0] - Double(1 + z)) < 1e-3, "slice \(z): \(sums[z] / sums[0])") }

        let files = DICOMFixture.dicomFiles(in: dcm)
        #expect(files.count == 5)
        let e = try Self.elements(files)
        let spacing = 300.0 / 32
        for (z, f) in files.enumerated() {
            #expect(Self.value(e, file: f, path: "0020000D") == study.identity["studyInstanceUID"])
            #expect(Self.value(e, file: f, path: "00200052") == study.identity["frameOfReferenceUID"])
            #expect(Self.value(e, file: f, path: "00100010") == study.identity["patientName"])
            #expect(Self.value(e, file: f, path: "00100020") == study.identity["patientID"])
            #expect(Self.value(e, file: f, path: "00100030") == "19610812")
            let orientation = (Self.value(e, file: f, path: "00200037") ?? "").split(separator: "\\").compactMap { Double($0) }
            #expect(zip(orientation, study.phase + study.read).allSatisfy { abs($0 - $1) < 1e-6 }, "\(orientation)")
            let position = (Self.value(e, file: f, path: "00200032") ?? "").split(separator: "\\").compactMap { Double($0) }
            let centre = (0..<3).map { study.position[$0] + (Double(z) - 2) * study.spacing * study.slice[$0] }
            let corner = (0..<3).map { centre[$0] - 16 * spacing * study.read[$0] - 16 * spacing * study.phase[$0] }
            #expect(position.count == 3 && zip(position, corner).allSatisfy { abs($0 - $1) < 1e-3 }, "slice \(z): \(position) vs \(corner)")
            #expect(abs((Double(Self.value(e, file: f, path: "00180088") ?? "") ?? 0) - study.spacing) < 1e-3)
            #expect(Double(Self.value(e, file: f, path: "00180050") ?? "") == study.thickness)
        }
        let dciodvfy = try #require(Fixtures.executable("dciodvfy"))
        for f in files {
            let report = try Fixtures.run(dciodvfy, [f.path])
            let errors = (report.stdout + report.stderr).split(separator: "\n").filter { $0.hasPrefix("Error") }
            #expect(errors.isEmpty, "\(f.lastPathComponent): \(errors.joined(separator: " | "))")
        }
    }

    @Test("Orthanc files the reconstruction under the header's study and patient",
          .enabled(if: ready && OrthancTestServer.available, "ismrmrd-tools, pydicom or Orthanc missing"))
    func orthancFilesItUnderTheStudy() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let study = try Self.makeStudy(in: dir)
        let server = try OrthancTestServer()
        defer { server.stop() }
        let r = try Fixtures.run(DICOMFixture.binary, ["recon", study.file.path, "--method", "zero-filled", "--out", dir.appendingPathComponent("out").path,
                                                      "--dicom", dir.appendingPathComponent("dcm").path, "--send", server.dicomURL])
        #expect(r.status == 0, "\(r.stderr)")
        let studies = try #require(try server.getJSON("/studies") as? [String])
        #expect(studies.count == 1)
        let s = try #require(try server.getJSON("/studies/\(studies[0])") as? [String: Any])
        let tags = s["MainDicomTags"] as? [String: Any], patient = s["PatientMainDicomTags"] as? [String: Any]
        #expect(tags?["StudyInstanceUID"] as? String == study.identity["studyInstanceUID"])
        #expect(patient?["PatientID"] as? String == study.identity["patientID"])
        #expect((s["Series"] as? [Any])?.count == 1)
    }

    @Test("--anonymize: every attribute of Table E.1-1 written obeys its Basic Profile action; no identity anywhere in the files; dciodvfy 0 errors",
          .enabled(if: ready, "ismrmrd-tools or pydicom missing"))
    func basicProfile() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let study = try Self.makeStudy(in: dir)
        // All three IODs: the raw file's header and attributes with a mean and a standard deviation.
        let volume = try ISMRMRDConversion.read(study.file)
        var attributes = DICOMFixture.attributes
        attributes["acquisition"] = .string(study.identity["protocolName"]!)
        attributes["input_file"] = .string(study.file.lastPathComponent)
        var options = DICOMExport.Options()
        options.anonymize = true
        let api = dir.appendingPathComponent("api")
        _ = try DICOMExport.export(mean: DICOMFixture.mean, standardDeviation: DICOMFixture.std, attributes: attributes,
                                   header: volume.header, to: api, options: options)
        // And the command line, from the raw file itself.
        let cli = dir.appendingPathComponent("cli")
        let r = try Fixtures.run(DICOMFixture.binary, ["recon", study.file.path, "--method", "zero-filled", "--out", dir.appendingPathComponent("out").path,
                                                      "--dicom", cli.path, "--anonymize"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = DICOMFixture.dicomFiles(in: api) + DICOMFixture.dicomFiles(in: cli)
        #expect(files.count == 2 * DICOMFixture.slices + 1 + 5)
        try Self.checkProfile(files, study: study)
        let dciodvfy = try #require(Fixtures.executable("dciodvfy"))
        for f in files {
            let report = try Fixtures.run(dciodvfy, [f.path])
            let errors = (report.stdout + report.stderr).split(separator: "\n").filter { $0.hasPrefix("Error") }
            #expect(errors.isEmpty, "\(f.lastPathComponent): \(errors.joined(separator: " | "))")
        }
    }

    /// Table E.1-1 (Tests/Fixtures/dicom/ps3.15-basic-profile.csv) against every element of `files`.
    static func checkProfile(_ files: [URL], study: Study) throws {
        let table = try String(contentsOf: Fixtures.url("dicom/ps3.15-basic-profile.csv"), encoding: .utf8)
        var actions = [String: String]()
        for line in table.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            actions[String(f[0]).uppercased()] = String(f[3])
        }
        #expect(actions.count == 656)
        // The source's identifying values as they could appear in DICOM (dates without dashes).
        let identity = study.identity.values.flatMap { v in [v, v.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")] }
            .filter { $0.count >= 4 } + ["Erika", "Testperson", "Referrer"]
        let sourceUIDs: Set = [study.identity["studyInstanceUID"]!, study.identity["frameOfReferenceUID"]!]
        let elements = try elements(files)
        var checked = Set<String>()
        for e in elements {
            let tag = e["tag"]!, value = e["value"] ?? ""
            let key = tag.hasPrefix("50") ? "50XXXXXX" : tag.hasPrefix("60") ? "60XX" + tag.suffix(4) : tag
            let odd = Int(tag.prefix(4), radix: 16).map { $0 % 2 == 1 } ?? false
            #expect(!odd, "private attribute \(e["path"]!) written")
            guard let action = actions[key] else { continue }
            checked.insert(tag)
            let empty = value.isEmpty
            let dummy = !empty && !identity.contains { value.localizedCaseInsensitiveContains($0) }
            let newUID = !empty && !sourceUIDs.contains(value) && value.allSatisfy { $0.isNumber || $0 == "." }
            let ok: Bool
            switch action {
            case "X": ok = false
            case "Z": ok = empty
            case "D": ok = dummy
            case "U": ok = newUID
            case "X/Z": ok = empty
            case "X/D", "Z/D", "X/Z/D": ok = empty || dummy
            case "X/Z/U*": ok = empty || newUID
            default: ok = false
            }
            #expect(ok, "\(e["path"]!) (\(action)) = '\(value)' in \(URL(fileURLWithPath: e["file"]!).lastPathComponent)")
        }
        // The profile's attributes this output holds (the rest of the table is absent, as X asks).
        #expect(checked.isSuperset(of: ["00100010", "00100020", "0020000D", "00200052", "00080018", "00080023", "00181000"]), "\(checked.sorted())")
        for f in files {
            let bytes = try Data(contentsOf: f)
            for v in identity where v.count >= 5 {
                #expect(bytes.range(of: Data(v.utf8)) == nil, "\(f.lastPathComponent) contains '\(v)'")
            }
        }
        let removed = elements.filter { $0["tag"] == "00120062" }
        #expect(removed.count == files.count && removed.allSatisfy { $0["value"] == "YES" })
        #expect(elements.filter { $0["path"] == "00120064[0].00080100" && $0["value"] == "113100" }.count == files.count)
    }

    static var twix: URL? {
        guard let d = Fixtures.sharedData?.appendingPathComponent("raw/twix/pulseq_gre_vd_prisma_1ch.dat"),
              FileManager.default.fileExists(atPath: d.path) else { return nil }
        return d
    }

    /// tPatientName (Dicom) and FrameOfReference (Config) of a TWIX header, read with Python
    /// regular expressions (never printed: the README asks tests not to show identity).
    static func twixIdentity(_ url: URL) throws -> (name: String, frame: String) {
        let script = """
        import re, struct, sys
        b = open(sys.argv[1], 'rb').read(); x0, x1 = struct.unpack('<II', b[:8])
        off = struct.unpack('<Q', b[16:24])[0] if x0 < 10000 and 1 <= x1 <= 64 else 0
        t = b[off:off + struct.unpack('<I', b[off:off + 4])[0]].decode('latin1')
        v = lambda k: re.search(r'<Param\\w+\\."%s">\\s*\\{\\s*"([^"]*)"' % k, t).group(1)
        print(v('tPatientName')); print(v('FrameOfReference'))
        """
        let r = try Fixtures.run("/usr/bin/python3", ["-c", script, url.path])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        return (lines.first ?? "", lines.dropFirst().first ?? "")
    }

    @Test("TWIX: patient and Frame of Reference from the Dicom/Config sections, orientation from the MDH quaternion; --anonymize leaves none of them",
          .enabled(if: twix != nil && DICOMFixture.hasPydicom, "../shared/data/raw/twix or pydicom missing"))
    func twixIdentityAndGeometry() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let who = try Self.twixIdentity(Self.twix!)
        #expect(who.name.count >= 5 && who.frame.hasPrefix("1.3.12.2.1107.5.2."))
        for anonymize in [false, true] {
            let dcm = dir.appendingPathComponent(anonymize ? "anon" : "plain")
            let r = try Fixtures.run(DICOMFixture.binary, ["recon", Self.twix!.path, "--method", "zero-filled", "--out",
                                                          dir.appendingPathComponent("out-\(anonymize)").path, "--dicom", dcm.path]
                                                         + (anonymize ? ["--anonymize"] : []))
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stdout.contains(who.name) && !r.stderr.contains(who.name), "identity in the log")
            let files = DICOMFixture.dicomFiles(in: dcm)
            let f = try #require(files.first)
            let e = try Self.elements([f])
            if anonymize {
                let bytes = try Data(contentsOf: f)
                #expect(bytes.range(of: Data(who.name.utf8)) == nil && bytes.range(of: Data(who.frame.utf8)) == nil)
            } else {
                #expect(Self.value(e, file: f, path: "00100010") == who.name)
                #expect(Self.value(e, file: f, path: "00200052") == who.frame)
                #expect(Self.value(e, file: f, path: "00200037") == "0\\1\\0\\-1\\0\\0")
                #expect(Self.value(e, file: f, path: "00180050") == "3")
                #expect(Self.value(e, file: f, path: "00280030") == "1\\1")
            }
        }
    }
}
