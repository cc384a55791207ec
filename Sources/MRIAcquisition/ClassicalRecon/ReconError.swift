/// Bad input to the SENSE model or a classical reconstruction.
public enum ReconError: Error, CustomStringConvertible, Equatable {
    /// An array (named by `parameter`) has the wrong shape.
    case shapeMismatch(parameter: String, expected: String, got: [Int])
    /// A parameter has an invalid value.
    case invalidParameter(name: String, reason: String)

    public var description: String {
        switch self {
        case .shapeMismatch(let p, let e, let g): return "ClassicalRecon: \(p) has shape \(g), expected \(e)"
        case .invalidParameter(let n, let r): return "ClassicalRecon: parameter \(n) is invalid: \(r)"
        }
    }
}
