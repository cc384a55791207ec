import Foundation

/// Failures of the pipeline's own checks (bad options, inconsistent inputs). File-format
/// problems surface as `MRIIOError`, parameter problems of the physics as `AcquisitionError`.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An option value is out of range or inconsistent; `name` is the option.
    case invalidOption(name: String, reason: String)
    /// An input cannot be used for the requested job (`file` names it).
    case unusableInput(file: String, reason: String)

    public var description: String {
        switch self {
        case .invalidOption(let n, let r): return "--\(n): \(r)"
        case .unusableInput(let f, let r): return "\(f): \(r)"
        }
    }
}

extension PipelineError: LocalizedError {
    public var errorDescription: String? { description }
}
