import Foundation
import MRIIO
@testable import PACS
import Testing
import _TestSupport

/// Where STOW-RS credentials come from (precedence, netrc files and their permissions), the
/// command-line warning, and that no password reaches stdout, stderr, a report or a DICOM file,
/// with `send` and `recon --send` against a real Orthanc.
@Suite(.serialized) struct DICOMCredentialTests {
    static let warning = "mri-daps: warning: a password on the command line is visible to other local users in the process list and stays in the shell history; "
        + "give it in MRI_DAPS_PACS_CREDENTIALS=USER:PASSWORD, --credentials-file FILE or --netrc instead\n"

    /// Writes `text` to `dir/name` with permission bits `mode`.
    static func write(_ text: String, _ name: String, in dir: URL, mode: Int = 0o600) throws -> URL {
        let u = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: u)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: u.path)
        return u
    }

    @Test("netrc syntax: machine entries by host (case-insensitive), default as fallback, macdef bodies and account skipped")
    func netrcParsing() throws {
        let text = """
            machine other.example login x password y
            macdef init
            machine pacs.example login macro password fake

            machine PACS.example
              login alice account a1
              password s3cret
            default login guest password guestpw
            """
        #expect(DICOMCredentials.parseNetrc(text) == [
            .init(machine: "other.example", login: "x", password: "y"),
            .init(machine: "PACS.example", login: "alice", password: "s3cret"),
            .init(machine: nil, login: "guest", password: "guestpw"),
        ])
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try Self.write(text, "creds", in: dir)
        let lookup = DICOMCredentials.Lookup(file: f)
        #expect(try DICOMDestination(parsing: "https://pacs.example/dicom-web", lookup: lookup).credentials
                == DICOMCredentials(user: "alice", password: "s3cret", source: .file))
        #expect(try DICOMDestination(parsing: "https://elsewhere:8443/dicom-web", lookup: lookup).credentials
                == DICOMCredentials(user: "guest", password: "guestpw", source: .file))
    }

    @Test("precedence: --user, then the URL, then --credentials-file, then MRI_DAPS_PACS_CREDENTIALS, then --netrc")
    func precedence() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.write("default login fileuser password filepw\n", "creds", in: dir)
        let netrc = try Self.write("machine h login netrcuser password netrcpw\n", ".netrc", in: dir)
        func resolved(_ url: String, _ l: DICOMCredentials.Lookup) throws -> DICOMCredentials? {
            try DICOMDestination(parsing: url, lookup: l).credentials
        }
        let all = DICOMCredentials.Lookup(option: "optuser:optpw", file: file, environment: "envuser:envpw", netrc: netrc)
        #expect(try resolved("http://urluser:urlpw@h/x", all)?.source == .option)
        var l = all
        l.option = nil
        #expect(try resolved("http://urluser:urlpw@h/x", l) == DICOMCredentials(user: "urluser", password: "urlpw", source: .url))
        #expect(try resolved("http://h/x", l) == DICOMCredentials(user: "fileuser", password: "filepw", source: .file))
        l.file = nil
        #expect(try resolved("http://h/x", l) == DICOMCredentials(user: "envuser", password: "envpw", source: .environment))
        l.environment = nil
        #expect(try resolved("http://h/x", l) == DICOMCredentials(user: "netrcuser", password: "netrcpw", source: .netrc))
        l.netrc = nil
        #expect(try resolved("http://h/x", l) == nil)
        // The environment is ignored for DIMSE; options naming credentials are refused there.
        #expect(try DICOMDestination(parsing: "dicom://AE@h:104", lookup: .init(environment: "u:p")).credentials == nil)
        #expect(throws: MRIIOError.self) { _ = try DICOMDestination(parsing: "dicom://AE@h:104", lookup: .init(file: file)) }
        // Only a password typed on the command line counts as visible.
        #expect(try DICOMDestination(parsing: "http://u:p@h/x", lookup: .init(environment: "a:b")).passwordOnCommandLine)
        #expect(try DICOMDestination(parsing: "http://h/x", lookup: .init(option: "u:p")).passwordOnCommandLine)
        #expect(try !DICOMDestination(parsing: "http://u@h/x", lookup: .init()).passwordOnCommandLine)
        #expect(try !DICOMDestination(parsing: "http://h/x", lookup: .init(file: file, environment: "a:b")).passwordOnCommandLine)
    }

    @Test("a credentials file is refused with one line (no password) unless it is a regular file of ours with no group/other bits")
    func filePermissions() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = "pw-never-shown"
        let body = "default login u password \(secret)\n"
        var cases: [(URL, String)] = [
            (try Self.write(body, "group-readable", in: dir, mode: 0o640), "mode 640"),
            (try Self.write(body, "world-readable", in: dir, mode: 0o604), "mode 604"),
            (dir, "not a regular file"),
            (dir.appendingPathComponent("missing"), "No such file"),
            (try Self.write("machine other login u password \(secret)\n", "no-entry", in: dir), "no 'machine h' or 'default' entry"),
        ]
        if geteuid() == 0 {  // root can give a file away to another owner
            let foreign = try Self.write(body, "foreign", in: dir)
            #expect(chown(foreign.path, 65534, 65534) == 0)
            cases.append((foreign, "owned by uid 65534"))
        }
        for (file, fragment) in cases {
            do {
                _ = try DICOMDestination(parsing: "https://h/dicom-web", lookup: .init(file: file))
                Issue.record("\(file.path) accepted")
            } catch {
                let d = "\(error)"
                #expect(d.hasPrefix("--credentials-file: ") && d.contains(fragment) && !d.contains(secret) && !d.contains("\n"), "\(d)")
            }
        }
        _ = try DICOMDestination(parsing: "https://h/dicom-web", lookup: .init(file: try Self.write(body, "ok", in: dir, mode: 0o400)))
    }

    @Test("malformed destinations never echo a password, even when the URL does not parse")
    func redaction() {
        for text in ["http://u:pw-XYZ@h:99999/x", "http://u:pw-XYZ@bad host/x", "ftp://u:pw-XYZ@h/x", "dicom://AE:pw-XYZ@h:104"] {
            do {
                _ = try DICOMDestination(parsing: text)
                Issue.record("\(text) accepted")
            } catch {
                #expect(!"\(error)".contains("pw-XYZ") && "\(error)".hasPrefix("--to: "), "\(error)")
            }
        }
        #expect(throws: MRIIOError.self) { _ = try DICOMDestination(parsing: "http://h/x", lookup: .init(environment: "no-colon")) }
    }

    // MARK: - Through the binary, against Orthanc

    /// Every byte written under `dir` (reports, reconstructions, DICOM files) as one blob.
    static func allBytes(under dir: URL) throws -> Data {
        var all = Data()
        for case let u as URL in FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)! {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir), !isDir.boolValue { all += try Data(contentsOf: u) }
        }
        return all
    }

    /// One way of giving the credentials: extra arguments, environment, whether it is the command line.
    struct Way {
        var name: String
        var arguments: [String]
        var environment: [String: String?]
        var url: (OrthancTestServer) -> String
        var warns: Bool
    }

    /// The five sources, each carrying `user:password`; file and netrc are written into `dir`.
    static func ways(user: String, password: String, dir: URL) throws -> [Way] {
        let home = dir.appendingPathComponent("home-\(password.count)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let netrc = "machine 127.0.0.1 login \(user) password \(password)\n"
        let file = try write(netrc, "creds-\(password.count)", in: dir)
        _ = try write(netrc, ".netrc", in: home)
        let plain: (OrthancTestServer) -> String = { "http://127.0.0.1:\($0.httpPort)/dicom-web" }
        let none: [String: String?] = ["MRI_DAPS_PACS_CREDENTIALS": nil]
        return [
            Way(name: "environment", arguments: [], environment: ["MRI_DAPS_PACS_CREDENTIALS": "\(user):\(password)"], url: plain, warns: false),
            Way(name: "--credentials-file", arguments: ["--credentials-file", file.path], environment: none, url: plain, warns: false),
            Way(name: "--netrc", arguments: ["--netrc"], environment: ["HOME": home.path, "MRI_DAPS_PACS_CREDENTIALS": nil], url: plain, warns: false),
            Way(name: "URL", arguments: [], environment: none, url: { "http://\(user):\(password)@127.0.0.1:\($0.httpPort)/dicom-web" }, warns: true),
            Way(name: "--user", arguments: ["--user", "\(user):\(password)"], environment: none, url: plain, warns: true),
        ]
    }

    @Test("send: credentials from each source store the study; the password is in no output; a command-line password warns; a wrong one gives one 401 line without it",
          .enabled(if: OrthancTestServer.available, "Orthanc + orthanc-dicomweb not installed"))
    func sendFromEverySource() throws {
        let (scratch, dir, _) = try DICOMSendTests.exportStudy()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let server = try OrthancTestServer()
        defer { server.stop() }
        let wrong = "wrong-Pa55-\(UUID().uuidString.prefix(8))"
        for way in try Self.ways(user: server.user, password: server.password, dir: scratch) {
            let r = try Fixtures.run(DICOMFixture.binary, ["send", dir.path, "--to", way.url(server)] + way.arguments, environment: way.environment)
            #expect(r.status == 0 && r.stdout.contains("7 of 7 instances stored"), "\(way.name): \(r.stderr)")
            #expect(r.stderr == (way.warns ? Self.warning : ""), "\(way.name): \(r.stderr)")
            #expect(!(r.stdout + r.stderr).contains(server.password), "\(way.name): the password was printed")
        }
        for way in try Self.ways(user: server.user, password: wrong, dir: scratch) {
            let r = try Fixtures.run(DICOMFixture.binary, ["send", dir.path, "--to", way.url(server)] + way.arguments, environment: way.environment)
            let error = "mri-daps: error: http://127.0.0.1:\(server.httpPort)/dicom-web: HTTP 401 Unauthorized: check the credentials\n"
            #expect(r.status == 1 && r.stdout.isEmpty && r.stderr == (way.warns ? Self.warning : "") + error, "\(way.name): \(r.stderr)")
            #expect(!(r.stdout + r.stderr).contains(wrong), "\(way.name): the password was printed")
        }
    }

    @Test("recon --send: credentials from the environment and from a file; the password is in no output, report, reconstruction or DICOM file",
          .enabled(if: OrthancTestServer.available, "Orthanc + orthanc-dicomweb not installed"))
    func reconSendKeepsThePasswordSecret() throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let server = try OrthancTestServer()
        defer { server.stop() }
        let sample = Fixtures.packageRoot.appendingPathComponent("SampleData/brain_colin27_8coil.h5")
        let ways = try Self.ways(user: server.user, password: server.password, dir: scratch).prefix(2)
        for (n, way) in ways.enumerated() {
            let out = scratch.appendingPathComponent("run\(n)")
            let r = try Fixtures.run(DICOMFixture.binary, [
                "recon", sample.path, "--method", "sense", "--accel", "4", "--slices", "1:2", "--out", out.appendingPathComponent("h5").path,
                "--dicom", out.appendingPathComponent("study").path, "--report", out.appendingPathComponent("report.json").path,
                "--send", way.url(server),
            ] + way.arguments, environment: way.environment)
            #expect(r.status == 0 && r.stdout.contains("1 of 1 instances stored"), "\(way.name): \(r.stderr)")
            #expect(!(r.stdout + r.stderr).contains(server.password), "\(way.name): the password was printed")
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.json").path))
            #expect(try Self.allBytes(under: out).range(of: Data(server.password.utf8)) == nil, "\(way.name): the password was written")
        }
        // A wrong password: one 401 error line after the study is written, without the password.
        let wrong = "wrong-\(UUID().uuidString.prefix(8))"
        let r = try Fixtures.run(DICOMFixture.binary, [
            "recon", sample.path, "--method", "sense", "--accel", "4", "--slices", "1:2", "--out", scratch.appendingPathComponent("bad/h5").path,
            "--dicom", scratch.appendingPathComponent("bad/study").path, "--send", "http://127.0.0.1:\(server.httpPort)/dicom-web",
        ], environment: ["MRI_DAPS_PACS_CREDENTIALS": "\(server.user):\(wrong)"])
        #expect(r.status == 1 && r.stderr.hasSuffix("HTTP 401 Unauthorized: check the credentials\n") && !r.stderr.contains(wrong), "\(r.stderr)")
    }
}
