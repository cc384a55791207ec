import MRICore

/// SVD coil compression to N virtual coils (Huang et al., "A software channel compression
/// technique for faster reconstruction with many channels", MRI 2008; BART `cc -S`).
///
/// The calibration data (k-space or its ACS region) is read as a matrix X of coils × samples.
/// With X = U Σ Vᴴ (computed as the SVD of the coil covariance X Xᴴ = U Σ² Uᴴ), the
/// compression matrix is P = U[:, :N]ᴴ (N × C) and a dataset x (coils × samples) maps to P x.
/// P has orthonormal rows, so the energy kept is Σ_{i<N} σ_i² / Σ_i σ_i² of the calibration
/// data, and data lying in the span of the first N left singular vectors is preserved exactly
/// (RSS images included). Compression is linear across coils, so it commutes with the FFT
/// and applies equally to k-space or coil images.
public struct CoilCompression: Sendable {
    /// Number of physical coils C.
    public let inputCoils: Int
    /// Number of virtual coils N ≤ C.
    public let virtualCoils: Int
    /// P = U[:, :N]ᴴ, row-major N × C.
    public let matrix: [ComplexFloat]
    /// Singular values σ_i of the calibration matrix, descending (length C).
    public let singularValues: [Float]

    /// Fits P to `calibration` of shape `[coils, ...]` (rank 2 or 3) or `[slices, coils, H, W]`
    /// (rank ≥ 4: the coil axis is third from last and the leading axes are stacked as samples).
    public init(calibration: ComplexArray, virtualCoils: Int) throws {
        let (outer, coils, inner) = try Self.layout(calibration.shape, what: "CoilCompression calibration")
        guard virtualCoils >= 1, virtualCoils <= coils else {
            throw AcquisitionError.invalidParameter(name: "virtualCoils", value: "\(virtualCoils)",
                                                    reason: "must lie in 1...\(coils) (the number of coils)")
        }
        // conj(X Xᴴ) = (Xᵀ)ᴴ Xᵀ, accumulated over the outer blocks with Xᵀ (samples × coils).
        var covariance = [ComplexFloat](repeating: .zero, count: coils * coils)
        var transposed = [ComplexFloat](repeating: .zero, count: inner * coils)
        for b in 0..<outer {
            calibration.storage.withUnsafeBufferPointer { x in
                transposed.withUnsafeMutableBufferPointer { t in
                    for c in 0..<coils {
                        let src = x.baseAddress! + (b * coils + c) * inner
                        for s in 0..<inner { t[s * coils + c] = src[s] }
                    }
                }
            }
            let g = BLAS.complexMatrixMultiply(transposed, transposed, m: coils, n: coils, k: inner,
                                               conjugateTransposeA: true)
            for i in 0..<(coils * coils) { covariance[i] += g[i].conjugate }
        }
        let svd: (u: [ComplexFloat], s: [Float], vh: [ComplexFloat])
        do {
            svd = try BLAS.singularValueDecomposition(covariance, m: coils, n: coils)
        } catch {
            throw AcquisitionError.numericalFailure("coil compression SVD: \(error)")
        }
        var p = [ComplexFloat](repeating: .zero, count: virtualCoils * coils)
        for v in 0..<virtualCoils { for c in 0..<coils { p[v * coils + c] = svd.u[c * coils + v].conjugate } }
        self.inputCoils = coils
        self.virtualCoils = virtualCoils
        self.matrix = p
        self.singularValues = svd.s.map { max($0, 0).squareRoot() }
    }

    /// Fraction of the calibration energy kept, Σ_{i<N} σ_i² / Σ_i σ_i².
    public var retainedEnergyFraction: Double {
        let e = singularValues.map { Double($0) * Double($0) }
        let total = e.reduce(0, +)
        return total > 0 ? e.prefix(virtualCoils).reduce(0, +) / total : 1
    }

    /// Compresses `data` (`[coils, ...]` or `[..., coils, H, W]` as for calibration) to N coils.
    public func apply(_ data: ComplexArray) throws -> ComplexArray {
        let (outer, coils, inner) = try Self.layout(data.shape, what: "CoilCompression.apply")
        guard coils == inputCoils else {
            throw AcquisitionError.shapeMismatch(what: "CoilCompression.apply coil axis", expected: "\(inputCoils) coils",
                                                 actual: data.shape)
        }
        var out = [ComplexFloat]()
        out.reserveCapacity(outer * virtualCoils * inner)
        for b in 0..<outer {
            let block = Array(data.storage[(b * coils * inner)..<((b + 1) * coils * inner)])
            out.append(contentsOf: BLAS.complexMatrixMultiply(matrix, block, m: virtualCoils, n: inner, k: coils))
        }
        var shape = data.shape
        shape[Self.coilAxis(rank: shape.count)] = virtualCoils
        return ComplexArray(shape: shape, storage: out)
    }

    /// Coil axis: 0 for rank ≤ 3, rank − 3 for rank ≥ 4.
    static func coilAxis(rank: Int) -> Int { rank <= 3 ? 0 : rank - 3 }

    private static func layout(_ shape: [Int], what: String) throws -> (outer: Int, coils: Int, inner: Int) {
        guard shape.count >= 2, shape.allSatisfy({ $0 >= 1 }) else {
            throw AcquisitionError.shapeMismatch(what: what, expected: "[coils, ...] or [..., coils, H, W]", actual: shape)
        }
        let a = coilAxis(rank: shape.count)
        return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
    }
}
