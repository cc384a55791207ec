import Foundation
import MRIIO

/// What this machine can give a run: memory (the kernel's `MemAvailable`, capped by a cgroup v2
/// `memory.max`) and free disk space under a path.
public enum SystemResources {
    /// Bytes of memory available to this process now (nil when the system does not say).
    public static func availableMemory() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        var available = kb * 1024
        if let limit = cgroupLimit() { available = min(available, limit) }
        return available
    }

    /// Free bytes for an unprivileged writer on the file system holding `path` (or its nearest
    /// existing ancestor); nil when unknown.
    public static func freeDiskSpace(at path: URL) -> Int? {
        var s = statvfs()
        guard statvfs(OutputFolder.nearestExisting(path).path, &s) == 0 else { return nil }
        let (bytes, overflow) = Int(s.f_bavail).multipliedReportingOverflow(by: Int(s.f_frsize))
        return overflow ? Int.max : bytes
    }

    /// A cgroup v2 memory limit minus what the group already uses, when one is set.
    private static func cgroupLimit() -> Int? {
        func read(_ name: String) -> Int? {
            (try? String(contentsOfFile: "/sys/fs/cgroup/\(name)", encoding: .utf8))
                .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard let max = read("memory.max") else { return nil }
        return max - (read("memory.current") ?? 0)
    }

    /// `bytes` as "1.2 GB" / "340 MB" / "1.4 MB".
    public static func format(_ bytes: Int) -> String {
        let mb = Double(bytes) / Double(1 << 20)
        if bytes >= 1 << 30 { return String(format: "%.1f GB", mb / 1024) }
        return String(format: mb < 10 ? "%.1f MB" : "%.0f MB", mb)
    }
}
