import MRICore
import Testing
import _TestSupport

/// Every MRICore operator passes the shared contract checks (adjoint, linearity, normal).
@Suite struct LinearOperatorTests {
    static func weights(_ shape: [Int], seed: UInt64) -> ComplexArray {
        var rng = SeededRNG(seed: seed)
        return OperatorChecks.randomArray(shape, using: &rng)
    }

    static let operators: [(String, any LinearOperator)] = [
        ("diagonal", DiagonalOperator(weights: weights([2, 5, 4], seed: 1))),
        ("Fourier 2-D", FourierOperator(shape: [15, 12])),
        ("Fourier batched", FourierOperator(shape: [3, 15, 12])),
        ("diagonal ∘ Fourier", DiagonalOperator(weights: weights([3, 7, 6], seed: 2))
            .composed(with: FourierOperator(shape: [3, 7, 6]))),
        ("Fourier ∘ diagonal ∘ Fourier", FourierOperator(shape: [9, 8])
            .composed(with: DiagonalOperator(weights: weights([9, 8], seed: 3)))
            .composed(with: FourierOperator(shape: [9, 8]))),
    ]

    @Test("contract checks", arguments: operators.indices)
    func contract(_ index: Int) {
        let (name, op) = Self.operators[index]
        let report = OperatorChecks.check(op)
        #expect(report.worst <= 1e-5, "\(name): \(report)")
    }

    @Test("a wrong adjoint is caught by the checker")
    func checkerCatchesWrongAdjoint() {
        struct NotAdjoint: LinearOperator {
            var inputShape: [Int] { [4, 4] }
            var outputShape: [Int] { [4, 4] }
            func apply(_ x: ComplexArray) -> ComplexArray { CenteredFFT.forward(x) }
            func adjoint(_ y: ComplexArray) -> ComplexArray { CenteredFFT.forward(y) }
        }
        struct NotLinear: LinearOperator {
            var inputShape: [Int] { [3, 3] }
            var outputShape: [Int] { [3, 3] }
            func apply(_ x: ComplexArray) -> ComplexArray {
                var y = x
                for i in 0..<y.count { y[linear: i] = y.storage[i] * y.storage[i] }
                return y
            }
            func adjoint(_ y: ComplexArray) -> ComplexArray { y }
        }
        #expect(OperatorChecks.check(NotAdjoint()).adjoint > 1e-2)
        #expect(OperatorChecks.check(NotLinear()).linearity > 1e-2)
    }

    @Test("composition applies the inner operator first; its normal uses the outer normal")
    func compositionOrder() {
        let d = DiagonalOperator(weights: Self.weights([6, 5], seed: 4))
        let f = FourierOperator(shape: [6, 5])
        let x = Self.weights([6, 5], seed: 5)
        let composed = d.composed(with: f)
        #expect((composed.apply(x) - d.apply(f.apply(x))).norm <= 1e-6 * x.norm)
        #expect((composed.normal(x) - f.adjoint(d.normal(f.apply(x)))).norm <= 1e-5 * x.norm)
    }
}
