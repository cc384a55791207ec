import Foundation

/// A scalar HDF5 attribute value as mri-daps reads and writes it.
///
/// Strings are written as variable-length UTF-8 (h5py reads them as `str`), integers as
/// little-endian int64 and reals as little-endian float64 (h5py reads numpy scalars).
public enum HDF5AttributeValue: Sendable, Equatable, CustomStringConvertible {
    /// A text value (fixed- or variable-length string on disk).
    case string(String)
    /// An integer value (any integer type on disk, read as int64).
    case integer(Int64)
    /// A floating-point value (float32 or float64 on disk, read as double).
    case real(Double)

    /// The value as a number (`nil` for strings that do not parse as a number).
    public var doubleValue: Double? {
        switch self {
        case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces))
        case .integer(let i): return Double(i)
        case .real(let d): return d
        }
    }

    /// The value as text (numbers formatted with Swift's shortest round-trip representation).
    public var stringValue: String {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        }
    }

    public var description: String { stringValue }
}
