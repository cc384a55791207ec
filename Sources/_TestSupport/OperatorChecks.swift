import Foundation
import MRICore

/// Shared property checks that every `LinearOperator` test calls (BART `lintest.c`,
/// SigPy `check_linop_adjoint`), plus helpers for fixtures and tolerances.
public enum OperatorChecks {
    /// Relative adjoint mismatch |⟨A x, y⟩ − ⟨x, Aᴴ y⟩| / (‖x‖·‖y‖) for random complex x, y.
    /// A correct adjoint gives ~1e-7 in single precision; tests require ≤ 1e-5.
    public static func adjointMismatch(_ op: some LinearOperator, seed: UInt64 = 1) -> Double {
        var rng = SeededRNG(seed: seed)
        let x = randomArray(op.inputShape, using: &rng)
        let y = randomArray(op.outputShape, using: &rng)
        let ax = op.apply(x)
        let ahy = op.adjoint(y)
        let lhs = ax.dot(y)
        let rhs = x.dot(ahy)
        let diff = ((lhs.re - rhs.re) * (lhs.re - rhs.re) + (lhs.im - rhs.im) * (lhs.im - rhs.im)).squareRoot()
        return diff / (x.norm * y.norm)
    }

    /// Relative mismatch ‖N x − Aᴴ A x‖ / ‖Aᴴ A x‖ between `normal` and adjoint∘apply.
    public static func normalMismatch(_ op: some LinearOperator, seed: UInt64 = 2) -> Double {
        var rng = SeededRNG(seed: seed)
        let x = randomArray(op.inputShape, using: &rng)
        let reference = op.adjoint(op.apply(x))
        return (op.normal(x) - reference).norm / max(reference.norm, 1e-30)
    }

    /// A circular complex Gaussian array of the given shape.
    public static func randomArray(_ shape: [Int], using rng: inout some RandomNumberGenerator) -> ComplexArray {
        var a = ComplexArray(zeros: shape)
        for i in 0..<a.count { a.storage[i] = rng.complexGaussian() }
        return a
    }
}
