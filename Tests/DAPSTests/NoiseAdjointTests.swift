import DAPS
import MRICore
import Testing
import _TestSupport

/// The DAPS test operators pass the shared contract checks, and `adjointOfNoise` has the law
/// of Aᴴε (covariance 2s²·AᴴA over the real coordinates) and uses an operator's own sampler.
@Suite struct NoiseAdjointTests {
    static let operators: [(String, any LinearOperator)] = [
        ("masked Fourier", MaskedFourierOperator(height: 6, columns: [1, 0, 1, 1, 0])),
        ("tiny SENSE", TinySENSEOperator(coils: 3, height: 6, columns: [0, 1, 1, 0, 1, 0, 1])),
    ]

    @Test("test operators: contract checks", arguments: operators.indices)
    func contract(_ index: Int) {
        let (name, op) = Self.operators[index]
        let report = OperatorChecks.check(op)
        #expect(report.worst <= 1e-5, "\(name): \(report)")
    }

    @Test("default adjointOfNoise: E[z zᴴ] = 2s²·AᴴA and a fixed stream for a fixed seed")
    func defaultCovariance() {
        let op = MaskedFourierOperator(height: 4, columns: [1, 0, 1, 1])
        let n = 16, draws = 20_000, s: Float = 0.7
        var rng = SeededRNG(seed: 11)
        var cov = [ComplexFloat](repeating: .zero, count: n * n)
        for _ in 0..<draws {
            let z = op.adjointOfNoise(scale: s, rng: &rng).storage
            for i in 0..<n { for j in 0..<n { cov[i * n + j] += z[i] * z[j].conjugate } }
        }
        // AᴴA column by column from unit vectors.
        var worst: Float = 0
        for j in 0..<n {
            var e = ComplexArray(zeros: [4, 4])
            e[linear: j] = ComplexFloat(1, 0)
            let column = op.normal(e).storage
            for i in 0..<n {
                let expected = column[i] * (2 * s * s)
                worst = max(worst, (cov[i * n + j] * (1 / Float(draws)) - expected).magnitude)
            }
        }
        #expect(worst < 0.03, "largest covariance error \(worst)")
        var a = SeededRNG(seed: 3), b = SeededRNG(seed: 3)
        #expect(op.adjointOfNoise(scale: 1, rng: &a) == op.adjointOfNoise(scale: 1, rng: &b))
    }

    @Test("an operator's own sampler is used when it conforms to NoiseAdjointSampling")
    func conformerSamplerIsUsed() {
        struct Flagged: NoiseAdjointSampling {
            let base = MaskedFourierOperator(height: 4, columns: [1, 1, 0, 1])
            var inputShape: [Int] { base.inputShape }
            var outputShape: [Int] { base.outputShape }
            func apply(_ x: ComplexArray) -> ComplexArray { base.apply(x) }
            func adjoint(_ y: ComplexArray) -> ComplexArray { base.adjoint(y) }
            func sampledAdjointOfNoise(scale: Float, rng: inout some RandomNumberGenerator) -> ComplexArray {
                var z = ComplexArray(zeros: inputShape)
                z[linear: 0] = ComplexFloat(scale, Float(rng.next() % 2))
                return z
            }
        }
        let op: any LinearOperator = Flagged()
        var rng = SeededRNG(seed: 1)
        let z = op.adjointOfNoise(scale: 42, rng: &rng)
        #expect(z.storage[0].re == 42 && z.storage.dropFirst().allSatisfy { $0 == .zero })
    }
}
