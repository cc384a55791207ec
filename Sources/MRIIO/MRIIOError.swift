import Foundation

/// Every failure of MRIIO: a bad, missing or unexpected file, or an output that would be clobbered.
///
/// Each case names the file (its path) and the problem; `description` is a single line.
public enum MRIIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case notFound(file: String)
    /// The file exists but is not an HDF5 file.
    case notHDF5(file: String)
    /// An HDF5 library call failed (`operation` says which, e.g. "read dataset kspace").
    case hdf5(file: String, operation: String)
    /// A required dataset is absent.
    case missingDataset(file: String, dataset: String)
    /// A dataset (or array handed to a writer) has an unexpected rank or shape.
    case wrongShape(file: String, dataset: String, expected: String, actual: [Int])
    /// A dataset or attribute has an unsupported element type.
    case wrongType(file: String, dataset: String, expected: String)
    /// The `mask` length differs from the k-space width W.
    case maskLengthMismatch(file: String, maskLength: Int, width: Int)
    /// A slice contains NaN or ±Inf.
    case nonFinite(file: String, slice: Int)
    /// The k-space has zero coils.
    case zeroCoils(file: String)
    /// A slice index outside `0..<slices`.
    case sliceOutOfRange(file: String, slice: Int, slices: Int)
    /// The data file is shorter or longer than its header says.
    case truncated(file: String, expectedBytes: Int, actualBytes: Int)
    /// A file attribute has a value mri-daps cannot use (e.g. `num_low_frequency` NaN or 1e30).
    case invalidAttribute(file: String, name: String, value: String, expected: String)
    /// A header (BART .hdr or ISMRMRD XML) cannot be parsed.
    case malformedHeader(file: String, reason: String)
    /// The output exists and `overwrite` was not requested.
    case exists(file: String)
    /// Writing or renaming an output failed.
    case writeFailed(file: String, reason: String)
    /// DCMTK refused a DICOM operation (`reason` is its one-line message).
    case dicom(file: String, reason: String)
    /// The pixel data is compressed in a transfer syntax DCMTK cannot decode (e.g. JPEG 2000).
    case unsupportedTransferSyntax(file: String, uid: String, name: String)
    /// A value handed to a writer is unusable (`name` is the parameter, e.g. "uidRoot").
    case invalidValue(name: String, reason: String)
    /// A network peer (PACS) could not be reached or refused the whole transfer; `url` is the
    /// destination without credentials.
    case network(url: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let f): return "\(f): file not found"
        case .notHDF5(let f): return "\(f): not an HDF5 file"
        case .hdf5(let f, let op): return "\(f): HDF5 error while trying to \(op)"
        case .missingDataset(let f, let d): return "\(f): missing dataset '\(d)'"
        case .wrongShape(let f, let d, let e, let a):
            return "\(f): dataset '\(d)' has shape \(a), expected \(e)"
        case .wrongType(let f, let d, let e): return "\(f): '\(d)' has an unsupported type, expected \(e)"
        case .maskLengthMismatch(let f, let m, let w):
            return "\(f): mask length \(m) does not match k-space width \(w)"
        case .nonFinite(let f, let s): return "\(f): slice \(s) contains NaN or Inf"
        case .zeroCoils(let f): return "\(f): k-space has zero coils"
        case .sliceOutOfRange(let f, let s, let n): return "\(f): slice \(s) out of range 0..<\(n)"
        case .truncated(let f, let e, let a): return "\(f): size \(a) bytes, expected \(e) bytes (truncated or corrupt)"
        case .invalidAttribute(let f, let n, let v, let e): return "\(f): attribute '\(n)' is \(v), expected \(e)"
        case .malformedHeader(let f, let r): return "\(f): malformed header: \(r)"
        case .exists(let f): return "\(f): output exists (pass overwrite to replace it)"
        case .writeFailed(let f, let r): return "\(f): write failed: \(r)"
        case .dicom(let f, let r): return "\(f): DICOM error: \(r)"
        case .unsupportedTransferSyntax(let f, let u, let n): return "unsupported transfer syntax \(u) (\(n)) in \(f)"
        case .invalidValue(let n, let r): return "\(n): \(r)"
        case .network(let u, let r): return "\(u): \(r)"
        }
    }
}

extension MRIIOError: LocalizedError {
    public var errorDescription: String? { description }
}
