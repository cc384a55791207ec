/// Failures of the DAPS sampler: an invalid configuration, inputs of the wrong shape, or a
/// non-finite state. Each description is one line naming the field or parameter and the problem.
public enum DAPSError: Error, CustomStringConvertible, Equatable {
    /// A configuration field is invalid (`key` is its JSON name, e.g. `sigma_max`, `conditional.lr`).
    case invalidConfiguration(key: String, problem: String)
    /// An input to the sampler is unacceptable (`parameter` names it).
    case invalidInput(parameter: String, problem: String)
    /// The sampler state became NaN/∞ at annealing step `annealingStep` in `stage`.
    case nonFinite(stage: String, annealingStep: Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let k, let p): return "DAPS configuration '\(k)': \(p)"
        case .invalidInput(let p, let pr): return "DAPS input '\(p)': \(pr)"
        case .nonFinite(let s, let i): return "DAPS: non-finite values after the \(s) at annealing step \(i)"
        }
    }
}
