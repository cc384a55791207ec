import Foundation
import MRIIO

/// Reads the whole structure of an HDF5 input (every root dataset's shape and type, every root
/// attribute, every string dataset) without reading bulk data. `mri-daps` runs it in a child
/// process before it opens an input itself: libhdf5 does not validate untrusted files, and a
/// corrupt one can crash or hang it while it reads exactly this structure (docs/reliability.md).
public enum InputStructure {
    /// True when the file starts with the HDF5 signature (superblock at offset 0, as h5py and
    /// every fastMRI file write it).
    public static func isHDF5(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        return (try? h.read(upToCount: 8)).map { [UInt8]($0) == signature } ?? false
    }

    /// Opens `url` and reads its structure; throws the library's one-line error.
    public static func read(_ url: URL) throws {
        let f = try HDF5File(readingFrom: url)
        defer { f.close() }
        _ = try f.attributes()
        for name in try f.rootNames() {
            guard let info = try? f.datasetInfo(name) else { continue }
            if info.type == .string { _ = try f.readString(name) }
        }
    }
}
