import Foundation
import MRIIO
import Testing
import _TestSupport

/// STOW-RS over https against a local TLS endpoint (scripts/stow-https-stub.py) whose certificate
/// a throw-away CA, made with openssl in a temporary folder, signed for `localhost` only.
@Suite(.serialized) struct DICOMTLSTests {
    static let available = Fixtures.executable("openssl") != nil && DICOMFixture.hasPydicom

    /// A throw-away CA and a server certificate for DNS:localhost (no IP address) in `dir`.
    static func makeCertificates(in dir: URL) throws -> (ca: URL, cert: URL, key: URL) {
        let openssl = try #require(Fixtures.executable("openssl"))
        let p = { (name: String) in dir.appendingPathComponent(name).path }
        try "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".write(
            toFile: p("ext.cnf"), atomically: true, encoding: .utf8)
        for args in [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2",
             "-subj", "/CN=mri-daps test hospital CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
             "-out", p("server.pem"), "-days", "2", "-extfile", p("ext.cnf")],
        ] {
            let r = try Fixtures.run(openssl, args)
            try #require(r.status == 0, "openssl \(args[0]): \(r.stderr)")
        }
        return (URL(fileURLWithPath: p("ca.pem")), URL(fileURLWithPath: p("server.pem")), URL(fileURLWithPath: p("server.key")))
    }

    /// Runs the stub with `cert`/`key` and `credentials` while `body` gets its port; stops it by PID.
    static func withStub(cert: URL, key: URL, credentials: String, in dir: URL, _ body: (Int, URL) throws -> Void) throws {
        let portFile = dir.appendingPathComponent("port"), log = dir.appendingPathComponent("received.log")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [Fixtures.packageRoot.appendingPathComponent("scripts/stow-https-stub.py").path, cert.path, key.path,
                       credentials, portFile.path, log.path, "\(getpid())"]
        try p.run()
        // By PID, the Process we started; SIGKILL because test-runner children may block SIGTERM.
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: portFile.path) {
            try #require(p.isRunning && Date() < deadline, "the https stub did not start")
            Thread.sleep(forTimeInterval: 0.05)
        }
        let port = try #require(Int(try String(contentsOf: portFile, encoding: .utf8)))
        try body(port, log)
    }

    @Test("https: an unknown CA fails with one certificate line (no password, no retry); --ca-file succeeds; a certificate for another host name fails",
          .enabled(if: available, "openssl or pydicom not installed"))
    func certificateVerification() throws {
        let (scratch, dir, _) = try DICOMSendTests.exportStudy()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (ca, cert, key) = try Self.makeCertificates(in: scratch)
        let password = "tls-Secret-\(UUID().uuidString.prefix(8))"
        try Self.withStub(cert: cert, key: key, credentials: "alice:\(password)", in: scratch) { port, log in
            let env: [String: String?] = ["MRI_DAPS_PACS_CREDENTIALS": "alice:\(password)"]
            let url = "https://localhost:\(port)/dicom-web"
            func send(_ url: String, _ extra: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
                let r = try Fixtures.run(DICOMFixture.binary, ["send", dir.path, "--to", url, "--retry-delay", "0"] + extra, environment: env)
                #expect(!(r.stdout + r.stderr).contains(password), "the password was printed: \(r.stderr)")
                return r
            }

            let untrusted = try send(url, [])
            #expect(untrusted.status == 1 && untrusted.stdout.isEmpty, "\(untrusted.stdout)")
            #expect(untrusted.stderr.hasPrefix("mri-daps: error: \(url): TLS certificate not accepted: SSL certificate problem: ")
                    && untrusted.stderr.split(separator: "\n").count == 1, "\(untrusted.stderr)")

            let trusted = try send(url, ["--ca-file", ca.path])
            #expect(trusted.status == 0 && trusted.stdout.contains("7 of 7 instances stored at \(url)"), "\(trusted.stderr)")
            #expect(trusted.stderr.isEmpty, "\(trusted.stderr)")
            #expect(try String(contentsOf: log, encoding: .utf8).split(separator: "\n").count == 7)

            let ipURL = "https://127.0.0.1:\(port)/dicom-web"  // the certificate names localhost only
            let wrongHost = try send(ipURL, ["--ca-file", ca.path])
            #expect(wrongHost.status == 1 && wrongHost.stderr.hasPrefix("mri-daps: error: \(ipURL): TLS certificate not accepted: ")
                    && wrongHost.stderr.contains("127.0.0.1") && wrongHost.stderr.split(separator: "\n").count == 1, "\(wrongHost.stderr)")

            let wrongPassword = try Fixtures.run(DICOMFixture.binary, ["send", dir.path, "--to", url, "--ca-file", ca.path],
                                                 environment: ["MRI_DAPS_PACS_CREDENTIALS": "alice:not-\(password)"])
            #expect(wrongPassword.stderr == "mri-daps: error: \(url): HTTP 401 Unauthorized: check the credentials\n", "\(wrongPassword.stderr)")
        }
    }

    @Test("--ca-file is refused with one line for http and dicom destinations and for a file without a PEM certificate")
    func caFileChecks() throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let notPEM = scratch.appendingPathComponent("not.pem")
        try Data("hello\n".utf8).write(to: notPEM)
        for (url, file, fragment) in [("http://h/dicom-web", notPEM.path, "applies to https destinations only"),
                                      ("dicom://AE@h:104", notPEM.path, "applies to https destinations only"),
                                      ("https://h/dicom-web", notPEM.path, "holds no PEM certificate"),
                                      ("https://h/dicom-web", scratch.appendingPathComponent("missing.pem").path, "cannot read it")] {
            let r = try Fixtures.run(DICOMFixture.binary, ["send", scratch.path, "--to", url, "--ca-file", file])
            #expect(r.status == 1 && r.stderr.hasPrefix("mri-daps: error: --ca-file: ") && r.stderr.contains(fragment)
                    && r.stderr.split(separator: "\n").count == 1, "\(url): \(r.stderr)")
        }
    }
}
