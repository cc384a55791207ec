import Foundation
import MRICore

/// Coil expansion by sensitivity maps: image `[H, W]` → coil images `[coils, H, W]`,
///
///   (S x)_c = S_c ⊙ x,   Sᴴ y = Σ_c conj(S_c) ⊙ y_c,
///
/// the inner factor of the SENSE model (BART `fmac`/`sense/model.c` `maps`, SigPy
/// `linop.Multiply` + `Sum`). Pixels are split over `compute.lanes` threads.
public struct CoilSensitivityOperator: LinearOperator {
    /// Coil sensitivities `[coils, H, W]`.
    public let sensitivityMaps: ComplexArray
    /// Lanes of the pixel loops.
    public let compute: ComputeSettings

    public init(sensitivityMaps: ComplexArray, compute: ComputeSettings = .machine) {
        precondition(sensitivityMaps.rank == 3, "CoilSensitivityOperator: maps must be [coils, H, W]")
        self.sensitivityMaps = sensitivityMaps
        self.compute = compute
    }

    public var inputShape: [Int] { Array(sensitivityMaps.shape.dropFirst()) }
    public var outputShape: [Int] { sensitivityMaps.shape }

    /// S_c ⊙ x for every coil.
    public func apply(_ x: ComplexArray) -> ComplexArray {
        precondition(x.shape == inputShape, "CoilSensitivityOperator.apply: \(x.shape) ≠ \(inputShape)")
        var out = ComplexArray(zeros: outputShape)
        let c = outputShape[0], n = x.count
        x.storage.withUnsafeBufferPointer { xp in
            sensitivityMaps.storage.withUnsafeBufferPointer { sp in
                out.withUnsafeMutableBufferPointer { op in
                    nonisolated(unsafe) let o = op.baseAddress!
                    let s = sp.baseAddress!, xx = xp.baseAddress!
                    parallelChunks(n, chunks: compute.lanes) { r in
                        for ci in 0..<c {
                            let sc = s + ci * n, oc = o + ci * n
                            for i in r { oc[i] = sc[i] * xx[i] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Σ_c conj(S_c) ⊙ y_c.
    public func adjoint(_ y: ComplexArray) -> ComplexArray {
        precondition(y.shape == outputShape, "CoilSensitivityOperator.adjoint: \(y.shape) ≠ \(outputShape)")
        var out = ComplexArray(zeros: inputShape)
        let c = outputShape[0], n = out.count
        y.storage.withUnsafeBufferPointer { kp in
            sensitivityMaps.storage.withUnsafeBufferPointer { sp in
                out.withUnsafeMutableBufferPointer { op in
                    nonisolated(unsafe) let o = op.baseAddress!
                    let s = sp.baseAddress!, kk = kp.baseAddress!
                    parallelChunks(n, chunks: compute.lanes) { r in
                        // Coil-outer accumulation: contiguous streams, vectorisable.
                        for ci in 0..<c {
                            let sc = s + ci * n, kc = kk + ci * n
                            if ci == 0 {
                                for i in r {
                                    let a = sc[i], b = kc[i]
                                    o[i] = ComplexFloat(a.re * b.re + a.im * b.im, a.re * b.im - a.im * b.re)
                                }
                            } else {
                                for i in r {
                                    let a = sc[i], b = kc[i]
                                    o[i].re += a.re * b.re + a.im * b.im
                                    o[i].im += a.re * b.im - a.im * b.re
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
