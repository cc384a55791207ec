import Foundation
import Testing
import _TestSupport

/// SIGINT / SIGTERM during `recon` leave nothing behind and exit 130 / 143 with one line; the
/// temporary files of a killed run are removed when the same destination is used again.
@Suite("signals and killed runs leave no partial files", .serialized)
struct InterruptionTests {
    /// Starts a long DAPS run into `out`, waits for its temporary output, sends `signal`, and
    /// returns the exit status and stderr.
    func interrupt(with signal: Int32, scan: URL, out: URL) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["recon", scan.path, "--accel", "2", "--annealing-steps", "20000", "--out", out.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
            if names.contains(where: { $0.contains(".partial-") }) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.3)
        kill(p.processIdentifier, signal)
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: e, as: UTF8.self))
    }

    @Test("SIGINT → 130, SIGTERM → 143, one line, no temporary file, no new folder", arguments: [SIGINT, SIGTERM])
    func signalCleansUp(_ signal: Int32) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("scan.h5")
        try CLI.writeSmallScan(to: scan)
        let out = dir.appendingPathComponent("new/out")
        let r = try interrupt(with: signal, scan: scan, out: out)
        #expect(r.status == 128 + signal, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n").filter { !$0.contains("slice") }
        #expect(lines.count == 1 && lines[0].contains("interrupted"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["scan.h5"], "left behind")
    }

    @Test("temporary files of killed runs are removed on the next run; a live-looking one is kept")
    func stalePartialsSwept() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = dir.appendingPathComponent("scan.h5")
        try CLI.writeSmallScan(to: scan)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        var deadPID: Int32 = 4_000_000
        while kill(deadPID, 0) == 0 || errno != ESRCH { deadPID -= 1 }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let hostName = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let dead = ".scan.h5.partial-\(deadPID)-\(UUID().uuidString)@\(hostName)"
        let old = ".scan.h5.partial-\(UUID().uuidString)"
        let recent = ".scan.h5.partial-\(UUID().uuidString)"
        for n in [dead, old, recent] { try Data(count: 100).write(to: out.appendingPathComponent(n)) }
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)],
                                              ofItemAtPath: out.appendingPathComponent(old).path)
        let r = try CLI.run(["recon", scan.path, "--method", "zero-filled", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(left == ["scan.h5", recent], "\(left)")
    }
}
