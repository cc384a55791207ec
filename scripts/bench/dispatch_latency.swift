// How long DispatchQueue.concurrentPerform(iterations: 2) takes when each lane busy-waits T µs,
// with 50 µs of serial work between calls (as between a network's layers): the excess over T is
// the cost of waking the second lane's worker thread (docs/performance.md, "Neural prior").
//   swiftc -O scripts/bench/dispatch_latency.swift -o /tmp/dispatch_latency && /tmp/dispatch_latency
import Foundation

@inline(never) func spin(_ microseconds: Double) {
    let end = DispatchTime.now().uptimeNanoseconds + UInt64(microseconds * 1000)
    while DispatchTime.now().uptimeNanoseconds < end {}
}

for work in [20.0, 100, 500, 2000] {
    let calls = work < 1000 ? 400 : 100
    var total = 0.0
    for _ in 0..<calls {
        let t0 = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: 2) { _ in spin(work) }
        total += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000
        spin(50)
    }
    print("\(Int(work)) µs per lane: concurrentPerform(2) takes \(Int((total / Double(calls)).rounded())) µs")
}
