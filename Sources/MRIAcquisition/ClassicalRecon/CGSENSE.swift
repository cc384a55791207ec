import MRICore

/// CG-SENSE with Tikhonov regularisation (Pruessmann et al., MRM 2001): solves
/// (AᴴA + λI) x = Aᴴy by conjugate gradients, with A the `SENSEOperator`. The data is first
/// divided by the BART intensity scale (`IntensityScaling`) so λ is dimensionless, and the
/// image is multiplied back afterwards (BART `pics -l2 -S`).
public struct CGSENSE: Sendable {
    /// Tikhonov weight λ (on scaled data).
    public var lambda: Float
    /// Maximum CG iterations.
    public var iterations: Int
    /// Relative residual tolerance.
    public var tolerance: Double

    public init(lambda: Float = 0.001, iterations: Int = 30, tolerance: Double = 1e-6) {
        self.lambda = lambda
        self.iterations = iterations
        self.tolerance = tolerance
    }

    /// Complex image `[H, W]` from k-space `[coils, H, W]` (unsampled entries ignored by the mask).
    public func reconstruct(kspace: ComplexArray, operator a: SENSEOperator) throws -> ComplexArray {
        guard kspace.shape == a.outputShape else {
            throw ReconError.shapeMismatch(parameter: "kspace", expected: "\(a.outputShape)", got: kspace.shape)
        }
        guard lambda >= 0 else { throw ReconError.invalidParameter(name: "lambda", reason: "must be ≥ 0") }
        let scale = try IntensityScaling.estimate(kspace: kspace)
        let rhs = a.adjoint(kspace.scaled(by: 1 / scale))
        let l = lambda
        let result = ConjugateGradient.solve(
            normal: { x in
                var y = a.normal(x)
                if l > 0 { y.add(x, scaledBy: ComplexFloat(l, 0)) }
                return y
            }, rhs: rhs, maxIterations: iterations, tolerance: tolerance)
        return result.solution.scaled(by: scale)
    }
}
