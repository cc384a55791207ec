import Foundation

/// What `--force` may replace: only outputs mri-daps wrote and can recognise.
///
/// - An HDF5 output (a reconstruction, a simulated scan) carries the root attribute
///   `software` = "mri-daps …" (`AtomicOutput.finish` adds it).
/// - A study folder (DICOM) holds the marker file `.mri-daps-study`, listing every file the tool
///   wrote into it (`AtomicDirectoryOutput.commit` writes it). A folder holding anything else is
///   never replaced, and neither is one that is, or contains, a protected path: the file-system
///   root, a top-level folder, the working directory, the home folder, or a path the caller
///   names (e.g. the reconstruction folder).
public enum OutputOwnership {
    /// Root attribute naming the writer of an HDF5 output.
    public static let softwareAttribute = "software"
    /// Prefix of that attribute's value on files mri-daps wrote.
    public static let softwarePrefix = "mri-daps"
    /// Name of the marker file in a study folder mri-daps wrote.
    public static let studyMarker = ".mri-daps-study"

    /// True when `url` is an HDF5 file whose root `software` attribute starts with "mri-daps".
    public static func isOwnedHDF5(_ url: URL) -> Bool {
        guard let f = try? HDF5File(readingFrom: url) else { return false }
        defer { f.close() }
        guard case .string(let s)? = try? f.attribute(softwareAttribute) else { return false }
        return s.hasPrefix(softwarePrefix)
    }

    /// The first item under `directory` (a path) that mri-daps did not write, or nil when the
    /// folder is empty or is a study folder it wrote (every entry is a file listed in its marker
    /// or a folder holding one).
    public static func foreignItem(inStudyFolder directory: URL) -> String? {
        let root = directory.standardizedFileURL
        let entries = entries(under: root)
        guard !entries.isEmpty else { return nil }
        guard let listed = markerListing(root) else {
            let first = entries.map(\.path).filter { $0 != studyMarker }.min() ?? studyMarker
            return root.appendingPathComponent(first).path
        }
        var folders = Set<String>()
        for file in listed {
            var parts = file.split(separator: "/").dropLast()
            while !parts.isEmpty {
                folders.insert(parts.joined(separator: "/"))
                parts = parts.dropLast()
            }
        }
        let foreign = entries.filter { e in
            e.path != studyMarker && !(e.isFolder ? folders.contains(e.path) : listed.contains(e.path))
        }
        return foreign.map(\.path).min().map { root.appendingPathComponent($0).path }
    }

    /// Writes the marker into `directory`, listing every regular file under it.
    static func writeStudyMarker(in directory: URL) throws {
        let files = entries(under: directory).filter { !$0.isFolder && $0.path != studyMarker }.map(\.path).sorted()
        let body: [String: Any] = ["software": softwarePrefix, "files": files]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        try data.write(to: directory.appendingPathComponent(studyMarker))
    }

    /// Why `folder` may not be replaced as a whole, or nil: it is the root or a top-level folder,
    /// or it equals or contains the working directory, the home folder or one of `protected`.
    public static func protectedReason(forFolder folder: URL, protecting protected: [URL] = []) -> String? {
        let f = resolved(folder)
        if f.pathComponents.count <= 2 { return "a top-level folder cannot be an output folder" }
        let named: [(String, URL)] = [
            ("the working directory", URL(fileURLWithPath: FileManager.default.currentDirectoryPath)),
            ("the home folder", FileManager.default.homeDirectoryForCurrentUser),
        ] + protected.map { ($0.path, $0) }
        for (name, p) in named {
            let r = resolved(p).pathComponents
            if r.count >= f.pathComponents.count && Array(r.prefix(f.pathComponents.count)) == f.pathComponents {
                return "it would contain \(name); choose a folder of its own"
            }
        }
        return nil
    }

    /// The path of `url` with symbolic links resolved, for comparing two paths.
    public static func resolvedPath(_ url: URL) -> String { resolved(url).path }

    /// `url` with symbolic links resolved in its longest existing prefix.
    static func resolved(_ url: URL) -> URL {
        let full = url.standardizedFileURL
        let existing = OutputFolder.nearestExisting(full)
        var r = existing.resolvingSymlinksInPath()
        for t in full.pathComponents.dropFirst(existing.pathComponents.count) { r.appendPathComponent(t) }
        return r.standardizedFileURL
    }

    private static func markerListing(_ root: URL) -> Set<String>? {
        guard let data = try? Data(contentsOf: root.appendingPathComponent(studyMarker)),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              obj["software"] as? String == softwarePrefix, let files = obj["files"] as? [String]
        else { return nil }
        return Set(files)
    }

    /// Every entry under `root`, relative to it; symbolic links count as files (never followed).
    private static func entries(under root: URL) -> [(path: String, isFolder: Bool)] {
        guard let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var out = [(path: String, isFolder: Bool)]()
        while let rel = e.nextObject() as? String {
            var st = stat()
            let isFolder = lstat(root.appendingPathComponent(rel).path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            out.append((rel, isFolder))
        }
        return out
    }
}
