import Foundation
import MRIIO
import _TestSupport

/// Where the reader tests find real DICOM files, and pydicom's reading of them.
///
/// - Debian python3-pydicom's test files (MR_small in six transfer syntaxes, JPEG extended,
///   JPEG 2000, colour, truncated, a DICOMDIR with 13 series).
/// - PyPI pydicom-data (MIT), installed into Training/.venv by scripts/setup-training-venv.sh:
///   enhanced multi-frame MR `emri_small*` in several syntaxes, JPEG lossless.
/// - Tests/Fixtures/dicom/MR_small_jpeg_baseline.dcm (Tests/Fixtures/make_dicom_read_fixtures.py).
/// The reference decoder is pydicom, which decodes JPEG/JPEG-LS/JPEG 2000 through GDCM (Debian python3-gdcm).
enum DICOMReadFixtures {
    static let python = "/usr/bin/python3"

    private static func pythonPath(_ interpreter: String, _ code: String) -> URL? {
        guard FileManager.default.isExecutableFile(atPath: interpreter),
              let r = try? Fixtures.run(interpreter, ["-c", code]), r.status == 0
        else { return nil }
        let path = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return FileManager.default.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
    }

    /// Debian python3-pydicom's `pydicom/data/test_files`, or nil.
    static let pydicomTestFiles: URL? = pythonPath(
        python, "import pydicom, os; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))")

    /// pydicom-data's `data_store/data` in Training/.venv, or nil.
    static let pydicomData: URL? = pythonPath(
        Fixtures.packageRoot.appendingPathComponent("Training/.venv/bin/python").path,
        "import data_store, os; print(os.path.join(os.path.dirname(data_store.__file__), 'data'))")

    /// pydicom can decode JPEG, JPEG-LS and JPEG 2000 (GDCM present).
    static let hasGDCM: Bool = {
        (try? Fixtures.run(python, ["-c", "import pydicom, numpy, gdcm"]))?.status == 0
    }()

    static var debianReady: Bool { pydicomTestFiles != nil && hasGDCM }
    static var pydicomDataReady: Bool { pydicomData != nil && hasGDCM }

    static func debian(_ name: String) -> URL { pydicomTestFiles!.appendingPathComponent(name) }
    static func data(_ name: String) -> URL { pydicomData!.appendingPathComponent(name) }

    /// pydicom's reading of one file (see Tests/Fixtures/dicom/pydicom_reference.py).
    struct Reference {
        var json: [String: Any]
        /// Modality LUT output, (frames, rows, columns) row-major; nil when pydicom could not decode.
        var pixels: [Float]?
        var positions: [[Double]] { (json["positions"] as? [[Double]]) ?? [] }
        var orientation: [Double]? { json["orientation"] as? [Double] }
        var transferSyntax: String? { json["transfer_syntax"] as? String }
    }

    static func reference(_ files: [URL]) throws -> [Reference] {
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try Fixtures.run(python, [Fixtures.url("dicom/pydicom_reference.py").path, out.path] + files.map(\.path))
        guard r.status == 0, let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] else {
            throw MRIIOError.dicom(file: files.first?.path ?? "", reason: "pydicom_reference.py failed: \(r.stderr)")
        }
        return try list.enumerated().map { i, j in
            let f = out.appendingPathComponent("\(i).f32")
            return Reference(json: j, pixels: j["error"] == nil ? try Fixtures.readFloat32(f) : nil)
        }
    }

    /// max |a − b| (infinity when the counts differ).
    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        var m: Float = 0
        for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
        return m
    }

    /// Distance of `p` along the normal of orientation `o`.
    static func distance(_ p: [Double], _ o: [Double]) -> Double {
        let n = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]]
        return p[0] * n[0] + p[1] * n[1] + p[2] * n[2]
    }

    /// The error `body` throws, as an `MRIIOError` (nil when it does not throw one).
    static func error(_ body: () throws -> Void) -> MRIIOError? {
        do { try body() } catch let e as MRIIOError { return e } catch { return nil }
        return nil
    }
}
