import MRICore
import Testing
import _TestSupport

/// ConjugateGradient on a small Hermitian positive-definite system against a direct solution
/// x = V Λ⁻¹ Vᴴ b from LAPACK's Hermitian eigen-decomposition.
@Suite struct ConjugateGradientTests {
    /// A = BᴴB + ½I (n × n, row-major) from a seeded complex Gaussian B.
    static func system(n: Int, seed: UInt64) -> [ComplexFloat] {
        var rng = SeededRNG(seed: seed)
        let b = (0..<(n * n)).map { _ in rng.complexGaussian() }
        var a = BLAS.complexMatrixMultiply(b, b, m: n, n: n, k: n, conjugateTransposeA: true)
        for i in 0..<n { a[i * n + i] += ComplexFloat(0.5, 0) }
        return a
    }

    /// y = A x in double precision.
    static func multiply(_ a: [ComplexFloat], _ x: ComplexArray, n: Int) -> ComplexArray {
        var y = ComplexArray(zeros: [n])
        for i in 0..<n {
            var re = 0.0, im = 0.0
            for j in 0..<n {
                let p = a[i * n + j], q = x.storage[j]
                re += Double(p.re) * Double(q.re) - Double(p.im) * Double(q.im)
                im += Double(p.re) * Double(q.im) + Double(p.im) * Double(q.re)
            }
            y[linear: i] = ComplexFloat(Float(re), Float(im))
        }
        return y
    }

    @Test("CG solves an 8×8 Hermitian positive-definite system like the direct solver")
    func matchesDirectSolution() throws {
        let n = 8
        let a = Self.system(n: n, seed: 11)
        var rng = SeededRNG(seed: 12)
        var b = ComplexArray(zeros: [n])
        for i in 0..<n { b[linear: i] = rng.complexGaussian() }
        // Direct: A = V Λ Vᴴ, x = V Λ⁻¹ Vᴴ b.
        let (values, vectors) = try BLAS.hermitianEigen(a, n: n)
        #expect(values.allSatisfy { $0 > 0.4 }, "A must be positive definite: \(values)")
        let vhb = BLAS.complexMatrixMultiply(vectors, b.storage, m: n, n: 1, k: n, conjugateTransposeA: true)
        let scaled = (0..<n).map { vhb[$0] * (1 / values[$0]) }
        let direct = ComplexArray(shape: [n], storage: BLAS.complexMatrixMultiply(vectors, scaled, m: n, n: 1, k: n))

        let (x, iterations) = ConjugateGradient.solve(normal: { Self.multiply(a, $0, n: n) }, rhs: b,
                                                      maxIterations: 100, tolerance: 1e-6)
        let err = (x - direct).norm / direct.norm
        #expect(err < 1e-4, "relative error to direct solution \(err)")
        #expect(iterations >= 1 && iterations < 100, "iterations \(iterations)")
        let residual = (Self.multiply(a, x, n: n) - b).norm / b.norm
        #expect(residual < 1e-5, "residual \(residual)")
    }

    @Test("CG started at the solution stops at once; a zero right-hand side gives zero")
    func trivialCases() {
        let n = 6
        let a = Self.system(n: n, seed: 3)
        var rng = SeededRNG(seed: 4)
        var xTrue = ComplexArray(zeros: [n])
        for i in 0..<n { xTrue[linear: i] = rng.complexGaussian() }
        let b = Self.multiply(a, xTrue, n: n)
        let warm = ConjugateGradient.solve(normal: { Self.multiply(a, $0, n: n) }, rhs: b, initial: xTrue,
                                           maxIterations: 20, tolerance: 1e-4)
        #expect(warm.iterations == 0)
        let zero = ConjugateGradient.solve(normal: { Self.multiply(a, $0, n: n) }, rhs: ComplexArray(zeros: [n]),
                                           maxIterations: 20)
        #expect(zero.solution.norm == 0 && zero.iterations == 0)
    }

    @Test("CG recovers a known solution of a diagonal system over a multi-axis array")
    func diagonalOperator() {
        var rng = SeededRNG(seed: 9)
        var w = ComplexArray(zeros: [2, 5, 4])
        for i in 0..<w.count { w[linear: i] = ComplexFloat(Float(1 + rng.uniform() * 4), 0) }
        let op = DiagonalOperator(weights: w)
        var xTrue = ComplexArray(zeros: [2, 5, 4])
        for i in 0..<xTrue.count { xTrue[linear: i] = rng.complexGaussian() }
        let b = op.normal(xTrue)
        let (x, _) = ConjugateGradient.solve(normal: op.normal, rhs: b, maxIterations: 200, tolerance: 1e-7)
        #expect((x - xTrue).norm / xTrue.norm < 1e-4)
    }
}
