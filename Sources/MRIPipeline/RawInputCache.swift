import Foundation
import MRIIO

/// Raw scanner files among a run's inputs (ISMRMRD, Siemens TWIX), each
/// converted once (`ISMRMRDConversion` with its defaults, as `mri-daps convert` writes it) into a
/// fastMRI-layout file of the same name in a private temporary folder, which the run reads
/// instead. Inputs keep their own paths everywhere else (output names, the protected paths of
/// the output checks, `input_file`). The folder is registered with `TemporaryOutputs`, so a
/// failed or interrupted run leaves nothing; `removeAll` deletes it at the end of a run.
final class RawInputCache: @unchecked Sendable {
    private let lock = NSLock()
    private var converted: [String: URL] = [:]
    private var folder: URL?

    /// The file to read for `input`: itself, or its conversion.
    func readable(_ input: URL) throws -> URL {
        guard ISMRMRDConversion.isRawData(input) else { return input }
        return try lock.withLock {
            let key = input.standardizedFileURL.path
            if let url = converted[key] { return url }
            let dir: URL
            if let folder { dir = folder } else {
                dir = FileManager.default.temporaryDirectory.appendingPathComponent("mri-daps-raw-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                TemporaryOutputs.register(dir)
                folder = dir
            }
            let target = dir.appendingPathComponent("\(converted.count)").appendingPathComponent(input.lastPathComponent)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = try ISMRMRDConversion.convert(input, to: target, overwrite: false)
            converted[key] = target
            return target
        }
    }

    /// Deletes the conversions.
    func removeAll() {
        lock.withLock {
            if let folder {
                try? FileManager.default.removeItem(at: folder)
                TemporaryOutputs.forget(folder)
            }
            folder = nil
            converted.removeAll()
        }
    }
}
