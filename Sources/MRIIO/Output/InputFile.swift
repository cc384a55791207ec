import Foundation

/// Checks that an input path names a readable regular file, so that a directory, a missing file
/// or a permission problem gets the system's reason instead of a reader's generic error.
public enum InputFile {
    /// - Throws: `MRIIOError.notFound` (no such path), `.cannotOpen` (a directory, not a regular
    ///   file, or not readable: the system's reason).
    public static func checkReadable(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw MRIIOError.notFound(file: path) }
            throw MRIIOError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw MRIIOError.cannotOpen(file: path, reason: "is a directory, expected a file") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw MRIIOError.cannotOpen(file: path, reason: "not a regular file") }
        guard access(path, R_OK) == 0 else {
            throw MRIIOError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
    }
}
