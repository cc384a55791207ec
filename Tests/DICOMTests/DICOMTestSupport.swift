import Foundation
import MRICore
import MRIIO
import MRIPipeline
import _TestSupport

/// A small synthetic reconstruction and the helpers the DICOM tests share.
enum DICOMFixture {
    static let slices = 3, rows = 24, columns = 20

    /// mean[s, i, j] = (s + 1) · 10⁻⁴ · exp(−((i − 12)² + (j − 10)²) / 50): realistic fastMRI-scale magnitudes.
    static let mean: FloatArray = {
        var a = FloatArray(zeros: [slices, rows, columns])
        for s in 0..<slices {
            for i in 0..<rows {
                for j in 0..<columns {
                    let r2 = Double((i - 12) * (i - 12) + (j - 10) * (j - 10))
                    a[s, i, j] = Float(Double(s + 1) * 1e-4 * exp(-r2 / 50))
                }
            }
        }
        return a
    }()

    /// std = 0.1 · mean + 10⁻⁶ · (1 + sin(i + 2j + 3s)): below 1, so the map's window needs LINEAR_EXACT.
    static let std: FloatArray = {
        var a = FloatArray(zeros: [slices, rows, columns])
        for s in 0..<slices {
            for i in 0..<rows {
                for j in 0..<columns {
                    a[s, i, j] = 0.1 * mean[s, i, j] + Float(1e-6 * (1 + sin(Double(i + 2 * j + 3 * s))))
                }
            }
        }
        return a
    }()

    /// variance = std² / 5.3 (any positive map of the shape: it is stored, not derived).
    static let variance: FloatArray = std.mapElements { $0 * $0 / 5.3 }

    /// Reconstruction attributes as a DAPS run writes them.
    static let attributes: [String: HDF5AttributeValue] = [
        "method": .string("daps"), "prior": .string("knee-pd"), "samples": .integer(8),
        "acceleration": .real(4), "acquisition": .string("CORPD_FBK"), "patient_id": .string("file1000_pid"),
        "input_file": .string("file1000.h5"),
    ]

    /// Header: recon matrix 24 × 20 over FOV 48 × 30 × 3 mm → pixel spacing 2 × 1.5 mm, 3 mm slices.
    static let header: ISMRMRDHeader = {
        var h = ISMRMRDHeader.minimal(
            encodedMatrix: .init(x: 48, y: 20), encodedFOV: .init(x: 96, y: 30, z: 3),
            reconMatrix: .init(x: 24, y: 20), reconFOV: .init(x: 48, y: 30, z: 3), fieldStrengthT: 3)
        h.measurement.patientPosition = "FFS"
        h.sequence.repetitionTimes = [2750]
        h.sequence.echoTimes = [27]
        return h
    }()

    /// Writes a reconstruction file (with `posterior_std` unless `withStd` is false).
    static func writeReconstruction(to url: URL, withStd: Bool = true) throws {
        try ReconstructionWriter.write(
            reconstruction: mean, extras: withStd ? ["posterior_std": std, "posterior_variance": variance] : [:],
            attributes: attributes, to: url, overwrite: true)
    }

    /// All `.dcm` files below `dir`, sorted by path.
    static func dicomFiles(in dir: URL) -> [URL] {
        let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)
        return (e?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "dcm" }.sorted { $0.path < $1.path }
    }

    /// The built `mri-daps` binary (beside the test bundle).
    static var binary: String {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for dir in candidates {
            let p = dir.appendingPathComponent("mri-daps").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return candidates[0].appendingPathComponent("mri-daps").path
    }

    static let hasPydicom: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return false }
        return (try? Fixtures.run("/usr/bin/python3", ["-c", "import pydicom, numpy"]))?.status == 0
    }()

    /// Writes `values` as raw little-endian float32 (read by the Python checks).
    static func writeRaw(_ values: [Float], to url: URL) throws {
        try values.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: url)
    }
}
