import Foundation

/// Wall time per kind of network step, summed over the evaluations run inside `record` on the
/// recording thread (`mri-daps bench prior --breakdown`). Steps are timed on the thread that
/// drives them, so at batch 1 a step's time includes both lanes' work and the wait for the
/// slower one. Off (one thread-local read per step) unless a `record` is running.
public final class LayerTimes: @unchecked Sendable {
    /// Milliseconds per step kind, summed.
    public private(set) var milliseconds: [String: Double] = [:]

    public init() {}

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` with this thread's network steps timed into `self`.
    public func record<R>(_ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(Self.key)
        pthread_setspecific(Self.key, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(Self.key, previous) }
        return try body()
    }

    /// Runs `body`, adding its wall time to `kind` when this thread is recording.
    @inline(__always)
    static func measure<R>(_ kind: @autoclosure () -> String, _ body: () throws -> R) rethrows -> R {
        guard let p = pthread_getspecific(key) else { return try body() }
        let times = Unmanaged<LayerTimes>.fromOpaque(p).takeUnretainedValue()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        times.milliseconds[kind(), default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        return r
    }
}
