import Foundation

/// A temporary directory beside the final output directory, renamed onto it by `commit()`, so a
/// reader never sees a partial set of files. The destination may be absent or an empty
/// directory; a non-empty one is refused unless `overwrite` is true (then it is replaced as a whole).
struct AtomicDirectoryOutput {
    let destination: URL
    let temporary: URL
    let overwrite: Bool

    /// Checks the destination and creates the temporary directory.
    init(_ destination: URL, overwrite: Bool) throws {
        let dest = destination.standardizedFileURL
        let parent = dest.deletingLastPathComponent()
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: parent.path, isDirectory: &isDir), isDir.boolValue else {
            throw MRIIOError.writeFailed(file: dest.path, reason: "parent directory \(parent.path) does not exist")
        }
        if fm.fileExists(atPath: dest.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw MRIIOError.writeFailed(file: dest.path, reason: "exists and is not a directory") }
            if !overwrite, let items = try? fm.contentsOfDirectory(atPath: dest.path), !items.isEmpty {
                throw MRIIOError.exists(file: dest.path)
            }
        }
        self.destination = dest
        self.overwrite = overwrite
        temporary = parent.appendingPathComponent(".\(dest.lastPathComponent).partial-\(UUID().uuidString)")
        if mkdir(temporary.path, 0o755) != 0 {
            throw MRIIOError.writeFailed(file: dest.path, reason: String(cString: strerror(errno)))
        }
    }

    /// Renames the finished temporary directory onto the destination (`rename(2)`, which also
    /// replaces an empty directory). A non-empty destination (only with `overwrite`) is first
    /// moved aside and deleted after the rename.
    func commit() throws {
        let fm = FileManager.default
        var aside: URL?
        if let items = try? fm.contentsOfDirectory(atPath: destination.path), !items.isEmpty {
            guard overwrite else {
                discard()
                throw MRIIOError.exists(file: destination.path)
            }
            let old = destination.deletingLastPathComponent()
                .appendingPathComponent(".\(destination.lastPathComponent).old-\(UUID().uuidString)")
            if rename(destination.path, old.path) != 0 {
                let reason = String(cString: strerror(errno))
                discard()
                throw MRIIOError.writeFailed(file: destination.path, reason: reason)
            }
            aside = old
        }
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            if let aside { _ = rename(aside.path, destination.path) }
            discard()
            throw MRIIOError.writeFailed(file: destination.path, reason: reason)
        }
        if let aside { try? fm.removeItem(at: aside) }
    }

    /// Deletes the temporary directory and everything in it.
    func discard() {
        try? FileManager.default.removeItem(at: temporary)
    }
}
