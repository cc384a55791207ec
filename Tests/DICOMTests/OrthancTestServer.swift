import Foundation
import _TestSupport

/// A throw-away Orthanc started by `scripts/orthanc-test-server.sh` (temporary storage, free
/// ports, DicomWeb plugin, user mridaps:test-secret) and stopped by PID in `stop()`; the script's
/// watchdog also stops it if this test process dies first. REST calls go through curl.
final class OrthancTestServer {
    /// True when Orthanc, its DicomWeb plugin, curl and python3 (free ports) are installed.
    static let available: Bool = {
        Fixtures.executable("Orthanc") != nil && Fixtures.executable("curl") != nil
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
            && (FileManager.default.fileExists(atPath: "/usr/share/orthanc/plugins/libOrthancDicomWeb.so")
                || ProcessInfo.processInfo.environment["ORTHANC_DICOMWEB_PLUGIN"] != nil)
    }()

    static let script = Fixtures.packageRoot.appendingPathComponent("scripts/orthanc-test-server.sh").path

    let directory: URL
    let pid: Int32
    let httpPort: Int
    let dicomPort: Int
    let aet: String
    let user: String
    let password: String
    private var stopped = false

    /// Starts a fresh server in a new temporary directory.
    init() throws {
        directory = try Fixtures.temporaryDirectory()
        let r = try Fixtures.run("/bin/bash", [Self.script, "start", directory.appendingPathComponent("orthanc").path, "\(getpid())"])
        guard r.status == 0 else {
            try? FileManager.default.removeItem(at: directory)
            throw Failure("orthanc-test-server.sh start failed (\(r.status)): \(r.stderr)")
        }
        var env = [String: String]()
        for line in r.stdout.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { env[kv[0]] = kv[1] }
        }
        guard let pid = env["ORTHANC_PID"].flatMap(Int32.init), let http = env["ORTHANC_HTTP_PORT"].flatMap(Int.init),
              let dicom = env["ORTHANC_DICOM_PORT"].flatMap(Int.init), let aet = env["ORTHANC_AET"],
              let user = env["ORTHANC_USER"], let password = env["ORTHANC_PASSWORD"] else {
            throw Failure("orthanc-test-server.sh printed no ports: \(r.stdout)")
        }
        (self.pid, httpPort, dicomPort, self.aet, self.user, self.password) = (pid, http, dicom, aet, user, password)
    }

    /// Stops the server by its PID (idempotent) and deletes its directory.
    func stop() {
        guard !stopped else { return }
        stopped = true
        _ = try? Fixtures.run("/bin/bash", [Self.script, "stop", directory.appendingPathComponent("orthanc").path])
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    /// True while the Orthanc process runs (a zombie not yet reaped by init counts as stopped).
    var isRunning: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    var dicomURL: String { "dicom://\(aet)@127.0.0.1:\(dicomPort)" }
    var stowURL: String { "http://\(user):\(password)@127.0.0.1:\(httpPort)/dicom-web" }
    var restBase: String { "http://127.0.0.1:\(httpPort)" }

    /// GET `path` from the REST API as bytes.
    func getData(_ path: String) throws -> Data {
        let out = directory.appendingPathComponent("get-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try Fixtures.run("/usr/bin/env", ["curl", "-sf", "-u", "\(user):\(password)", "-o", out.path, restBase + path])
        guard r.status == 0 else { throw Failure("GET \(path): curl exit \(r.status) \(r.stderr)") }
        return try Data(contentsOf: out)
    }

    /// GET `path` from the REST API as JSON.
    func getJSON(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: try getData(path))
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}

/// The bytes of a top-level pixel element in an explicit VR little-endian Part 10 file:
/// PixelData (7FE0,0010) OW or FloatPixelData (7FE0,0008) OF, found by its tag and VR.
enum DICOMPixelBytes {
    static func extract(_ file: Data, element: UInt16) -> Data? {
        let vr: [UInt8] = element == 0x0010 ? [0x4F, 0x57] : [0x4F, 0x46]  // "OW" / "OF"
        let header: [UInt8] = [0xE0, 0x7F, UInt8(element & 0xFF), UInt8(element >> 8)] + vr + [0, 0]
        let bytes = [UInt8](file)
        guard bytes.count > header.count + 4 else { return nil }
        var i = 132
        while i + header.count + 4 <= bytes.count {
            if bytes[i] == 0xE0, Array(bytes[i..<(i + header.count)]) == header {
                let l = i + header.count
                let length = Int(bytes[l]) | Int(bytes[l + 1]) << 8 | Int(bytes[l + 2]) << 16 | Int(bytes[l + 3]) << 24
                guard l + 4 + length <= bytes.count else { return nil }
                return Data(bytes[(l + 4)..<(l + 4 + length)])
            }
            i += 1
        }
        return nil
    }

    static func uint16s(_ d: Data) -> [UInt16] { d.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) } }
    static func floats(_ d: Data) -> [Float] { d.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }
}
