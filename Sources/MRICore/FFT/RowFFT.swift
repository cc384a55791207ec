import CFFTW
import Foundation

/// Unnormalised, uncentred in-place 1-D DFT of one contiguous line of `length` complex values,
/// single-threaded: the building block of operators that stream their data through the cache a
/// line at a time and parallelise over lines themselves (`ColumnSENSEKernel`).
///
/// `forward` computes X_k = Σ_j x_j e^{−2πijk/n}, `backward` the same with +; backward ∘ forward
/// = n·I. Lines must come from `allocateLine` (FFTW-aligned, as planned). Plans are made once,
/// under the process-wide planner lock; execution is thread-safe (FFTW new-array execute).
public final class RowFFT: @unchecked Sendable {
    /// Line length n.
    public let length: Int
    private let forwardPlan: fftwf_plan
    private let backwardPlan: fftwf_plan

    public init(length: Int) {
        precondition(length >= 1)
        self.length = length
        (forwardPlan, backwardPlan) = FFTWPlanner.locked {
            let buffer = fftwf_alloc_complex(length)!
            defer { fftwf_free(buffer) }
            fftwf_plan_with_nthreads(1)
            let f = fftwf_plan_dft_1d(Int32(length), buffer, buffer, FFTW_FORWARD, FFTW_ESTIMATE)!
            let b = fftwf_plan_dft_1d(Int32(length), buffer, buffer, FFTW_BACKWARD, FFTW_ESTIMATE)!
            return (f, b)
        }
    }

    deinit {
        FFTWPlanner.locked {
            fftwf_destroy_plan(forwardPlan)
            fftwf_destroy_plan(backwardPlan)
        }
    }

    /// An FFTW-aligned line of `length × count` complex values (free with `freeLine`).
    public func allocateLine(count: Int = 1) -> UnsafeMutablePointer<ComplexFloat> {
        Self.allocateLine(count: length * count)
    }

    public func freeLine(_ p: UnsafeMutablePointer<ComplexFloat>) { Self.freeLine(p) }

    /// `count` FFTW-aligned complex values (free with `freeLine`).
    public static func allocateLine(count: Int) -> UnsafeMutablePointer<ComplexFloat> {
        let p = fftwf_alloc_complex(max(1, count))!
        return UnsafeMutableRawPointer(p).bindMemory(to: ComplexFloat.self, capacity: count)
    }

    public static func freeLine(_ p: UnsafeMutablePointer<ComplexFloat>) {
        fftwf_free(UnsafeMutableRawPointer(p))
    }

    /// In-place forward DFT of the line at `p`.
    @inline(__always) public func forward(_ p: UnsafeMutablePointer<ComplexFloat>) {
        let c = UnsafeMutableRawPointer(p).assumingMemoryBound(to: fftwf_complex.self)
        fftwf_execute_dft(forwardPlan, c, c)
    }

    /// In-place backward (inverse, unnormalised) DFT of the line at `p`.
    @inline(__always) public func backward(_ p: UnsafeMutablePointer<ComplexFloat>) {
        let c = UnsafeMutableRawPointer(p).assumingMemoryBound(to: fftwf_complex.self)
        fftwf_execute_dft(backwardPlan, c, c)
    }
}

/// FFTW's planner is not thread-safe: every plan creation and destruction in the process
/// goes through this one lock.
enum FFTWPlanner {
    private static let lock = NSLock()
    /// `fftwf_init_threads` once, before the first plan.
    private static let threadsReady: Bool = { fftwf_init_threads() != 0 }()
    /// `FFTWWisdom.rowTransforms` imported once, before the first plan (true when FFTW took it).
    static let wisdomImported: Bool = FFTWWisdom.rowTransforms.withCString { fftwf_import_wisdom_from_string($0) != 0 }
    static func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        _ = threadsReady
        _ = wisdomImported
        defer { lock.unlock() }
        return body()
    }
}
