/// A Slurm batch script: `#SBATCH` directives, then a bash body. Rendered as text to be written
/// into the plan folder, so what runs is what a user can read and rerun by hand.
public struct BatchScript: Sendable, Equatable {
    /// (option, value) pairs: `#SBATCH --option=value`, or `#SBATCH --option` when value is nil.
    /// A value with white space is written in double quotes, which sbatch's directive parser
    /// removes (`#SBATCH --output="/data/my study/logs/task-%a.out"`); `directiveProblem` names
    /// the values a directive cannot carry.
    public var directives: [(String, String?)]
    /// Lines of the body, after `set -euo pipefail`.
    public var body: [String]
    /// Comment lines at the top (what the script is for).
    public var comments: [String]

    public init(comments: [String] = [], directives: [(String, String?)], body: [String]) {
        self.comments = comments
        self.directives = directives
        self.body = body
    }

    public static func == (a: BatchScript, b: BatchScript) -> Bool {
        a.body == b.body && a.comments == b.comments
            && a.directives.map { "\($0.0)=\($0.1 ?? "")" } == b.directives.map { "\($0.0)=\($0.1 ?? "")" }
    }

    /// The script text.
    public var text: String {
        var lines = ["#!/bin/bash"]
        lines += comments.map { "# " + $0 }
        lines += directives.map { "#SBATCH --\($0.0)" + ($0.1.map { "=" + Self.directiveValue($0) } ?? "") }
        lines += ["set -euo pipefail"] + body
        return lines.joined(separator: "\n") + "\n"
    }

    /// `value` as an `#SBATCH` directive writes it: in double quotes when it has white space.
    static func directiveValue(_ value: String) -> String {
        value.contains(where: \.isWhitespace) ? "\"" + value + "\"" : value
    }

    /// Why `value` cannot be an `#SBATCH` directive value (a double quote or a line break, which
    /// sbatch's parser cannot take), or nil.
    public static func directiveProblem(_ value: String) -> String? {
        if value.contains("\"") { return "contains a double quote, which an #SBATCH directive cannot carry" }
        if value.contains(where: \.isNewline) { return "contains a line break, which an #SBATCH directive cannot carry" }
        return nil
    }

    /// `word` quoted for bash (single quotes; unchanged when it needs none).
    public static func quote(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        if safe && !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
