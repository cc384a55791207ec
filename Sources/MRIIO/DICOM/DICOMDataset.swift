import DCMTKShim
import Foundation

/// A DICOM dataset under construction, backed by the DCMTK shim (`dcm_shim.h`). Attributes are
/// set by path (`"(0040,9096)[0].(0040,9225)"` or keywords) from their DICOM string form.
/// Internal: the IOD knowledge lives in `DICOMWriter`; this type only moves values.
final class DICOMDataset {
    private let handle: OpaquePointer
    /// Names the output in errors.
    let file: String
    /// When set, every attribute goes through the confidentiality profile before it is written.
    let profile: DICOMConfidentialityProfile?

    init(file: String, profile: DICOMConfidentialityProfile? = nil) throws {
        guard let h = dcm_dataset_create() else { throw MRIIOError.dicom(file: file, reason: "out of memory") }
        handle = h
        self.file = file
        self.profile = profile
    }

    deinit { dcm_dataset_free(handle) }

    private func check(_ body: (UnsafeMutablePointer<CChar>, Int) -> dcm_status) throws {
        var buffer = [CChar](repeating: 0, count: 512)
        let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        if status != DCM_OK {
            let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw MRIIOError.dicom(file: file, reason: message)
        }
    }

    /// Sets `path` to `value` (DICOM string form; multiple values joined by `\`).
    func set(_ path: String, _ value: String) throws { try put(path, value) }

    /// Writes `path` (nil: empty), as the profile decides when there is one.
    private func put(_ path: String, _ value: String?) throws {
        let decision = profile?.decision(path: path, value: value) ?? (value.map { .write($0) } ?? .empty)
        switch decision {
        case .skip: return
        case .empty: try check { dcm_dataset_set_string(handle, path, nil, $0, $1) }
        case .write(let v): try check { dcm_dataset_set_string(handle, path, v, $0, $1) }
        }
    }

    /// Sets `path` to numbers, written as DS text (≤ 16 characters each).
    func set(_ path: String, decimals values: [Double]) throws {
        try set(path, values.map(DICOMFormat.decimalString).joined(separator: "\\"))
    }

    /// Sets a binary floating-point attribute (FD/FL) with round-trip precision.
    func set(_ path: String, double value: Double) throws {
        try set(path, String(format: "%.17g", value))
    }

    /// Sets an integer attribute (IS, US, UL, …).
    func set(_ path: String, _ value: Int) throws { try set(path, String(value)) }

    /// Creates `path` empty (a type-2 attribute, an empty sequence, or an empty item for `…[n]`).
    func setEmpty(_ path: String) throws { try put(path, nil) }

    /// Sets a code sequence item: CodeValue, CodingSchemeDesignator, CodeMeaning under `path` (an item path).
    func set(_ path: String, code: DICOMCode) throws {
        try set(path + ".CodeValue", code.value)
        try set(path + ".CodingSchemeDesignator", code.scheme)
        try set(path + ".CodeMeaning", code.meaning)
    }

    /// PixelData (OW) from 16-bit values.
    func setPixels(_ values: [UInt16]) throws {
        try values.withUnsafeBufferPointer { p in
            try check { dcm_dataset_set_pixels_u16(handle, p.baseAddress, p.count, $0, $1) }
        }
    }

    /// FloatPixelData (OF) from float32 values.
    func setPixels(_ values: [Float]) throws {
        try values.withUnsafeBufferPointer { p in
            try check { dcm_dataset_set_pixels_f32(handle, p.baseAddress, p.count, $0, $1) }
        }
    }

    /// Writes a Part 10 file (Explicit VR Little Endian).
    func save(to url: URL) throws {
        try check { dcm_dataset_save(handle, url.path, $0, $1) }
    }
}
