import Foundation

/// A temporary directory beside the final output directory, renamed onto it by `commit()`, so a
/// reader never sees a partial set of files. The destination may be absent or an empty
/// directory; a non-empty one is refused unless `overwrite` is true, and even then it is replaced
/// only when it is a study folder mri-daps wrote (`OutputOwnership.foreignItem`) and neither is
/// nor contains a protected path (`OutputOwnership.protectedReason`). `commit()` writes the
/// ownership marker listing every file.
struct AtomicDirectoryOutput {
    let destination: URL
    let temporary: URL
    let overwrite: Bool

    /// Checks the destination and creates the temporary directory.
    init(_ destination: URL, overwrite: Bool, protecting protected: [URL] = []) throws {
        let dest = destination.standardizedFileURL
        let parent = dest.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDir), isDir.boolValue else {
            throw MRIIOError.writeFailed(file: dest.path, reason: "parent directory \(parent.path) does not exist")
        }
        try Self.checkReplaceable(dest, overwrite: overwrite, protecting: protected)
        self.destination = dest
        self.overwrite = overwrite
        TemporaryOutputs.sweepStale(beside: dest)
        temporary = TemporaryOutputs.make(beside: dest)
        if mkdir(temporary.path, 0o755) != 0 {
            let reason = String(cString: strerror(errno))
            TemporaryOutputs.forget(temporary)
            throw MRIIOError.writeFailed(file: dest.path, reason: reason)
        }
    }

    /// Throws unless `dest` neither is nor contains a protected path and is absent, an empty
    /// directory, or (with `overwrite`) a study folder mri-daps wrote.
    static func checkReplaceable(_ dest: URL, overwrite: Bool, protecting protected: [URL]) throws {
        if let reason = OutputOwnership.protectedReason(forFolder: dest, protecting: protected) {
            throw MRIIOError.invalidValue(name: dest.path, reason: reason)
        }
        try checkReplaceable(dest, overwrite: overwrite)
    }

    /// Throws unless `dest` is absent, an empty directory, or (with `overwrite`) a study folder
    /// mri-daps wrote.
    static func checkReplaceable(_ dest: URL, overwrite: Bool) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dest.path, isDirectory: &isDir) else { return }
        guard isDir.boolValue else { throw MRIIOError.writeFailed(file: dest.path, reason: "exists and is not a directory") }
        let items = (try? FileManager.default.contentsOfDirectory(atPath: dest.path)) ?? []
        guard !items.isEmpty else { return }
        guard overwrite else { throw MRIIOError.exists(file: dest.path) }
        if let item = OutputOwnership.foreignItem(inStudyFolder: dest) {
            throw MRIIOError.notOwned(file: dest.path, item: item)
        }
    }

    /// Writes the ownership marker, then renames the temporary directory onto the destination
    /// (`rename(2)`, which also replaces an empty directory). A study folder mri-daps wrote
    /// (only with `overwrite`) is first moved aside and deleted after the rename.
    func commit() throws {
        var aside: URL?
        do {
            try OutputOwnership.writeStudyMarker(in: temporary)
            try Self.checkReplaceable(destination, overwrite: overwrite)
            if let items = try? FileManager.default.contentsOfDirectory(atPath: destination.path), !items.isEmpty {
                // Not registered: a signal now leaves the old study aside (swept later), not deleted.
                let old = TemporaryOutputs.make(beside: destination, register: false)
                if rename(destination.path, old.path) != 0 {
                    throw MRIIOError.writeFailed(file: destination.path, reason: String(cString: strerror(errno)))
                }
                aside = old
            }
        } catch {
            discard()
            throw error
        }
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            if let aside { _ = rename(aside.path, destination.path) }
            discard()
            throw MRIIOError.writeFailed(file: destination.path, reason: reason)
        }
        TemporaryOutputs.forget(temporary)
        if let aside { try? FileManager.default.removeItem(at: aside) }
    }

    /// Deletes the temporary directory and everything in it.
    func discard() {
        try? FileManager.default.removeItem(at: temporary)
        TemporaryOutputs.forget(temporary)
    }
}
