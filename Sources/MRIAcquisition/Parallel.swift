import Foundation

/// Runs `body(range)` over `count` items split into at most `chunks` contiguous ranges in parallel.
@inline(__always)
func parallelChunks(_ count: Int, chunks: Int, _ body: @escaping (Range<Int>) -> Void) {
    if count <= 0 { return }
    let n = max(1, min(chunks, count))
    if n == 1 { body(0..<count); return }
    let per = (count + n - 1) / n
    nonisolated(unsafe) let body = body
    DispatchQueue.concurrentPerform(iterations: n) { c in
        let lo = c * per, hi = min(count, lo + per)
        if lo < hi { body(lo..<hi) }
    }
}

