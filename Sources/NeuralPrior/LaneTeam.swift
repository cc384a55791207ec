import CKernels
import Foundation
import Synchronization

/// Fork-join over two lanes for one network evaluation, without waking a thread for every layer.
///
/// A batch-1 evaluation runs about fifty parallel steps (each convolution's row halves, each
/// GroupNorm's statistics, pooling, upsampling), most of them 0.1–2 ms long. Through
/// `DispatchQueue.concurrentPerform` every step wakes a parked worker thread, which on the
/// virtual machines measured here takes 100 µs or more (docs/performance.md,
/// scripts/bench/dispatch_latency.swift): a 100 µs step ran serially. While a thread leads the team (`withTeam`, around one evaluation), a helper thread
/// instead spins on an atomic counter between steps and picks each step's lane 1 up at once;
/// between evaluations it sleeps on a semaphore. Which lane runs which part never changes a
/// result: the callers split their work by fixed rules, as they do for `concurrentPerform`.
///
/// One team per process: an evaluation that finds it held by another runs without it.
final class LaneTeam: @unchecked Sendable {
    static let shared = LaneTeam()

    private let claim = NSLock()
    private let posted = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let active = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    /// The posted step (set by the leader before `posted` is released, read by the helper after
    /// acquiring it).
    private var task: ((Int) -> Void)?
    private var helper: Thread?

    /// The team this thread leads, if any (thread-local).
    private static let leaderKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    private static var current: LaneTeam? {
        get { pthread_getspecific(leaderKey).map { Unmanaged<LaneTeam>.fromOpaque($0).takeUnretainedValue() } }
        set { pthread_setspecific(leaderKey, newValue.map { Unmanaged.passUnretained($0).toOpaque() }) }
    }

    /// Runs `body` with this thread leading the team (its steps' lane 0, the helper lane 1), or
    /// plainly when the team is held by another thread or this thread already leads it.
    static func withTeam<R>(_ body: () throws -> R) rethrows -> R {
        let team = shared
        guard current == nil, team.claim.try() else { return try body() }
        defer { team.claim.unlock() }
        if team.helper == nil {
            let t = Thread { team.helperLoop() }
            t.name = "mri-daps lane 1"
            t.start()
            team.helper = t
        }
        team.active.store(true, ordering: .releasing)
        team.wake.signal()
        current = team
        defer {
            current = nil
            team.active.store(false, ordering: .releasing)
        }
        return try body()
    }

    /// Whether this thread leads the team now (so that `perform(2, …)` runs on it).
    static var isLeading: Bool { current != nil }

    /// `body(lane)` for `lanes` lanes: on the team when `lanes` is 2 and this thread leads it,
    /// else through `DispatchQueue.concurrentPerform`.
    static func perform(_ lanes: Int, _ body: (Int) -> Void) {
        if lanes == 2, let team = current {
            team.run(body)
        } else if lanes == 1 {
            body(0)
        } else {
            withoutActuallyEscaping(body) { escaping in
                nonisolated(unsafe) let run = escaping
                DispatchQueue.concurrentPerform(iterations: lanes) { run($0) }
            }
        }
    }

    /// Posts `body`, runs its lane 0, waits for the helper's lane 1.
    private func run(_ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { step in
            task = step
            let generation = posted.add(1, ordering: .releasing).newValue
            // A step that itself asks for lanes runs them through concurrentPerform.
            Self.current = nil
            step(0)
            Self.current = self
            var waits = 0
            while finished.load(ordering: .acquiring) != generation { Self.pause(&waits) }
            task = nil
        }
    }

    /// One wait of a spin loop: a pause hint for the first few thousand, then `sched_yield`, so
    /// that a lane waiting for a descheduled partner (more runnable threads than cores) gives
    /// the core back instead of spinning through its time slice.
    private static func pause(_ waits: inout Int) {
        waits += 1
        if waits < 4096 { ck_cpu_relax() } else { sched_yield() }
    }

    private func helperLoop() {
        var seen = 0
        while true {
            wake.wait()
            var waits = 0
            while true {
                let generation = posted.load(ordering: .acquiring)
                if generation != seen {
                    seen = generation
                    task?(1)
                    finished.store(generation, ordering: .releasing)
                    waits = 0
                } else if !active.load(ordering: .acquiring) {
                    break
                } else {
                    Self.pause(&waits)
                }
            }
        }
    }
}
