import Foundation

/// Where an output folder will be: it exists, or its nearest existing ancestor is where the run
/// creates it (`TemporaryOutputs.createFolders`).
public enum OutputFolder {
    /// `folder` itself when it exists, else its nearest existing ancestor.
    public static func nearestExisting(_ folder: URL) -> URL {
        var p = folder.standardizedFileURL
        while !FileManager.default.fileExists(atPath: p.path), p.pathComponents.count > 1 { p.deleteLastPathComponent() }
        return p
    }

    /// Throws `MRIIOError.writeFailed` (naming `output`, else `folder`) unless the nearest
    /// existing ancestor of `folder` (or `folder` itself) is a directory this process may write into.
    public static func checkCreatable(_ folder: URL, for output: URL? = nil) throws {
        let p = nearestExisting(folder), name = (output ?? folder).path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: p.path, isDirectory: &isDir), isDir.boolValue else {
            throw MRIIOError.writeFailed(file: name, reason: "\(p.path) is not a directory")
        }
        guard access(p.path, W_OK | X_OK) == 0 else {
            throw MRIIOError.writeFailed(file: name, reason: "\(p.path): \(String(cString: strerror(errno)))")
        }
    }
}
