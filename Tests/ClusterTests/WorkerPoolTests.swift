import Cluster
import Foundation
import Testing
import _TestSupport

@Suite("WorkerPool")
struct WorkerPoolTests {
    /// A job that records its start and end (in ms since the epoch) in its log.
    static func job(_ i: Int, in dir: URL, script: String = "sleep 0.4") -> WorkerPool.Job {
        WorkerPool.Job(executable: "/bin/sh", arguments: ["-c", "date +%s%3N; \(script); date +%s%3N"],
                       log: dir.appendingPathComponent("\(i).log"), name: "job \(i)")
    }

    @Test("every job runs once, never more than `workers` at a time, each reported as it ends")
    func concurrency() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var finished = [Int]()
        try WorkerPool(workers: 2).run((0..<5).map { Self.job($0, in: dir) }) { i, _ in finished.append(i) }
        #expect(finished.sorted() == [0, 1, 2, 3, 4])
        var intervals = [(Int, Int)]()
        for i in 0..<5 {
            let t = try String(contentsOf: dir.appendingPathComponent("\(i).log"), encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
            intervals.append((t[0], t[1]))
        }
        // Most jobs overlapping at one instant (an interval's start).
        let most = intervals.map { s in intervals.filter { $0.0 <= s.0 && s.0 < $0.1 }.count }.max()!
        #expect(most == 2)
    }

    @Test("the first failure ends the others and becomes the error, with the job's last line")
    func failure() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // One process (no shell between): Foundation sees a child end only when its descendants have.
        let sleeper = WorkerPool.Job(executable: "/bin/sleep", arguments: ["60"], log: dir.appendingPathComponent("0.log"), name: "job 0")
        let jobs = [sleeper, Self.job(1, in: dir, script: "echo 'mri-daps: error: x.h5: broken' >&2; exit 3")]
        let started = Date()
        #expect(throws: ClusterError.commandFailed(command: "job 1", status: 3, message: "mri-daps: error: x.h5: broken")) {
            try WorkerPool(workers: 2).run(jobs) { _, _ in }
        }
        #expect(Date().timeIntervalSince(started) < 30, "the sleeping job was not ended")
    }
}
