/// Failures of the neural prior: unreadable or malformed weight files, configuration errors,
/// strict-loading mismatches and bad network inputs. Each description is one line naming the
/// file, key or parameter and the problem.
public enum NeuralPriorError: Error, CustomStringConvertible, Equatable {
    /// The safetensors file `file` is malformed (`problem` says how).
    case malformedFile(file: String, problem: String)
    /// A tensor has a dtype other than F32/F16.
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// The configuration is invalid (`key` names the offending field).
    case invalidConfiguration(key: String, problem: String)
    /// A tensor the network needs is absent from the weights.
    case missingTensor(key: String)
    /// A tensor in the weights is not used by the network.
    case unusedTensor(key: String)
    /// A tensor has the wrong shape.
    case shapeMismatch(key: String, expected: [Int], found: [Int])
    /// A tensor requested from a file does not exist.
    case noSuchTensor(file: String, tensor: String)
    /// The network input is unacceptable (`parameter` names it).
    case invalidInput(parameter: String, problem: String)

    public var description: String {
        switch self {
        case .malformedFile(let f, let p): return "\(f): malformed safetensors file: \(p)"
        case .unsupportedDType(let f, let t, let d):
            return "\(f): tensor '\(t)' has dtype \(d); only F32 and F16 are supported"
        case .invalidConfiguration(let k, let p): return "UNet configuration '\(k)': \(p)"
        case .missingTensor(let k): return "weights: missing tensor '\(k)'"
        case .unusedTensor(let k): return "weights: unexpected tensor '\(k)' (not used by this configuration)"
        case .shapeMismatch(let k, let e, let f): return "weights: tensor '\(k)' has shape \(f), expected \(e)"
        case .noSuchTensor(let f, let t): return "\(f): no tensor named '\(t)'"
        case .invalidInput(let p, let pr): return "UNet input '\(p)': \(pr)"
        }
    }
}
