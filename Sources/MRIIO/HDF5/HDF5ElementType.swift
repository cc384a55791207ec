/// Element type of an HDF5 dataset, classified the way h5py maps them to NumPy dtypes.
public enum HDF5ElementType: Sendable, Equatable, CustomStringConvertible {
    /// IEEE float32.
    case float32
    /// IEEE float64.
    case float64
    /// h5py complex64: compound `{"r": float32, "i": float32}`.
    case complex64
    /// h5py complex128: compound `{"r": float64, "i": float64}`.
    case complex128
    /// Integer of `bytes` bytes.
    case integer(bytes: Int, signed: Bool)
    /// h5py bool: enum over int8 with members FALSE = 0, TRUE = 1.
    case boolean
    /// Any other enum over a one-byte integer.
    case enumeration
    /// Fixed- or variable-length string.
    case string
    /// Anything else (described by the HDF5 class).
    case other(String)

    /// True for complex64 and complex128.
    public var isComplex: Bool { self == .complex64 || self == .complex128 }
    /// True for types readable as real numbers (floats, integers, bool/enum).
    public var isRealNumeric: Bool {
        switch self {
        case .float32, .float64, .integer, .boolean, .enumeration: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .complex64: return "complex64"
        case .complex128: return "complex128"
        case .integer(let b, let s): return "\(s ? "int" : "uint")\(b * 8)"
        case .boolean: return "bool"
        case .enumeration: return "enum"
        case .string: return "string"
        case .other(let c): return c
        }
    }
}
