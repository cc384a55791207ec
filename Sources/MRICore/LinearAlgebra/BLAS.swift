import COpenBLAS
import Foundation

/// Thin, typed wrappers over the OpenBLAS/LAPACKE routines mri-daps needs. Matrices are
/// row-major. This is the only file that calls BLAS/LAPACK directly.
public enum BLAS {
    /// C = A·B (or Aᴴ·B with `conjugateTransposeA`), complex, row-major.
    /// A is m×k (k×m when transposed), B is k×n, C is m×n.
    public static func complexMatrixMultiply(
        _ a: [ComplexFloat], _ b: [ComplexFloat], m: Int, n: Int, k: Int, conjugateTransposeA: Bool = false
    ) -> [ComplexFloat] {
        var c = [ComplexFloat](repeating: .zero, count: m * n)
        var alpha = ComplexFloat(1, 0)
        var beta = ComplexFloat(0, 0)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    cblas_cgemm(CblasRowMajor, conjugateTransposeA ? CblasConjTrans : CblasNoTrans, CblasNoTrans,
                                blasint(m), blasint(n), blasint(k), &alpha,
                                pa.baseAddress, blasint(conjugateTransposeA ? m : k),
                                pb.baseAddress, blasint(n), &beta, pc.baseAddress, blasint(n))
                }
            }
        }
        return c
    }

    /// Thin singular value decomposition of a row-major m×n complex matrix:
    /// A = U·diag(s)·Vᴴ. Returns U (m×r), s (r), Vᴴ (r×n), r = min(m, n), s descending.
    public static func singularValueDecomposition(_ a: [ComplexFloat], m: Int, n: Int) throws
        -> (u: [ComplexFloat], s: [Float], vh: [ComplexFloat])
    {
        let r = min(m, n)
        var work = a
        var s = [Float](repeating: 0, count: r)
        var u = [ComplexFloat](repeating: .zero, count: m * r)
        var vh = [ComplexFloat](repeating: .zero, count: r * n)
        let info = work.withUnsafeMutableBufferPointer { pa in
            u.withUnsafeMutableBufferPointer { pu in
                vh.withUnsafeMutableBufferPointer { pv in
                    LAPACKE_cgesdd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "S")), Int32(m), Int32(n),
                                   OpaquePointer(pa.baseAddress), Int32(n), &s,
                                   OpaquePointer(pu.baseAddress), Int32(r),
                                   OpaquePointer(pv.baseAddress), Int32(n))
                }
            }
        }
        guard info == 0 else { throw NumericsError.lapackFailure(routine: "cgesdd", info: Int(info)) }
        return (u, s, vh)
    }

    /// Sets the number of OpenBLAS threads (default: OpenBLAS's own choice).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// The kernels OpenBLAS runs ("SkylakeX", "Haswell", "Prescott", …).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS built for many CPUs (DYNAMIC_ARCH, as Debian's is) chooses its kernels by CPU
    /// model when it loads, and on a model newer than its release it falls back to the SSE3
    /// "Prescott" kernels: Debian bookworm's 0.3.21 on an Emerald Rapids Xeon runs sgemm at a
    /// third of the AVX-512 kernels' rate (docs/performance.md). When that happened and the user
    /// has not chosen (`OPENBLAS_CORETYPE`), this chooses again by instruction set — "SkylakeX"
    /// with AVX-512, "Haswell" with AVX2 + FMA — and returns the kernels in use. Runs once per
    /// process; call it before the first BLAS call (the command line does, in
    /// `ComputeSettings.applyToProcess`).
    @discardableResult
    public static func selectKernels() -> String { kernelChoice }

    private static let kernelChoice: String = {
        let current = coreName
        guard current.lowercased() == "prescott", getenv("OPENBLAS_CORETYPE") == nil,
              mri_openblas_can_select_core() != 0, let better = mri_openblas_core_for_cpu()
        else { return current }
        setenv("OPENBLAS_CORETYPE", better, 1)
        mri_openblas_reselect_core()
        unsetenv("OPENBLAS_CORETYPE")  // child processes choose for themselves
        return coreName
    }()
}

/// Failures of the numerical back ends.
public enum NumericsError: Error, CustomStringConvertible {
    case lapackFailure(routine: String, info: Int)
    public var description: String {
        switch self {
        case .lapackFailure(let r, let info): return "LAPACK \(r) failed (info \(info))"
        }
    }
}
