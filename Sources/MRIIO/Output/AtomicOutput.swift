import Foundation

/// A temporary file beside the final output, renamed over it on `commit()`, so a reader never
/// sees a partial file. Refuses to replace an existing output unless `overwrite` is true.
struct AtomicOutput {
    let destination: URL
    let temporary: URL
    let overwrite: Bool

    init(_ destination: URL, overwrite: Bool) throws {
        let dest = destination.standardizedFileURL
        let dir = dest.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw MRIIOError.writeFailed(file: dest.path, reason: "directory \(dir.path) does not exist")
        }
        if !overwrite && FileManager.default.fileExists(atPath: dest.path) {
            throw MRIIOError.exists(file: dest.path)
        }
        self.destination = dest
        self.overwrite = overwrite
        temporary = dir.appendingPathComponent(".\(dest.lastPathComponent).partial-\(UUID().uuidString)")
    }

    /// Moves the finished temporary file onto the destination (atomic `rename(2)`).
    func commit() throws {
        if !overwrite && FileManager.default.fileExists(atPath: destination.path) {
            discard()
            throw MRIIOError.exists(file: destination.path)
        }
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw MRIIOError.writeFailed(file: destination.path, reason: reason)
        }
    }

    /// Deletes the temporary file, if any.
    /// Finishes an HDF5 output: checks that every slice was written, writes `attributes` in
    /// order, flushes, closes `file` and renames the temporary file into place. Errors name the
    /// destination, not the temporary file.
    func finish(_ file: HDF5File, written: [Bool], attributes: [(String, HDF5AttributeValue)]) throws {
        if let missing = written.firstIndex(of: false) {
            throw MRIIOError.writeFailed(file: destination.path, reason: "slice \(missing) was never written")
        }
        do {
            for (k, v) in attributes { try file.setAttribute(k, v) }
            try file.flush()
        } catch {
            throw FastMRIWriter.renamed(error, from: temporary.path, to: destination.path)
        }
        file.close()
        try commit()
    }

    func discard() {
        try? FileManager.default.removeItem(at: temporary)
    }
}
