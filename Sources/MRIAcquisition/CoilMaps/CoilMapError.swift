/// Bad input to coil-sensitivity estimation.
public enum CoilMapError: Error, CustomStringConvertible, Equatable {
    /// k-space must be `[coils, H, W]`.
    case badShape([Int])
    /// The calibration region is too small for the kernel, or extends past the data.
    case calibrationTooSmall(width: Int, needed: Int)
    /// A parameter has an invalid value.
    case invalidParameter(name: String, reason: String)
    /// The calibration data has no signal.
    case noSignal

    public var description: String {
        switch self {
        case .badShape(let s): return "CoilMaps: k-space shape \(s) is not [coils, H, W]"
        case .calibrationTooSmall(let w, let n): return "CoilMaps: calibration width \(w) < needed \(n)"
        case .invalidParameter(let n, let r): return "CoilMaps: parameter \(n) is invalid: \(r)"
        case .noSignal: return "CoilMaps: calibration region contains no signal"
        }
    }
}
