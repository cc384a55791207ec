import Foundation
import MRICore

/// Multiplication of every coil's k-space `[coils, H, W]` by real sampling weights M on the
/// `[H, W]` grid (0/1 for a Cartesian mask): self-adjoint, with AᴴA = M² (BART `sense/model.c`
/// pattern, SigPy `linop.Multiply` by the mask). Coils are split over `compute.lanes` threads.
public struct SamplingOperator: LinearOperator {
    /// Weights on the `[H, W]` grid, row-major.
    public let weights: [Float]
    public let inputShape: [Int]
    /// Lanes of the coil loop.
    public let compute: ComputeSettings

    /// Weights `[H, W]` broadcast over the leading axis of `shape` (`[coils, H, W]`).
    public init(weights: FloatArray, shape: [Int], compute: ComputeSettings = .machine) {
        precondition(shape.count == 3 && Array(shape.dropFirst()) == weights.shape,
                     "SamplingOperator: weights \(weights.shape) do not fit \(shape)")
        self.weights = weights.storage
        inputShape = shape
        self.compute = compute
    }

    public var outputShape: [Int] { inputShape }
    public func apply(_ x: ComplexArray) -> ComplexArray { weighted(x, squared: false) }
    public func adjoint(_ y: ComplexArray) -> ComplexArray { weighted(y, squared: false) }
    public func normal(_ x: ComplexArray) -> ComplexArray { weighted(x, squared: true) }

    private func weighted(_ x: ComplexArray, squared: Bool) -> ComplexArray {
        precondition(x.shape == inputShape, "SamplingOperator: \(x.shape) ≠ \(inputShape)")
        var k = x
        let n = weights.count
        weights.withUnsafeBufferPointer { mp in
            k.withUnsafeMutableBufferPointer { kp in
                nonisolated(unsafe) let base = kp.baseAddress!
                let m = mp.baseAddress!
                parallelChunks(inputShape[0], chunks: compute.lanes) { r in
                    for c in r {
                        let b = base + c * n
                        if squared {
                            for i in 0..<n { b[i] = b[i] * (m[i] * m[i]) }
                        } else {
                            for i in 0..<n { b[i] = b[i] * m[i] }
                        }
                    }
                }
            }
        }
        return k
    }
}
