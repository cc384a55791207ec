import Foundation
import PNGShim

/// Writes a folder of 8-bit RGB PNG images (libpng, through `PNGShim`) that appears whole or
/// not at all: the files go into a hidden temporary folder beside `directory`, renamed onto it
/// at the end (`AtomicDirectoryOutput`: `directory` may be absent or empty; with `overwrite`, a
/// folder mri-daps wrote is replaced). No maths: the pixels come ready-made.
public enum PNGFolder {
    /// One image: file name (e.g. `slice_000.png`), size and `height` rows of `width` × RGB bytes.
    public struct Image: Sendable {
        public var name: String
        public var width: Int, height: Int
        public var rgb: [UInt8]
        /// PNG `Description` text chunk.
        public var description: String
        public init(name: String, width: Int, height: Int, rgb: [UInt8], description: String = "") {
            (self.name, self.width, self.height, self.rgb, self.description) = (name, width, height, rgb, description)
        }
    }

    /// Throws what `write` would throw about `directory` itself, before any work.
    public static func checkDestination(_ directory: URL, overwrite: Bool, protecting protected: [URL] = []) throws {
        let dest = directory.standardizedFileURL
        try OutputFolder.checkCreatable(dest.deletingLastPathComponent(), for: dest)
        try AtomicDirectoryOutput.checkReplaceable(dest, overwrite: overwrite, protecting: protected)
    }

    /// Writes `images` into `directory`; returns the final paths in the order given.
    /// - Throws: `MRIIOError.exists`, `.notOwned`, `.invalidValue`, `.writeFailed`; nothing is left on error.
    @discardableResult
    public static func write(_ images: [Image], to directory: URL, software: String, overwrite: Bool = false,
                             protecting protected: [URL] = []) throws -> [URL] {
        let output = try AtomicDirectoryOutput(directory, overwrite: overwrite, protecting: protected)
        do {
            for image in images {
                guard image.width > 0, image.height > 0, image.rgb.count == image.width * image.height * 3,
                      !image.name.contains("/") else {
                    throw MRIIOError.invalidValue(name: image.name, reason: "an RGB image of \(image.width) × \(image.height) needs \(image.width * image.height * 3) bytes, got \(image.rgb.count)")
                }
                let path = output.temporary.appendingPathComponent(image.name).path
                var error = [CChar](repeating: 0, count: 256)
                let status = image.rgb.withUnsafeBufferPointer { p in
                    png_shim_write_rgb(path, p.baseAddress, UInt32(image.width), UInt32(image.height), software,
                                       image.description.isEmpty ? nil : image.description, &error, error.count)
                }
                guard status == 0 else {
                    throw MRIIOError.writeFailed(file: output.destination.appendingPathComponent(image.name).path,
                                                 reason: String(cString: error))
                }
            }
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        return images.map { output.destination.appendingPathComponent($0.name) }
    }
}
