import Foundation
import MRIPipeline

/// A one-line progress bar with ETA on stderr, redrawn in place, when stderr is a terminal
/// (`isatty`); otherwise `isTerminal` is false and the caller prints plain lines instead.
final class ProgressDisplay: @unchecked Sendable {
    let isTerminal = isatty(2) != 0
    private let lock = NSLock()
    private var lastDraw = 0.0
    private var drawn = false

    /// Redraws the bar (at most 10 times a second).
    func update(_ p: ReconPipeline.Progress, label: String) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date().timeIntervalSinceReferenceDate
        guard p.fraction >= 1 || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let width = 28
        let filled = min(width, Int(p.fraction * Double(width)))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        var text = "\(label)\(p.file) [\(bar)] \(Int(p.fraction * 100))%  slice \(min(p.slice + 1, p.slices))/\(p.slices)"
        if p.steps > 0 { text += "  step \(p.step)/\(p.steps)" }
        text += "  " + Self.clock(p.elapsed)
        if let r = p.remaining { text += "  ETA " + Self.clock(r) }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
        drawn = true
    }

    /// Ends the bar's line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
        lastDraw = 0
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
