import CKernels

/// Element-wise complex products of the row-streaming operators (`RowFourierMultiplier`,
/// `RowDFT`, the column-mask SENSE kernel): AVX-512 or AVX2 C kernels where the CPU has them
/// (`Sources/CKernels/complex_rows.c`), else these Swift loops. All evaluate each value as the
/// same single-rounded products and sums, so the bits do not depend on the path (tested).
public enum ComplexRowKernels {
    /// Whether the C kernels (AVX2 + FMA at least) run on this CPU.
    public static let vectorised: Bool = ck_has_avx2_fma() != 0
    /// Whether they run with AVX-512 (else AVX2).
    public static let avx512: Bool = ck_has_avx512() != 0

    /// out[j] = a[j]·b[j] for j < count (`out` may be `a` or `b`). `instructionSet` (tests): 0 the
    /// best the CPU has, 1 AVX2, 2 AVX-512.
    @inline(__always)
    public static func multiply(
        _ a: UnsafePointer<ComplexFloat>, _ b: UnsafePointer<ComplexFloat>, into out: UnsafeMutablePointer<ComplexFloat>,
        count: Int, vectorised: Bool = vectorised, instructionSet: Int32 = 0
    ) {
        if vectorised {
            ck_complex_multiply(
                floats(a), floats(b), UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), count, instructionSet)
        } else {
            for j in 0..<count { out[j] = a[j] * b[j] }
        }
    }

    /// acc[j] += conj(s[j])·v[j] for j < count.
    @inline(__always)
    public static func conjugateMultiplyAdd(
        _ s: UnsafePointer<ComplexFloat>, _ v: UnsafePointer<ComplexFloat>, into acc: UnsafeMutablePointer<ComplexFloat>,
        count: Int, vectorised: Bool = vectorised, instructionSet: Int32 = 0
    ) {
        if vectorised {
            ck_conjugate_multiply_add(
                floats(s), floats(v), UnsafeMutableRawPointer(acc).assumingMemoryBound(to: Float.self), count, instructionSet)
        } else {
            for j in 0..<count {
                let a = s[j], b = v[j]
                acc[j] = ComplexFloat(acc[j].re + a.re * b.re + a.im * b.im, acc[j].im + a.re * b.im - a.im * b.re)
            }
        }
    }

    @inline(__always)
    private static func floats(_ p: UnsafePointer<ComplexFloat>) -> UnsafePointer<Float> {
        UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
}
