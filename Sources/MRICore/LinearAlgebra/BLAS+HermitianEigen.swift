import COpenBLAS

extension BLAS {
    /// Eigen-decomposition of a row-major n×n Hermitian matrix (LAPACK `cheevd`): eigenvalues
    /// ascending, eigenvectors as the columns of a row-major n×n matrix. Every buffer LAPACK
    /// touches is owned here and padded. OpenBLAS 0.3.21's `cgemv_n` Zen kernel, used by `cheevd` → `chetrd` → `clatrd`,
    /// reads a little past the end of its operands; with LAPACKE's own exactly sized (mmapped)
    /// buffers this segfaults intermittently for n ≈ 150–550. The row-major Hermitian A is passed
    /// as column-major, i.e. conj(A), and the eigenvectors are conjugated back.
    public static func hermitianEigen(_ a: [ComplexFloat], n: Int) throws -> (values: [Float], vectors: [ComplexFloat]) {
        precondition(a.count == n * n, "hermitianEigen: \(a.count) ≠ \(n)²")
        let pad = 8192
        var m = a + [ComplexFloat](repeating: .zero, count: pad)
        var w = [Float](repeating: 0, count: n + pad)
        var workQuery = ComplexFloat.zero
        var rworkQuery: Float = 0
        var iworkQuery: Int32 = 0
        let jobz = Int8(UInt8(ascii: "V")), uplo = Int8(UInt8(ascii: "U"))
        var info = m.withUnsafeMutableBufferPointer { pm in
            withUnsafeMutablePointer(to: &workQuery) { pw in
                LAPACKE_cheevd_work(LAPACK_COL_MAJOR, jobz, uplo, Int32(n), OpaquePointer(pm.baseAddress), Int32(n), &w,
                                    OpaquePointer(pw), -1, &rworkQuery, -1, &iworkQuery, -1)
            }
        }
        guard info == 0 else { throw NumericsError.lapackFailure(routine: "cheevd (query)", info: Int(info)) }
        let lwork = Int(workQuery.re), lrwork = Int(rworkQuery), liwork = Int(iworkQuery)
        var work = [ComplexFloat](repeating: .zero, count: lwork + pad)
        var rwork = [Float](repeating: 0, count: lrwork + pad)
        var iwork = [Int32](repeating: 0, count: liwork + pad)
        info = m.withUnsafeMutableBufferPointer { pm in
            work.withUnsafeMutableBufferPointer { pw in
                LAPACKE_cheevd_work(LAPACK_COL_MAJOR, jobz, uplo, Int32(n), OpaquePointer(pm.baseAddress), Int32(n), &w,
                                    OpaquePointer(pw.baseAddress), Int32(lwork), &rwork, Int32(lrwork), &iwork, Int32(liwork))
            }
        }
        guard info == 0 else { throw NumericsError.lapackFailure(routine: "cheevd", info: Int(info)) }
        // Column j of m (contiguous) is an eigenvector of conj(A); conj gives A's.
        var vectors = [ComplexFloat](repeating: .zero, count: n * n)
        for j in 0..<n { for i in 0..<n { vectors[i * n + j] = m[j * n + i].conjugate } }
        return (Array(w[0..<n]), vectors)
    }
}
