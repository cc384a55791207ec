import Foundation
import MRIIO
import Testing
import _TestSupport

/// DICOM files on which the reader allocated Rows × Columns × NumberOfFrames values before
/// looking at the pixel data (an allocation failure for Rows = Columns = 65535 with a short pixel
/// array; the `dicom` fuzz target, Tests/Fuzz/corpus/dicom/crash-*). Now one-line errors.
@Suite struct DICOMFuzzRegressionTests {
    /// A 2-slice 6 × 4 MR Image series written by `DICOMWriter`; returns its first file.
    static func writeSmallSeries(in dir: URL) throws -> URL {
        let n = 2 * 6 * 4
        let series = DICOMSeries(
            number: 1, description: "t", quantity: .mrSignalIntensity, label: "MEAN", imageFlavor: "OTHER",
            derivationDescription: "t", slices: 2, rows: 6, columns: 4,
            content: .mrImage(stored: (0..<n).map { UInt16($0) }, bitsStored: 12, slope: 1, intercept: 0,
                              window: DICOMWindow(center: 24, width: 48)))
        let result = try DICOMWriter(uids: try DICOMUIDGenerator()).write(
            study: DICOMStudyInfo(), geometry: DICOMGeometry(), series: [series], to: dir.appendingPathComponent("study"))
        return try #require(result.series.first?.files.first)
    }

    /// `data` with the US value of the explicit-VR little-endian element `(0028,element)` set to `value`.
    static func settingUS(_ data: Data, element: UInt8, to value: UInt16) throws -> Data {
        var bytes = [UInt8](data)
        let tag: [UInt8] = [0x28, 0x00, element, 0x00, 0x55, 0x53, 0x02, 0x00]
        let i = try #require((0...(bytes.count - tag.count)).first { Array(bytes[$0..<($0 + tag.count)]) == tag })
        bytes[i + 8] = UInt8(value & 0xFF)
        bytes[i + 9] = UInt8(value >> 8)
        return Data(bytes)
    }

    @Test("Rows = Columns = 65535, or 16384 with a 48-byte pixel array, is refused before allocating GBs")
    func shortPixelArray() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try Data(contentsOf: try Self.writeSmallSeries(in: dir))
        // Tests/Fuzz/corpus/dicom/crash-rows-columns-65535-short-pixel-data.dcm
        let huge = dir.appendingPathComponent("huge.dcm")
        try Self.settingUS(try Self.settingUS(original, element: 0x10, to: 65535), element: 0x11, to: 65535).write(to: huge)
        let limit = "Rows × Columns × NumberOfFrames = 65535 × 65535 × 1 exceeds the reader's limit of 1073741824 values"
        #expect(throws: MRIIOError.dicom(file: huge.path, reason: limit)) { try DICOMSeriesReader().read(huge) }
        let big = dir.appendingPathComponent("big.dcm")
        try Self.settingUS(try Self.settingUS(original, element: 0x10, to: 16384), element: 0x11, to: 16384).write(to: big)
        let short = "pixel data has 48 bytes, 16384 × 16384 × 1 values of 2 bytes need 536870912 (truncated or corrupt)"
        #expect(throws: MRIIOError.dicom(file: big.path, reason: short)) { try DICOMSeriesReader().read(big) }
    }

    @Test("an image larger than maximumValues is refused; the same file reads within the limit")
    func maximumValues() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.writeSmallSeries(in: dir)
        let reason = "Rows × Columns × NumberOfFrames = 6 × 4 × 1 exceeds the reader's limit of 10 values"
        #expect(throws: MRIIOError.dicom(file: file.path, reason: reason)) {
            try DICOMSeriesReader(maximumValues: 10).read(file)
        }
        #expect(try DICOMSeriesReader(maximumValues: 24).read(file).pixels.shape == [1, 6, 4])
        // A folder of two 24-value images is over a 40-value limit as a series.
        let folder = file.deletingLastPathComponent()
        #expect(throws: MRIIOError.self) { try DICOMSeriesReader(maximumValues: 40).read(folder) }
        #expect(try DICOMSeriesReader(maximumValues: 48).read(folder).pixels.shape == [2, 6, 4])
    }

    @Test("a JPEG fragment with a TEM marker before its frame header is refused, not an endless loop in DCMTK",
          .timeLimit(.minutes(1)))
    func jpegTEMMarker() throws {
        // MR_small_jpeg_baseline.dcm mutated by the `dicom` target: fill byte + FF01 after APP0.
        // The second file declares the retired JPEG Full Progression syntax 1.2.840.10008.1.2.4.55.
        for name in ["crash-jpeg-tem-marker-hang.dcm", "crash-jpeg-tem-marker-hang-retired-syntax.dcm"] {
            let url = Fixtures.packageRoot.appendingPathComponent("Tests/Fuzz/corpus/dicom/\(name)")
            let reason = "JPEG fragment 1 has a TEM marker (FF01) before its frame header (corrupt)"
            #expect(throws: MRIIOError.dicom(file: url.path, reason: reason)) { try DICOMSeriesReader().read(url) }
        }
    }
}
