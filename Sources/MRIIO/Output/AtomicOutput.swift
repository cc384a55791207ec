import Foundation

/// A temporary file beside the final output, renamed over it on `commit()`, so a reader never
/// sees a partial file. An existing output is replaced only with `overwrite` and only when
/// `owned` recognises it as one mri-daps wrote (`OutputOwnership`); a directory is never replaced.
/// Temporary files of earlier killed runs for the same destination are removed first
/// (`TemporaryOutputs.sweepStale`), and this one is registered for removal on a signal.
struct AtomicOutput {
    let destination: URL
    let temporary: URL
    let overwrite: Bool
    let owned: @Sendable (URL) -> Bool

    init(_ destination: URL, overwrite: Bool, owned: @escaping @Sendable (URL) -> Bool = OutputOwnership.isOwnedHDF5) throws {
        let dest = destination.standardizedFileURL
        let dir = dest.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw MRIIOError.writeFailed(file: dest.path, reason: "directory \(dir.path) does not exist")
        }
        self.destination = dest
        self.overwrite = overwrite
        self.owned = owned
        try Self.checkReplaceable(dest, overwrite: overwrite, owned: owned)
        TemporaryOutputs.sweepStale(beside: dest)
        temporary = TemporaryOutputs.make(beside: dest)
    }

    /// Throws unless `dest` is absent, or replaceable (`overwrite` and owned).
    static func checkReplaceable(_ dest: URL, overwrite: Bool, owned: (URL) -> Bool) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dest.path, isDirectory: &isDir) else { return }
        if isDir.boolValue { throw MRIIOError.writeFailed(file: dest.path, reason: "is a directory") }
        guard overwrite else { throw MRIIOError.exists(file: dest.path) }
        guard owned(dest) else { throw MRIIOError.notOwned(file: dest.path, item: dest.path) }
    }

    /// Moves the finished temporary file onto the destination (atomic `rename(2)`).
    func commit() throws {
        do {
            try Self.checkReplaceable(destination, overwrite: overwrite, owned: owned)
        } catch {
            discard()
            throw error
        }
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw MRIIOError.writeFailed(file: destination.path, reason: reason)
        }
        TemporaryOutputs.forget(temporary)
    }

    /// Finishes an HDF5 output: checks that every slice was written, writes `attributes` in
    /// order (with `software` = "mri-daps" unless it already names mri-daps: the mark
    /// `OutputOwnership` reads; a `software` copied from an input is replaced),
    /// flushes, closes `file` and renames the temporary file into place. Errors name the
    /// destination, not the temporary file.
    func finish(_ file: HDF5File, written: [Bool], attributes: [(String, HDF5AttributeValue)]) throws {
        if let missing = written.firstIndex(of: false) {
            throw MRIIOError.writeFailed(file: destination.path, reason: "slice \(missing) was never written")
        }
        var attributes = attributes.filter { name, value in
            name != OutputOwnership.softwareAttribute || value.stringValue.hasPrefix(OutputOwnership.softwarePrefix)
        }
        if !attributes.contains(where: { $0.0 == OutputOwnership.softwareAttribute }) {
            attributes.append((OutputOwnership.softwareAttribute, .string(OutputOwnership.softwarePrefix)))
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

    /// Deletes the temporary file, if any.
    func discard() {
        try? FileManager.default.removeItem(at: temporary)
        TemporaryOutputs.forget(temporary)
    }
}
