import Foundation
import MRIPipeline

/// The fuzz targets: each feeds one input through a parser of mri-daps and its validation.
///
/// A target's contract: any input may be rejected with a thrown error (that is the expected
/// answer to garbage), but no input may end in a Swift runtime trap, an abort or an allocation
/// failure. Every target bounds its own work (inputs longer than `maximumLength` are ignored,
/// reads are limited as each target's doc comment says), so a slow input is a finding too.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// A valid HDF5 file built from the input (shapes, types, attributes, header), read by `FastMRIFile`.
    case fastmri
    /// `ISMRMRDHeader(xml:file:)` and the values derived from it.
    case ismrmrd
    /// `SafetensorsFile(data:name:)`, every tensor, and a `UNet` when the metadata describes one.
    case safetensors
    /// `ReconProtocol.decode(_:source:)` (decoding + validation) and its canonical JSON.
    case `protocol`
    /// `DICOMSeriesReader.read(_:)` on one file through the DCMTK shim.
    case dicom
    /// A Siemens TWIX `.dat` read and assembled by `ISMRMRDConversion.read` (`TWIXFile`, the
    /// scan mapping, the k-space grid, noise prewhitening).
    case twix
    /// `FastMRIFile(contentsOf:)` on the raw input bytes as an HDF5 file (finds libhdf5's own
    /// crashes on corrupt files; not in `defaultTargets`).
    case hdf5

    /// The targets scripts/fuzz.sh and CI run by default.
    static let defaultTargets: [FuzzTarget] = [.fastmri, .ismrmrd, .safetensors, .protocol, .dicom, .twix]

    /// Inputs longer than this are ignored (libFuzzer's `-max_len` in scripts/fuzz.sh matches).
    var maximumLength: Int {
        switch self {
        case .fastmri: return 4 << 10
        case .hdf5: return 64 << 10
        case .dicom, .twix: return 32 << 10
        case .safetensors: return 64 << 10
        case .ismrmrd, .protocol: return 16 << 10
        }
    }

    /// Runs one input. Returns the error the library threw (nil when the input was accepted);
    /// a trap ends the process, which is what the fuzzer and the replayer detect.
    func run(_ data: Data) -> Error? {
        guard data.count <= maximumLength else { return nil }
        do {
            switch self {
            case .fastmri: try FastMRIStructuredTarget.run(data)
            case .hdf5: try FastMRITarget.run(data)
            case .ismrmrd: try ISMRMRDTarget.run(data)
            case .safetensors: try SafetensorsTarget.run(data)
            case .protocol: try ProtocolTarget.run(data)
            case .dicom: try DICOMTarget.run(data)
            case .twix:
                var options = ISMRMRDConversion.Options()
                options.maximumVolumeBytes = 256 << 20  // the harness bounds its memory (rss limit 2 GB)
                _ = try ISMRMRDConversion.read(try ScratchFile.write(data, ext: "dat"), options: options)
            }
            return nil
        } catch {
            return error
        }
    }
}

/// A per-process scratch file for the targets whose library API opens a path (HDF5, DCMTK).
/// Each input overwrites it; it lives in `$TMPDIR` (scripts/fuzz.sh points that at /dev/shm).
enum ScratchFile {
    /// Writes `data` to this process's scratch file with extension `ext` and returns its URL.
    static func write(_ data: Data, ext: String) throws -> URL {
        let url = self.url(ext)
        try data.write(to: url)
        return url
    }

    /// Removes this process's scratch files.
    static func remove() {
        for ext in ["h5", "dcm"] { try? FileManager.default.removeItem(at: url(ext)) }
    }

    private static func url(_ ext: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("mri-daps-fuzz-\(ProcessInfo.processInfo.processIdentifier).\(ext)")
    }
}
