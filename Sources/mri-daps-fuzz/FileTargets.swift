import Foundation
import MRICore
import MRIIO

/// Fuzz target `hdf5`: the input is written to a scratch `.h5` file and read by `read(_:)`.
/// Mutated HDF5 bytes mostly exercise libhdf5's own parser, which crashes (SIGSEGV) on some
/// corrupt files (docs/reliability.md): not part of the default runs; `fastmri` is.
enum FastMRITarget {
    /// Largest slice (coils · H · W, or H_t · W_t) the harness reads: 4 Mi values (32 MiB complex).
    static let maximumSliceElements = 1 << 22

    static func run(_ data: Data) throws {
        try read(try ScratchFile.write(data, ext: "h5"))
    }

    /// Opens `url` with `FastMRIFile(contentsOf:)` (structure, mask, attributes and
    /// `ismrmrd_header` are validated there), then reads the first and last k-space slice and the
    /// last slice of each target. Slices of more than `maximumSliceElements` values are not read
    /// (the harness bounds its memory; a file may declare a large dataset that HDF5 fills with zeros).
    static func read(_ url: URL) throws {
        let file = try FastMRIFile(contentsOf: url)
        defer { file.close() }
        let info = file.info
        _ = info.sampledColumns
        _ = info.header?.acquiredPhaseEncodeWindow
        _ = info.otherAttributes.map(\.value.description)
        guard info.slices > 0 else { return }
        let s = info.sliceShape
        if let n = product([s.coils, s.height, s.width]), n <= maximumSliceElements {
            _ = try file.readSlice(0)
            _ = try file.readSlice(info.slices - 1)
        }
        for t in info.targets {
            if let n = product(Array(t.shape.dropFirst())), n <= maximumSliceElements {
                _ = try file.readTarget(name: t.name, slice: info.slices - 1)
            }
        }
    }

    /// ∏ values, nil on overflow.
    static func product(_ values: [Int]) -> Int? {
        var p = 1
        for v in values {
            let (r, o) = p.multipliedReportingOverflow(by: v)
            if o { return nil }
            p = r
        }
        return p
    }
}

/// Fuzz target `dicom`: the input is written to a scratch `.dcm` file and read as a series by
/// `DICOMSeriesReader().read(_:)` (DCMTK opens it without requiring the Part 10 meta header, as
/// for a single file on the command line), then with Real World Value mapping. Images of more
/// than `maximumValues` values are refused by the reader (bounding the harness's memory; a
/// compressed image may legitimately declare far more values than its bytes).
enum DICOMTarget {
    /// The reader's `maximumValues` here: 2²² (16 MiB as Float).
    static let maximumValues = 1 << 22

    static func run(_ data: Data) throws {
        let url = try ScratchFile.write(data, ext: "dcm")
        let volume = try DICOMSeriesReader(maximumValues: maximumValues).read(url)
        _ = volume.pixels.count
        _ = try DICOMSeriesReader(realWorldValues: true, maximumValues: maximumValues).read(url)
    }
}
