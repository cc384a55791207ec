import Foundation
import MRICore

/// Shared property checks that every `LinearOperator` test calls (BART `lintest.c`,
/// SigPy `check_linop_adjoint`), plus helpers for fixtures and tolerances.
public enum OperatorChecks {
    /// The contract checks of one operator: relative adjoint, linearity (of apply and of
    /// adjoint) and normal mismatches. A correct single-precision operator gives ~1e-7 each.
    public struct Report: Sendable, CustomStringConvertible {
        public let adjoint: Double, linearity: Double, adjointLinearity: Double, normal: Double
        /// The largest of the four.
        public var worst: Double { max(adjoint, linearity, adjointLinearity, normal) }
        public var description: String {
            "adjoint \(adjoint), linearity \(linearity), adjoint linearity \(adjointLinearity), normal \(normal)"
        }
    }

    /// Runs every contract check on `op` (the one checker all operator tests share).
    public static func check(_ op: some LinearOperator, seed: UInt64 = 1) -> Report {
        Report(adjoint: adjointMismatch(op, seed: seed),
               linearity: linearityMismatch(op.inputShape, op.apply, seed: seed &+ 10),
               adjointLinearity: linearityMismatch(op.outputShape, op.adjoint, seed: seed &+ 20),
               normal: normalMismatch(op, seed: seed &+ 30))
    }

    /// ‖f(αx + βy) − αf(x) − βf(y)‖ / (|α|‖f(x)‖ + |β|‖f(y)‖) for random complex α, β, x, y.
    public static func linearityMismatch(
        _ shape: [Int], _ f: (ComplexArray) -> ComplexArray, seed: UInt64
    ) -> Double {
        var rng = SeededRNG(seed: seed)
        let x = randomArray(shape, using: &rng), y = randomArray(shape, using: &rng)
        let alpha = rng.complexGaussian(), beta = rng.complexGaussian()
        let fx = f(x), fy = f(y)
        let combined = f(scaled(x, alpha) + scaled(y, beta))
        let expected = scaled(fx, alpha) + scaled(fy, beta)
        let bound = Double(alpha.magnitude) * fx.norm + Double(beta.magnitude) * fy.norm
        return (combined - expected).norm / max(bound, 1e-30)
    }

    private static func scaled(_ x: ComplexArray, _ a: ComplexFloat) -> ComplexArray {
        var y = x
        for i in 0..<y.count { y[linear: i] = a * y.storage[i] }
        return y
    }

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
        for i in 0..<a.count { a[linear: i] = rng.complexGaussian() }
        return a
    }
}
