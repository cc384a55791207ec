import Foundation

/// The hidden temporary outputs of this process, named `.NAME.partial-PID-UUID@HOST` beside
/// their destination, so that an interrupted run can remove them (`removeAll`, called by the
/// command's signal handler) and a later run can remove those a killed run left (`sweepStale`).
public enum TemporaryOutputs {
    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var paths = Set<String>()
        var folders = [String]()
    }
    private static let registry = Registry()

    /// Seconds without modification after which a temporary output whose writer cannot be
    /// checked (another host, or a name without a process ID) counts as abandoned. Writers
    /// touch their file at least once per slice.
    static let abandonedAfter: TimeInterval = 3600

    /// A new temporary path beside `destination`, registered for `removeAll` unless `register` is false.
    static func make(beside destination: URL, register: Bool = true) -> URL {
        let name = ".\(destination.lastPathComponent).partial-\(getpid())-\(UUID().uuidString)@\(hostName)"
        let url = destination.deletingLastPathComponent().appendingPathComponent(name)
        guard register else { return url }
        registry.lock.lock()
        registry.paths.insert(url.path)
        registry.lock.unlock()
        return url
    }

    /// Registers a scratch file or folder of this process for `removeAll` (deleted when the
    /// command fails or is interrupted; the owner deletes it and calls `forget` otherwise).
    public static func register(_ url: URL) {
        registry.lock.lock()
        registry.paths.insert(url.path)
        registry.lock.unlock()
    }

    /// Forgets `url` (after it was renamed into place or deleted).
    public static func forget(_ url: URL) {
        registry.lock.lock()
        registry.paths.remove(url.path)
        registry.lock.unlock()
    }

    /// Deletes every temporary output this process has not yet committed or discarded, then
    /// the folders `createFolders` made that are still empty; for a signal handler or a failed
    /// run, which then exits.
    public static func removeAll() {
        registry.lock.lock()
        let paths = registry.paths, folders = registry.folders
        registry.paths.removeAll()
        registry.folders.removeAll()
        registry.lock.unlock()
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
        for f in folders.reversed() { rmdir(f) }
    }

    /// Creates `folder` and any missing ancestors (mode 755), remembering each one it made so
    /// that `removeAll` can remove them again while empty.
    /// - Throws: `MRIIOError.writeFailed` with the system's reason.
    public static func createFolders(_ folder: URL) throws {
        var missing = [URL]()
        var p = folder.standardizedFileURL
        while !FileManager.default.fileExists(atPath: p.path), p.pathComponents.count > 1 {
            missing.insert(p, at: 0)
            p.deleteLastPathComponent()
        }
        for m in missing {
            guard mkdir(m.path, 0o755) == 0 || errno == EEXIST else {
                throw MRIIOError.writeFailed(file: folder.path, reason: "cannot create \(m.path): \(String(cString: strerror(errno)))")
            }
            registry.lock.lock()
            registry.folders.append(m.path)
            registry.lock.unlock()
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            throw MRIIOError.writeFailed(file: folder.path, reason: "exists and is not a directory")
        }
    }

    /// Deletes the temporary outputs of `destination` that earlier runs left behind: those of
    /// a process of this host that no longer runs, and those unmodified for `abandonedAfter`.
    static func sweepStale(beside destination: URL) {
        let dir = destination.deletingLastPathComponent()
        let prefix = ".\(destination.lastPathComponent).partial-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            let path = dir.appendingPathComponent(name).path
            if isStale(String(name.dropFirst(prefix.count)), path: path) {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    /// `tag` is `PID-UUID@HOST` (this version) or a bare UUID (earlier versions).
    private static func isStale(_ tag: String, path: String) -> Bool {
        if let at = tag.lastIndex(of: "@"), String(tag[tag.index(after: at)...]) == hostName,
           let pid = Int32(tag.prefix { $0 != "-" }) {
            return pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
        }
        var st = stat()
        guard lstat(path, &st) == 0 else { return false }
        return Date().timeIntervalSince1970 - Double(st.st_mtim.tv_sec) > abandonedAfter
    }

    private static let hostName: String = {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "localhost" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}
