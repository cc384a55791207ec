import Foundation
import DAPS
import MRICore

/// A `LinearOperator` that forwards to `base` and adds the wall-clock time of every apply,
/// adjoint and normal call (the FFT/coil work) to `seconds`, so the benchmark can split the
/// sampler's conditional step into operator time and the rest (Langevin/CG vector arithmetic).
/// Calls from concurrently running draws overlap, so with several draws `seconds` is summed
/// thread time and can exceed the wall-clock time of the conditional step.
public final class TimedOperator: NoiseAdjointSampling, @unchecked Sendable {
    public let base: any LinearOperator
    private let lock = NSLock()
    private var total = 0.0
    private var count = 0

    public init(_ base: any LinearOperator) { self.base = base }

    /// Seconds spent in the operator so far.
    public var seconds: Double { lock.withLock { total } }
    /// Number of apply/adjoint/normal calls so far.
    public var calls: Int { lock.withLock { count } }

    /// Resets the counters.
    public func reset() { lock.withLock { total = 0; count = 0 } }

    public var inputShape: [Int] { base.inputShape }
    public var outputShape: [Int] { base.outputShape }
    public func apply(_ x: ComplexArray) -> ComplexArray { timed { base.apply(x) } }
    public func adjoint(_ y: ComplexArray) -> ComplexArray { timed { base.adjoint(y) } }
    public func normal(_ x: ComplexArray) -> ComplexArray { timed { base.normal(x) } }
    public func sampledAdjointOfNoise(scale: Float, rng: inout some RandomNumberGenerator) -> ComplexArray {
        timed { base.adjointOfNoise(scale: scale, rng: &rng) }
    }

    private func timed(_ body: () -> ComplexArray) -> ComplexArray {
        let t = DispatchTime.now().uptimeNanoseconds
        let r = body()
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
        lock.withLock { total += dt; count += 1 }
        return r
    }
}
