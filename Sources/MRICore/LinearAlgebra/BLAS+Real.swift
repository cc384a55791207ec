import COpenBLAS

extension BLAS {
    /// Real single-precision matrix product (BLAS `sgemm`), row-major:
    /// C ← α·op(A)·op(B) + β·C, op(A) m×k, op(B) k×n, C m×n.
    /// `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored (A is m×k, or k×m when
    /// `transposeA`; B is k×n, or n×k when `transposeB`). Raw-pointer variant for hot loops:
    /// the caller guarantees the buffers cover the addressed elements.
    public static func matrixMultiply(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// C = op(A)·op(B) for row-major arrays (A m×k or k×m, B k×n or n×k); returns C (m×n).
    public static func matrixMultiply(
        _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false
    ) -> [Float] {
        precondition(a.count == m * k && b.count == k * n, "matrixMultiply: operand sizes do not match m, n, k")
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    matrixMultiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                   a: pa.baseAddress!, lda: transposeA ? m : k, b: pb.baseAddress!,
                                   ldb: transposeB ? k : n, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// Number of threads OpenBLAS uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }
}
