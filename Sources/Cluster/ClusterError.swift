/// A one-line error of the Slurm commands or of a local worker process.
public enum ClusterError: Error, Equatable, CustomStringConvertible {
    /// `sbatch` (or another command) is not on PATH.
    case commandNotFound(String)
    /// A command ran and failed; `message` is the last line of its standard error.
    case commandFailed(command: String, status: Int32, message: String)
    /// A command's output was not what its documented format says.
    case unexpectedOutput(command: String, output: String)

    public var description: String {
        switch self {
        case .commandNotFound(let name):
            return "\(name) was not found on PATH (is Slurm installed on this machine, or is this not a login node?)"
        case .commandFailed(let command, let status, let message):
            return "\(command) failed (exit \(status)): \(message.isEmpty ? "no message" : message)"
        case .unexpectedOutput(let command, let output):
            return "\(command) printed '\(output.prefix(200))', not what it documents"
        }
    }
}
