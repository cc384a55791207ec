/// Errors of the MRIAcquisition module: bad mask parameters, shapes that do not fit, and
/// numerical failures in preprocessing. Each description is one line naming the parameter
/// and the problem.
public enum AcquisitionError: Error, CustomStringConvertible, Equatable {
    /// A parameter is outside its valid range, e.g. acceleration < 1.
    case invalidParameter(name: String, value: String, reason: String)
    /// A mask type string that no `MaskKind` case matches.
    case unknownMaskKind(String)
    /// An array's shape does not fit the operation (`what` names the operation and argument).
    case shapeMismatch(what: String, expected: String, actual: [Int])
    /// A mask generator could not reach the requested acceleration.
    case accelerationNotReached(kind: String, requested: Double, achieved: Double)
    /// A LAPACK/BLAS routine failed inside preprocessing.
    case numericalFailure(String)

    /// One line naming the parameter or operation and the problem.
    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let reason):
            return "invalid \(name) = \(value): \(reason)"
        case .unknownMaskKind(let name):
            let known = MaskKind.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown mask type \"\(name)\" (known: \(known))"
        case .shapeMismatch(let what, let expected, let actual):
            return "\(what): expected shape \(expected), got \(actual)"
        case .accelerationNotReached(let kind, let requested, let achieved):
            return "\(kind) mask: cannot reach acceleration \(requested) (achieved \(achieved))"
        case .numericalFailure(let message):
            return "numerical failure: \(message)"
        }
    }
}
