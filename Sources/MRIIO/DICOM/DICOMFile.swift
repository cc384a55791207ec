import DCMTKShim
import Foundation

/// One DICOM file opened for reading through the DCMTK shim (`dcm_shim.h`, "Reading").
/// Attributes are looked up by path (`"ImagePositionPatient"`,
/// `"PerFrameFunctionalGroupsSequence[2].PlanePositionSequence[0].ImagePositionPatient"`).
/// Internal: `DICOMSeriesReader` holds the DICOM knowledge; this type only moves values.
final class DICOMFile {
    private let handle: OpaquePointer
    /// The path, named in every error.
    let path: String

    /// The Image Pixel attributes and transfer syntax (see `dcm_pixel_info`).
    struct PixelInfo {
        var rows: Int, columns: Int, frames: Int
        var samplesPerPixel: Int, bitsAllocated: Int, bitsStored: Int, pixelRepresentation: Int
        var kind: Int32
        var photometric: String
        var transferSyntaxUID: String, transferSyntaxName: String
        /// Whether the pixel data is encapsulated (compressed).
        var encapsulated: Bool
        /// Bytes of the pixel data as stored (native syntaxes; 0 when encapsulated).
        var storedBytes: Int
        var hasPixels: Bool { kind != Int32(DCM_PIXELS_NONE.rawValue) }
        /// Bytes one stored value takes: BitsAllocated / 8, or 4 / 8 for float / double pixel data.
        var bytesPerValue: Int {
            switch kind {
            case Int32(DCM_PIXELS_FLOAT32.rawValue): return 4
            case Int32(DCM_PIXELS_FLOAT64.rawValue): return 8
            default: return bitsAllocated / 8
            }
        }
    }

    /// Opens `url`. `requireMetaHeader`: accept only Part 10 files (preamble + "DICM").
    /// - Throws: `MRIIOError.notFound`, `.dicom` (not DICOM, unreadable), naming the file.
    init(_ url: URL, requireMetaHeader: Bool) throws {
        let path = url.path
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw MRIIOError.notFound(file: path) }
        var buffer = [CChar](repeating: 0, count: 512)
        var h: OpaquePointer?
        let status = buffer.withUnsafeMutableBufferPointer { b in
            dcm_file_open(path, requireMetaHeader ? 1 : 0, &h, b.baseAddress, b.count)
        }
        guard status == DCM_OK, let h else {
            let message = Self.text(buffer)
            if status.rawValue == DCM_ERROR_NOT_DICOM.rawValue {
                throw MRIIOError.dicom(file: path, reason: "not a DICOM file (\(message))")
            }
            throw MRIIOError.dicom(file: path, reason: message)
        }
        handle = h
    }

    deinit { dcm_file_free(handle) }

    /// The NUL-terminated text in `buffer`.
    private static func text(_ buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The value at `path` in string form (values joined by `\`), trimmed of padding; nil when absent or empty.
    func string(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        var n = buffer.withUnsafeMutableBufferPointer { dcm_file_get_string(handle, path, $0.baseAddress, $0.count) }
        if n < 0 { return nil }
        if n >= buffer.count {
            buffer = [CChar](repeating: 0, count: n + 1)
            n = buffer.withUnsafeMutableBufferPointer { dcm_file_get_string(handle, path, $0.baseAddress, $0.count) }
        }
        let s = Self.text(buffer).trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\0")))
        return s.isEmpty ? nil : s
    }

    /// The numeric values at `path` (DS, IS, FD, US, ...); nil when absent or not all numeric.
    func doubles(_ path: String) -> [Double]? {
        guard let s = string(path) else { return nil }
        let parts = s.split(separator: "\\", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap(Double.init)
        return values.count == parts.count && values.allSatisfy(\.isFinite) ? values : nil
    }

    /// The first numeric value at `path`.
    func double(_ path: String) -> Double? { doubles(path)?.first }

    /// The first value at `path` as an integer.
    func int(_ path: String) -> Int? { double(path).flatMap { Int(exactly: $0) } }

    /// Number of items of the sequence at `path`, 0 when absent.
    func itemCount(_ path: String) -> Int { max(0, dcm_file_item_count(handle, path)) }

    /// Image Pixel attributes.
    func pixelInfo() -> PixelInfo {
        var i = dcm_pixel_info()
        _ = dcm_file_pixel_info(handle, &i, nil, 0)
        func text<T>(_ tuple: T) -> String {
            withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return PixelInfo(
            rows: Int(i.rows), columns: Int(i.columns), frames: Int(i.frames), samplesPerPixel: Int(i.samples_per_pixel),
            bitsAllocated: Int(i.bits_allocated), bitsStored: Int(i.bits_stored), pixelRepresentation: Int(i.pixel_representation),
            kind: i.kind, photometric: text(i.photometric).trimmingCharacters(in: .whitespaces),
            transferSyntaxUID: text(i.transfer_syntax).trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\0"))),
            transferSyntaxName: text(i.transfer_syntax_name), encapsulated: i.encapsulated != 0,
            storedBytes: Int(clamping: i.stored_bytes))
    }

    /// Stored pixel values of all frames, decompressed, as float: `rows · columns · frames` values.
    /// - Throws: `MRIIOError.unsupportedTransferSyntax`, `.dicom` (colour, truncated, ...).
    func readStoredPixels(_ info: PixelInfo) throws -> [Float] {
        var values = [Float](repeating: 0, count: info.rows * info.columns * info.frames)
        try values.withUnsafeMutableBufferPointer { try readStoredPixels(info, into: $0) }
        return values
    }

    /// As `readStoredPixels(_:)`, into `values` (exactly `rows · columns · frames` long).
    func readStoredPixels(_ info: PixelInfo, into values: UnsafeMutableBufferPointer<Float>) throws {
        var buffer = [CChar](repeating: 0, count: 512)
        let status = buffer.withUnsafeMutableBufferPointer { b in
            dcm_file_read_pixels(handle, values.baseAddress, values.count, b.baseAddress, b.count)
        }
        if status != DCM_OK {
            if status.rawValue == DCM_ERROR_UNSUPPORTED_TRANSFER_SYNTAX.rawValue {
                throw MRIIOError.unsupportedTransferSyntax(file: path, uid: info.transferSyntaxUID, name: info.transferSyntaxName)
            }
            throw MRIIOError.dicom(file: path, reason: Self.text(buffer))
        }
    }
}
