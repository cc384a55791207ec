import Foundation
import MRICore
import MRIIO
import PACS
import MRIPipeline
import Testing
import _TestSupport

/// Sending the exported study to a real Orthanc (C-STORE and STOW-RS) and to DCMTK's storescp,
/// and the failure paths of `mri-daps send`. Orthanc tests skip when Orthanc is not installed.
@Suite(.serialized) struct DICOMSendTests {
    /// The three series of `DICOMFixture`, exported into a fresh scratch directory.
    static func exportStudy() throws -> (scratch: URL, dir: URL, summary: DICOMExport.Summary) {
        let scratch = try Fixtures.temporaryDirectory()
        let dir = scratch.appendingPathComponent("study")
        let summary = try DICOMExport.export(
            mean: DICOMFixture.mean, standardDeviation: DICOMFixture.std, attributes: DICOMFixture.attributes,
            header: DICOMFixture.header, to: dir, options: DICOMExport.Options())
        return (scratch, dir, summary)
    }

    /// Every regular file under `dir` with its bytes (to prove nothing was changed or deleted).
    static func snapshot(_ dir: URL) throws -> [String: Data] {
        var r = [String: Data]()
        for case let u as URL in FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)! {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir), !isDir.boolValue {
                r[u.path] = try Data(contentsOf: u)
            }
        }
        return r
    }

    /// A free TCP port on the loopback (nothing listens there after this returns).
    static func freePort() throws -> Int {
        let r = try Fixtures.run("/usr/bin/python3", ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        return try #require(Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Checks through Orthanc's REST API that exactly the exported study arrived: one study, three
    /// series with the written UIDs and instance counts, every SOP instance, Explicit VR LE, and
    /// pixels equal to what was written (MR stored values exactly and within slope/2 of the float
    /// volume; Parametric Map float32 values bit for bit).
    static func verifyArrival(in server: OrthancTestServer, of summary: DICOMExport.Summary) throws {
        let result = summary.result
        let studies = try #require(try server.getJSON("/studies") as? [String])
        #expect(studies.count == 1)
        let seriesIDs = try #require(try server.getJSON("/series") as? [String])
        #expect(seriesIDs.count == 3)
        var instancesPerSeries = [String: Int]()
        for id in seriesIDs {
            let s = try #require(try server.getJSON("/series/\(id)") as? [String: Any])
            let uid = try #require((s["MainDicomTags"] as? [String: Any])?["SeriesInstanceUID"] as? String)
            instancesPerSeries[uid] = (s["Instances"] as? [Any])?.count
        }
        #expect(instancesPerSeries == Dictionary(uniqueKeysWithValues: result.series.map { ($0.seriesInstanceUID, $0.files.count) }))

        // Local truth: SOP Instance UID → (series, file) from the written files themselves.
        var local = [String: (series: DICOMWriter.Result.Series, file: URL)]()
        for s in result.series {
            for f in s.files {
                let uid = try #require(explicitString(try Data(contentsOf: f), group: 0x0008, element: 0x0018), "\(f.path)")
                local[uid] = (s, f)
            }
        }
        let meanMap = DICOMPixelMapping(values: DICOMFixture.mean.storage)
        let stdMap = DICOMPixelMapping(values: DICOMFixture.std.storage)
        let plane = DICOMFixture.rows * DICOMFixture.columns
        let ids = try #require(try server.getJSON("/instances") as? [String])
        #expect(ids.count == 2 * DICOMFixture.slices + 1)
        var seen = Set<String>()
        for id in ids {
            let tags = try #require(try server.getJSON("/instances/\(id)/simplified-tags") as? [String: Any])
            let uid = try #require(tags["SOPInstanceUID"] as? String)
            let (series, file) = try #require(local[uid], "Orthanc holds an instance that was not written: \(uid)")
            seen.insert(uid)
            #expect(tags["SOPClassUID"] as? String == series.sopClassUID)
            #expect(tags["SeriesInstanceUID"] as? String == series.seriesInstanceUID)
            #expect(tags["StudyInstanceUID"] as? String == result.studyInstanceUID)
            #expect(tags["FrameOfReferenceUID"] as? String == result.frameOfReferenceUID)
            let ts = String(decoding: try server.getData("/instances/\(id)/metadata/TransferSyntax"), as: UTF8.self)
            #expect(ts == "1.2.840.10008.1.2.1", "\(file.lastPathComponent): stored as \(ts)")
            let localBytes = try Data(contentsOf: file)
            if series.sopClassUID == DICOMWriter.mrImageStorage {
                let slice = try #require(Int(tags["InstanceNumber"] as? String ?? "")) - 1
                let remote = try server.getData("/instances/\(id)/frames/0/raw")
                #expect(remote == DICOMPixelBytes.extract(localBytes, element: 0x0010), "\(file.path): stored values differ")
                let isMean = series.number == 1
                let (map, values) = isMean ? (meanMap, DICOMFixture.mean.storage) : (stdMap, DICOMFixture.std.storage)
                let truth = Array(values[(slice * plane)..<((slice + 1) * plane)])
                let stored = DICOMPixelBytes.uint16s(remote)
                #expect(stored == map.quantize(truth), "\(file.path): stored values are not the 12-bit quantisation")
                // The mapping Orthanc holds turns them back into the floats within half a step.
                let item = try #require((tags["RealWorldValueMappingSequence"] as? [[String: Any]])?.first)
                let slope = try #require(Double(item["RealWorldValueSlope"] as? String ?? "") ?? (item["RealWorldValueSlope"] as? Double))
                let intercept = try #require(Double(item["RealWorldValueIntercept"] as? String ?? "") ?? (item["RealWorldValueIntercept"] as? Double))
                #expect(abs(slope - map.slope) <= 1e-12 * map.slope)
                let worst = zip(stored, truth).map { abs(slope * Double($0) + intercept - Double($1)) }.max() ?? .infinity
                #expect(worst <= slope / 2 * 1.0001 + 1e-15, "\(file.path): error \(worst) > slope/2")
            } else {
                let remote = try server.getData("/instances/\(id)/file")
                let floats = try #require(DICOMPixelBytes.extract(remote, element: 0x0008), "no FloatPixelData in Orthanc's copy")
                #expect(DICOMPixelBytes.floats(floats).map(\.bitPattern) == DICOMFixture.std.storage.map(\.bitPattern),
                        "Parametric Map values changed in transit")
                #expect(tags["NumberOfFrames"] as? String == "\(DICOMFixture.slices)")
            }
        }
        #expect(seen == Set(local.keys))
    }

    /// A short string element (2-byte length VR such as UI) of an explicit VR LE file, by tag.
    static func explicitString(_ file: Data, group: UInt16, element: UInt16) -> String? {
        let b = [UInt8](file)
        let tag: [UInt8] = [UInt8(group & 0xFF), UInt8(group >> 8), UInt8(element & 0xFF), UInt8(element >> 8)]
        var i = 132
        while i + 8 <= b.count {
            if Array(b[i..<(i + 4)]) == tag, b[i + 4] == 0x55, b[i + 5] == 0x49 {  // "UI"
                let n = Int(b[i + 6]) | Int(b[i + 7]) << 8
                guard i + 8 + n <= b.count else { return nil }
                return String(decoding: b[(i + 8)..<(i + 8 + n)], as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\0 "))
            }
            i += 1
        }
        return nil
    }

    @Test("C-STORE (DICOMSender API): all three series reach Orthanc with their UIDs, counts and pixels",
          .enabled(if: OrthancTestServer.available, "Orthanc + orthanc-dicomweb not installed"))
    func cStoreToOrthanc() throws {
        let (scratch, dir, summary) = try Self.exportStudy()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let server = try OrthancTestServer()
        defer { server.stop() }
        let before = try Self.snapshot(dir)
        let sender = try DICOMSender(destination: try DICOMDestination(parsing: server.dicomURL))
        let report = try sender.send(directory: dir)
        #expect(report.instances.count == 7)
        #expect(report.allStored, "\(report.failed.map { "\($0.file.lastPathComponent): \($0.reason ?? "")" })")
        #expect(report.instances.allSatisfy { $0.status == "C-STORE status 0x0000" && $0.attempts == 1 })
        try Self.verifyArrival(in: server, of: summary)
        #expect(try Self.snapshot(dir) == before, "sending changed or removed files")
        server.stop()
        #expect(!server.isRunning, "Orthanc \(server.pid) still running after stop")
    }

    @Test("recon --dicom --send: the reconstruction's study reaches Orthanc by C-STORE and stays on disk; --send without --dicom is refused",
          .enabled(if: OrthancTestServer.available, "Orthanc + orthanc-dicomweb not installed"))
    func reconSendsItsStudy() throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let sample = Fixtures.packageRoot.appendingPathComponent("SampleData/brain_colin27_8coil.h5")
        let server = try OrthancTestServer()
        defer { server.stop() }
        let dcm = scratch.appendingPathComponent("study")
        let r = try Fixtures.run(DICOMFixture.binary, ["recon", sample.path, "--method", "sense", "--accel", "4", "--slices", "1:3",
                                                      "--out", scratch.appendingPathComponent("h5").path,
                                                      "--dicom", dcm.path, "--send", server.dicomURL])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("2 of 2 instances stored"), "\(r.stdout)")
        let local = try FileManager.default.subpathsOfDirectory(atPath: dcm.path).filter { $0.hasSuffix(".dcm") }
        #expect(local.count == 2)
        let instances = try #require(try server.getJSON("/instances") as? [String])
        #expect(instances.count == 2)
        let refused = try Fixtures.run(DICOMFixture.binary, ["recon", sample.path, "--method", "sense", "--accel", "4",
                                                            "--out", scratch.appendingPathComponent("x").path, "--send", server.dicomURL])
        #expect(refused.status != 0 && refused.stderr.contains("--send needs --dicom"), "\(refused.stderr)")
    }

    @Test("STOW-RS (mri-daps send, basic auth from the URL): all three series reach Orthanc with their UIDs, counts and pixels",
          .enabled(if: OrthancTestServer.available, "Orthanc + orthanc-dicomweb not installed"))
    func stowToOrthanc() throws {
        let (scratch, dir, summary) = try Self.exportStudy()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let server = try OrthancTestServer()
        defer { server.stop() }
        let before = try Self.snapshot(dir)
        let r = try Fixtures.run(DICOMFixture.binary, ["send", dir.path, "--to", server.stowURL])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("7 of 7 instances stored at http://127.0.0.1:\(server.httpPort)/dicom-web"), "\(r.stdout)")
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("stored ") && $0.contains("(HTTP 200)") }.count == 7)
        #expect(!r.stdout.contains(server.password) && !r.stderr.contains(server.password), "the password was printed")
        try Self.verifyArrival(in: server, of: summary)
        #expect(try Self.snapshot(dir) == before, "sending changed or removed files")

        // Wrong credentials: one line naming the URL and the HTTP status, no retry storm.
        let bad = try Fixtures.run(DICOMFixture.binary, [
            "send", dir.path, "--to", "http://127.0.0.1:\(server.httpPort)/dicom-web", "--user", "mridaps:wrong",
        ])
        #expect(bad.status != 0)
        #expect(bad.stderr == DICOMCredentialTests.warning
                + "mri-daps: error: http://127.0.0.1:\(server.httpPort)/dicom-web: HTTP 401 Unauthorized: check the credentials\n",
                "\(bad.stderr)")
    }

    @Test("partial failure: a corrupt and an unsupported instance are reported by file, exit ≠ 0, every file kept; the rest arrive",
          .enabled(if: OrthancTestServer.available, "Orthanc + orthanc-dicomweb not installed"))
    func partialFailure() throws {
        let (scratch, dir, summary) = try Self.exportStudy()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A truncated copy (cut inside the pixel data) and a non-DICOM note beside the study.
        let good = summary.result.series[0].files[0]
        let whole = try Data(contentsOf: good)
        let truncated = dir.appendingPathComponent("S001_MEAN/IM00099.dcm")
        try whole.prefix(whole.count - 200).write(to: truncated)
        try Data("not DICOM\n".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        let before = try Self.snapshot(dir)
        let server = try OrthancTestServer()
        defer { server.stop() }

        for url in [server.dicomURL, server.stowURL] {
            let r = try Fixtures.run(DICOMFixture.binary, ["send", dir.path, "--to", url, "--retries", "1", "--retry-delay", "0.05"])
            #expect(r.status == 1, "\(url): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n").map(String.init)
            #expect(lines.filter { $0.hasPrefix("mri-daps: not stored: ") }
                    == ["mri-daps: not stored: \(truncated.path): not a readable DICOM Part 10 file: Invalid stream [not sent, 0 attempts]"],
                    "\(url): \(r.stderr)")
            #expect(lines.last?.hasPrefix("mri-daps: error: 1 of 8 instances were not stored at ") == true, "\(url): \(r.stderr)")
            #expect(r.stdout.contains("7 of 8 instances stored") && r.stdout.contains("1 non-DICOM file(s) skipped"), "\(r.stdout)")
            #expect(try Self.snapshot(dir) == before, "\(url): files changed or removed")
        }
        try Self.verifyArrival(in: server, of: summary)

        // A SOP class Orthanc does not accept: its presentation context is refused, the rest still goes.
        let odd = scratch.appendingPathComponent("odd")
        try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
        let mr = Data("1.2.840.10008.5.1.4.1.1.4\0".utf8), unknown = Data("1.2.840.10008.5.1.4.1.1.0\0".utf8)
        var bytes = whole
        while let range = bytes.range(of: mr) { bytes.replaceSubrange(range, with: unknown) }
        try bytes.write(to: odd.appendingPathComponent("unknown-class.dcm"))
        try FileManager.default.copyItem(at: summary.result.series[2].files[0], to: odd.appendingPathComponent("map.dcm"))
        let sender = try DICOMSender(destination: try DICOMDestination(parsing: server.dicomURL))
        let report = try sender.send(directory: odd)
        #expect(report.failed.map(\.file.lastPathComponent) == ["unknown-class.dcm"])
        #expect(report.failed.first?.reason?.contains("accepted no presentation context for SOP class 1.2.840.10008.5.1.4.1.1.0") == true,
                "\(report.failed.first?.reason ?? "")")
        #expect(report.instances.first { $0.file.lastPathComponent == "map.dcm" }?.stored == true)

        // A called AE title Orthanc does not answer to: one line, the URL and the reason.
        let rejected = try Fixtures.run(DICOMFixture.binary, ["send", dir.path, "--to", "dicom://NOTORTHANC@127.0.0.1:\(server.dicomPort)"])
        #expect(rejected.status != 0)
        #expect(rejected.stderr == "mri-daps: error: dicom://NOTORTHANC@127.0.0.1:\(server.dicomPort): association rejected by NOTORTHANC@127.0.0.1:\(server.dicomPort) (check the called and calling AE titles)\n",
                "\(rejected.stderr)")
    }

    @Test("an unreachable PACS (dicom:// and http://): retries, then one error line naming the URL, exit ≠ 0, files kept")
    func unreachable() throws {
        let (scratch, dir, _) = try Self.exportStudy()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let before = try Self.snapshot(dir)
        let port = try Self.freePort()
        for url in ["dicom://ORTHANC@127.0.0.1:\(port)", "http://127.0.0.1:\(port)/dicom-web"] {
            let start = Date()
            let r = try Fixtures.run(DICOMFixture.binary, ["send", dir.path, "--to", url, "--retries", "2", "--retry-delay", "0.1"])
            let elapsed = Date().timeIntervalSince(start)
            #expect(r.status == 1)
            #expect(r.stdout.isEmpty, "\(r.stdout)")
            let lines = r.stderr.split(separator: "\n").map(String.init)
            let errors = lines.filter { $0.hasPrefix("mri-daps: error: ") }
            #expect(errors.count == 1 && errors[0].hasPrefix("mri-daps: error: \(url): cannot reach the PACS: ")
                    && errors[0].hasSuffix("(3 attempts)"), "\(r.stderr)")
            #expect(errors.first?.contains("refused") == true, "\(r.stderr)")
            // The other lines are the two retry notes, with doubling delays 0.1 s and 0.2 s.
            #expect(lines.filter { $0.contains("retrying 7 instance(s)") }.count == 2, "\(r.stderr)")
            #expect(lines.contains { $0.contains("in 0.2 s (retry 2 of 2)") }, "\(r.stderr)")
            #expect(elapsed >= 0.3, "backoff not applied: \(elapsed) s")
        }
        #expect(try Self.snapshot(dir) == before)
    }

    @Test("C-STORE proposes exactly the SOP classes sent (Explicit then Implicit VR LE) with the calling AE; implicit-only peers still get every pixel",
          .enabled(if: Fixtures.executable("storescp") != nil, "dcmtk storescp not installed"))
    func presentationContextsAgainstStorescp() throws {
        let (scratch, dir, summary) = try Self.exportStudy()
        defer { try? FileManager.default.removeItem(at: scratch) }

        /// Runs storescp (debug log) while `body` sends to it; returns its log and what it stored.
        func withStorescp(_ extra: [String], _ body: (Int) throws -> Void) throws -> (log: String, received: URL) {
            let port = try Self.freePort()
            let received = scratch.appendingPathComponent("scp-\(port)")
            try FileManager.default.createDirectory(at: received, withIntermediateDirectories: true)
            let logURL = scratch.appendingPathComponent("scp-\(port).log")
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
            let log = try FileHandle(forWritingTo: logURL)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: try #require(Fixtures.executable("storescp")))
            p.arguments = ["--log-level", "debug", "--aetitle", "STORESCP", "-od", received.path] + extra + ["\(port)"]
            p.standardOutput = log
            p.standardError = log
            try p.run()
            defer {
                // By PID, the Process we started; SIGKILL because children of the test runner
                // inherit a signal mask that blocks SIGTERM.
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                try? log.close()
            }
            try body(port)
            return (try String(contentsOf: logURL, encoding: .utf8), received)
        }

        // Only the MR series: only MR Image Storage may be proposed; a custom calling AE.
        let meanOnly = scratch.appendingPathComponent("mean-only")
        try FileManager.default.copyItem(at: dir.appendingPathComponent("S001_MEAN"), to: meanOnly)
        let a = try withStorescp([]) { port in
            let r = try Fixtures.run(DICOMFixture.binary, [
                "send", meanOnly.path, "--to", "dicom://STORESCP@127.0.0.1:\(port)", "--aet", "RESEARCH1", "--retries", "5", "--retry-delay", "0.1",
            ])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(Self.proposed(a.log) == ["MRImageStorage": ["LittleEndianExplicit", "LittleEndianImplicit"]], "\(Self.proposed(a.log))")
        #expect(a.log.contains("Calling Application Name:    RESEARCH1"))

        // All three series, to a peer that accepts only Implicit VR LE: converted, pixels intact.
        let b = try withStorescp(["+xi"]) { port in
            var o = DICOMSender.Options()
            o.retries = 5
            o.initialBackoff = 0.1
            let report = try DICOMSender(destination: try DICOMDestination(parsing: "dicom://STORESCP@127.0.0.1:\(port)"), options: o).send(directory: dir)
            #expect(report.allStored && report.instances.count == 7)
        }
        #expect(Self.proposed(b.log) == ["MRImageStorage": ["LittleEndianExplicit", "LittleEndianImplicit"],
                                         "ParametricMapStorage": ["LittleEndianExplicit", "LittleEndianImplicit"]], "\(Self.proposed(b.log))")
        #expect(b.log.contains("Accepted Transfer Syntax: =LittleEndianImplicit"))
        let stored = try FileManager.default.contentsOfDirectory(atPath: b.received.path)
        #expect(stored.count == 7)
        // storescp writes what it received (implicit VR): the float map must still be bit-exact.
        let mapUID = try #require(Self.explicitString(try Data(contentsOf: summary.result.series[2].files[0]), group: 0x0008, element: 0x0018))
        let pm = try #require(stored.first { $0.hasSuffix("." + mapUID) }, "\(stored)")
        let data = try Data(contentsOf: b.received.appendingPathComponent(pm))
        let floats = try #require(Self.implicitFloatPixels(data))
        #expect(DICOMPixelBytes.floats(floats).map(\.bitPattern) == DICOMFixture.std.storage.map(\.bitPattern))
    }

    /// Abstract syntax → proposed transfer syntaxes, from a storescp debug log.
    static func proposed(_ log: String) -> [String: [String]] {
        var result = [String: [String]]()
        var inProposed = false, current: String?
        for raw in log.split(separator: "\n") {
            let line = (raw.hasPrefix("D: ") ? raw.dropFirst(3) : raw[...]).trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("Context ID:") {
                inProposed = line.hasSuffix("(Proposed)")
                current = nil
            } else if inProposed, line.hasPrefix("Abstract Syntax: =") {
                current = String(line.dropFirst("Abstract Syntax: =".count))
            } else if inProposed, let c = current, line.hasPrefix("="), !line.contains(":") {
                let ts = String(line.dropFirst())
                if !(result[c, default: []].contains(ts)) { result[c, default: []].append(ts) }
            } else if line.hasPrefix("Requested Extended Negotiation") {
                inProposed = false
            }
        }
        return result
    }

    /// FloatPixelData of an implicit VR LE dataset (tag, 4-byte length, value) after the meta header.
    static func implicitFloatPixels(_ file: Data) -> Data? {
        let b = [UInt8](file)
        let tag: [UInt8] = [0xE0, 0x7F, 0x08, 0x00]
        var i = b.count - 8
        while i >= 132 {  // the pixel element is the last one: search from the end
            if Array(b[i..<(i + 4)]) == tag {
                let n = Int(b[i + 4]) | Int(b[i + 5]) << 8 | Int(b[i + 6]) << 16 | Int(b[i + 7]) << 24
                if i + 8 + n == b.count { return Data(b[(i + 8)...]) }
            }
            i -= 1
        }
        return nil
    }
}
