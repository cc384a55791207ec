import Foundation
import MRICore

/// The Cartesian multi-coil SENSE forward model (Pruessmann et al., MRM 1999; BART
/// `src/sense/model.c`): image `[H, W]` → k-space `[coils, H, W]`,
///
///   (A x)_c = M ⊙ F(S_c ⊙ x),   Aᴴ y = Σ_c conj(S_c) ⊙ Fᴴ(M ⊙ y_c),
///
/// with F the centred orthonormal 2-D FFT (`CenteredFFT`, fastMRI `fft2c`), S_c the coil
/// sensitivity maps and M a real sampling weight on the `[H, W]` grid (a 0/1 phase-encode
/// column mask broadcast over readout rows, or a full 2-D mask). The model is composed from
/// small operators, A = `SamplingOperator` ∘ `FourierOperator` ∘ `CoilSensitivityOperator`
/// (BART's `sense_init` chain, SigPy `mri.linop.Sense`), so apply, adjoint and the 2-D-mask
/// normal AᴴA = Sᴴ Fᴴ M² F S are those of the chain. For a column mask `normal` is overridden
/// by the fused row kernel (`ColumnSENSEKernel`), which gives the same AᴴA without coil-sized
/// temporaries. Single-coil data is one coil with unit sensitivity (`singleCoil`).
public struct SENSEOperator: LinearOperator {
    /// Coil sensitivities `[coils, H, W]`.
    public let sensitivityMaps: ComplexArray
    /// Sampling weights on the `[H, W]` grid, row-major.
    public let mask: [Float]
    /// Number of coils, readout rows H and phase-encode columns W.
    public let coils: Int, height: Int, width: Int
    /// True when M is constant along the readout (a column mask): then F_H commutes with M and
    /// AᴴA = Σ_c conj(S_c) F_Wᴴ M² F_W S_c needs only 1-D FFTs along the phase-encode axis.
    public let isColumnMask: Bool
    /// The row-streaming AᴴA / noise path for a column mask (nil for a 2-D mask).
    let columnKernel: ColumnSENSEKernel?
    /// Lanes and FFT threads of every apply (also used by solvers built on this operator).
    public let compute: ComputeSettings
    /// M ∘ F ∘ S.
    private let model: ComposedOperator

    /// Model with a phase-encode column mask (length W, true = acquired).
    public init(sensitivityMaps: ComplexArray, columnMask: [Bool], compute: ComputeSettings = .machine) throws {
        try self.init(sensitivityMaps: sensitivityMaps, columnWeights: columnMask.map { $0 ? 1 : 0 }, compute: compute)
    }

    /// Model with real column weights (length W, typically 0/1).
    public init(sensitivityMaps: ComplexArray, columnWeights: [Float], compute: ComputeSettings = .machine) throws {
        guard sensitivityMaps.rank == 3 else {
            throw ReconError.shapeMismatch(parameter: "sensitivityMaps", expected: "[coils, H, W]", got: sensitivityMaps.shape)
        }
        let h = sensitivityMaps.shape[1], w = sensitivityMaps.shape[2]
        guard columnWeights.count == w else {
            throw ReconError.shapeMismatch(parameter: "columnMask", expected: "[\(w)]", got: [columnWeights.count])
        }
        var m = [Float](repeating: 0, count: h * w)
        for i in 0..<h { for j in 0..<w { m[i * w + j] = columnWeights[j] } }
        try self.init(sensitivityMaps: sensitivityMaps, mask2D: FloatArray(shape: [h, w], storage: m), compute: compute)
    }

    /// Model with a full 2-D sampling mask `[H, W]`.
    /// `compute` sets the lanes of the row kernel and the pixel loops and the FFT threads.
    public init(sensitivityMaps: ComplexArray, mask2D: FloatArray, compute: ComputeSettings = .machine) throws {
        guard sensitivityMaps.rank == 3 else {
            throw ReconError.shapeMismatch(parameter: "sensitivityMaps", expected: "[coils, H, W]", got: sensitivityMaps.shape)
        }
        let s = sensitivityMaps.shape
        guard mask2D.shape == [s[1], s[2]] else {
            throw ReconError.shapeMismatch(parameter: "mask2D", expected: "[\(s[1]), \(s[2])]", got: mask2D.shape)
        }
        self.sensitivityMaps = sensitivityMaps
        self.compute = compute
        self.mask = mask2D.storage
        coils = s[0]
        height = s[1]
        width = s[2]
        var columns = true
        let m = mask2D.storage, w = s[2]
        outer: for i in 1..<max(1, s[1]) {
            for j in 0..<w where m[i * w + j] != m[j] { columns = false; break outer }
        }
        isColumnMask = columns
        columnKernel = columns && s[1] > 0 && s[2] > 0
            ? ColumnSENSEKernel(maps: sensitivityMaps, columnWeights: Array(m[0..<w]), lanes: compute.lanes) : nil
        model = SamplingOperator(weights: mask2D, shape: s, compute: compute)
            .composed(with: FourierOperator(shape: s, compute: compute))
            .composed(with: CoilSensitivityOperator(sensitivityMaps: sensitivityMaps, compute: compute))
    }

    /// Single-coil model (one coil, unit sensitivity) with a column mask.
    public static func singleCoil(height: Int, width: Int, columnMask: [Bool], compute: ComputeSettings = .machine) throws -> SENSEOperator {
        var ones = ComplexArray(zeros: [1, height, width])
        for i in 0..<ones.count { ones[linear: i] = ComplexFloat(1, 0) }
        return try SENSEOperator(sensitivityMaps: ones, columnMask: columnMask, compute: compute)
    }

    public var inputShape: [Int] { [height, width] }
    public var outputShape: [Int] { [coils, height, width] }

    /// A x = M ⊙ F(S_c x).
    public func apply(_ x: ComplexArray) -> ComplexArray {
        precondition(x.shape == inputShape, "SENSEOperator.apply: \(x.shape) ≠ \(inputShape)")
        return model.apply(x)
    }

    /// Aᴴ y = Σ_c conj(S_c) Fᴴ(M ⊙ y_c).
    public func adjoint(_ y: ComplexArray) -> ComplexArray {
        precondition(y.shape == outputShape, "SENSEOperator.adjoint: \(y.shape) ≠ \(outputShape)")
        return model.adjoint(y)
    }

    /// AᴴA x: for a column mask by `ColumnSENSEKernel` (1-D FFTs along W, one row at a time),
    /// otherwise the chain's Sᴴ Fᴴ M² F S x (one forward and one inverse batched 2-D FFT).
    public func normal(_ x: ComplexArray) -> ComplexArray {
        precondition(x.shape == inputShape, "SENSEOperator.normal: \(x.shape) ≠ \(inputShape)")
        guard let kernel = columnKernel else { return model.normal(x) }
        var out = ComplexArray(zeros: inputShape)
        x.storage.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in kernel.normal(xp.baseAddress!, into: op.baseAddress!) }
        }
        return out
    }

    /// A draw of Aᴴε (ε white, N(0, scale²) per real coordinate), a function of `seed` only:
    /// with a column mask by `ColumnSENSEKernel` (noise on the sampled columns only, 1-D FFTs);
    /// otherwise ε is drawn only where M ≠ 0 (elsewhere M annihilates it) and passed through
    /// `adjoint`.
    public func adjointOfNoise(scale: Float, seed: UInt64) -> ComplexArray {
        var out = ComplexArray(zeros: inputShape)
        if let kernel = columnKernel {
            out.withUnsafeMutableBufferPointer { op in
                kernel.adjointOfNoise(scale: scale, seed: seed, into: op.baseAddress!)
            }
            return out
        }
        var rng = SeededRNG(seed: seed)
        var e = ComplexArray(zeros: outputShape)
        let n = height * width
        e.withUnsafeMutableBufferPointer { ep in
            for c in 0..<coils {
                for i in 0..<n where mask[i] != 0 {
                    let (a, b) = rng.gaussianPairFast()
                    ep[c * n + i] = ComplexFloat(scale * a, scale * b)
                }
            }
        }
        return adjoint(e)
    }
}
