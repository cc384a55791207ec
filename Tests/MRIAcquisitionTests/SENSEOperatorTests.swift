import Foundation
import MRIAcquisition
import MRICore
import Testing
import _TestSupport

@Suite struct SENSEOperatorTests {
    private func randomMaps(_ coils: Int, _ h: Int, _ w: Int, seed: UInt64) -> ComplexArray {
        var rng = SeededRNG(seed: seed)
        return OperatorChecks.randomArray([coils, h, w], using: &rng)
    }

    @Test("adjoint passes the dot-product test (column mask, odd sizes)")
    func adjointDotProduct() throws {
        let (mask, _) = SENSETestSupport.columnMask(width: 21, acceleration: 3, centerFraction: 0.2, seed: 1)
        let op = try SENSEOperator(sensitivityMaps: randomMaps(4, 23, 21, seed: 2), columnMask: mask)
        #expect(op.inputShape == [23, 21])
        #expect(op.outputShape == [4, 23, 21])
        #expect(op.isColumnMask)
        let report = OperatorChecks.check(op)
        #expect(report.worst <= 1e-5, "\(report)")
    }

    @Test("adjoint and normal with a full 2-D weighted mask")
    func twoDimensionalMask() throws {
        var rng = SeededRNG(seed: 3)
        let m = FloatArray(shape: [16, 24], storage: (0..<(16 * 24)).map { _ in rng.uniform() < 0.4 ? Float(rng.uniform()) : 0 })
        let op = try SENSEOperator(sensitivityMaps: randomMaps(3, 16, 24, seed: 4), mask2D: m)
        #expect(!op.isColumnMask)
        let report = OperatorChecks.check(op)
        #expect(report.worst <= 1e-5, "\(report)")
    }

    @Test("single coil with full sampling is the centred FFT")
    func singleCoilIsFFT() throws {
        let op = try SENSEOperator.singleCoil(height: 12, width: 10, columnMask: [Bool](repeating: true, count: 10))
        var rng = SeededRNG(seed: 5)
        let x = OperatorChecks.randomArray([12, 10], using: &rng)
        let y = op.apply(x)
        #expect((y.reshaped([12, 10]) - CenteredFFT.forward(x)).norm <= 1e-6 * x.norm)
        #expect((op.normal(x) - x).norm <= 1e-5 * x.norm)
        #expect(OperatorChecks.check(op).worst <= 1e-5)
    }

    @Test("forward model equals M ⊙ F(S_c x) computed coil by coil")
    func forwardDefinition() throws {
        let maps = randomMaps(2, 8, 12, seed: 6)
        let mask = (0..<12).map { $0 % 3 == 0 }
        let op = try SENSEOperator(sensitivityMaps: maps, columnMask: mask)
        var rng = SeededRNG(seed: 7)
        let x = OperatorChecks.randomArray([8, 12], using: &rng)
        let y = op.apply(x)
        for c in 0..<2 {
            var coil = ComplexArray(zeros: [8, 12])
            for i in 0..<96 { coil[linear: i] = maps.storage[c * 96 + i] * x.storage[i] }
            let k = CenteredFFT.forward(coil)
            for i in 0..<8 { for j in 0..<12 {
                let expected = mask[j] ? k.storage[i * 12 + j] : .zero
                #expect((y.storage[c * 96 + i * 12 + j] - expected).magnitude <= 1e-5)
            } }
        }
    }

    @Test("a mask of the wrong length throws")
    func wrongMaskThrows() {
        #expect(throws: ReconError.self) {
            _ = try SENSEOperator(sensitivityMaps: ComplexArray(zeros: [2, 8, 8]), columnMask: [Bool](repeating: true, count: 7))
        }
        #expect(throws: ReconError.self) {
            _ = try SENSEOperator(sensitivityMaps: ComplexArray(zeros: [8, 8]), columnMask: [Bool](repeating: true, count: 8))
        }
    }

    @Test("row-streaming AᴴA equals Aᴴ(A x) for even and odd widths with weighted columns (92 = 23·4: factored DFT)")
    func columnKernelNormal() throws {
        for (h, w) in [(16, 20), (9, 7), (1, 6), (3, 92)] {
            let weights = (0..<w).map { j -> Float in j % 3 == 1 ? 0 : Float(1 + j % 4) * 0.25 }
            let op = try SENSEOperator(sensitivityMaps: randomMaps(3, h, w, seed: UInt64(h * w)), columnWeights: weights)
            #expect(op.isColumnMask)
            var rng = SeededRNG(seed: 11)
            let x = OperatorChecks.randomArray([h, w], using: &rng)
            let reference = op.adjoint(op.apply(x))
            #expect((op.normal(x) - reference).norm <= 1e-5 * reference.norm, "\(h)×\(w)")
        }
    }

    /// Empirical covariance E[z zᴴ] and pseudo-covariance E[z zᵀ] of `adjointOfNoise` draws
    /// against the exact law: z = Aᴴε with circular white ε of per-part variance s² has
    /// E[z zᴴ] = 2s²·AᴴA and E[z zᵀ] = 0. The columns of AᴴA come from `apply`/`adjoint` (the
    /// generic path), so a wrong weight (M instead of √M²), a missed centring shift or noise on
    /// unsampled columns changes the target by far more than the tolerance: 20 000 draws give
    /// a standard error of 1/√20000 ≈ 0.007 of √(C_ii C_jj) per entry; we allow 0.05. W = 92 =
    /// 23·4 (the factored DFT, whose spectrum order the noise must follow) has 8464 entries, so
    /// 5000 draws (standard error 0.014) and 0.08.
    @Test("adjointOfNoise has covariance 2s²·AᴴA (column masks, W = 17 by Bluestein, 92 factored, and 2-D masks)",
          arguments: [(true, 5), (true, 17), (true, 92), (false, 5)])
    func noiseCovariance(columns: Bool, width: Int) throws {
        let h = width == 5 ? 6 : width == 92 ? 1 : 2, w = width, n = h * w, s: Float = 0.7
        let maps = randomMaps(2, h, w, seed: 21)
        let op: SENSEOperator
        if columns {
            op = try SENSEOperator(sensitivityMaps: maps, columnWeights: (0..<w).map { [1, 0, 0.5, 1, 0][$0 % 5] })
        } else {
            let m = (0..<n).map { i -> Float in i % 4 == 0 ? 0 : Float(1 + i % 3) * 0.3 }
            op = try SENSEOperator(sensitivityMaps: maps, mask2D: FloatArray(shape: [h, w], storage: m))
        }
        #expect(op.isColumnMask == columns)
        var exact = [ComplexFloat](repeating: .zero, count: n * n)  // row-major C[i][j] = 2s²(AᴴA)_ij
        for j in 0..<n {
            var e = ComplexArray(zeros: [h, w])
            e[linear: j] = ComplexFloat(1, 0)
            let col = op.adjoint(op.apply(e))
            for i in 0..<n { exact[i * n + j] = col.storage[i] * ComplexFloat(2 * s * s, 0) }
        }
        let draws = width == 92 ? 5000 : 20_000, tolerance = width == 92 ? 0.08 : 0.05
        var cov = [Double](repeating: 0, count: 2 * n * n), pseudo = [Double](repeating: 0, count: 2 * n * n)
        var rng = SeededRNG(seed: 99)
        for _ in 0..<draws {
            let z = op.adjointOfNoise(scale: s, seed: rng.next()).storage
            for i in 0..<n {
                let a = z[i]
                for j in 0..<n {
                    let b = z[j]
                    cov[2 * (i * n + j)] += Double(a.re * b.re + a.im * b.im)
                    cov[2 * (i * n + j) + 1] += Double(a.im * b.re - a.re * b.im)
                    pseudo[2 * (i * n + j)] += Double(a.re * b.re - a.im * b.im)
                    pseudo[2 * (i * n + j) + 1] += Double(a.re * b.im + a.im * b.re)
                }
            }
        }
        var worst = 0.0, worstPseudo = 0.0
        for i in 0..<n {
            for j in 0..<n {
                let scale = (Double(exact[i * n + i].re) * Double(exact[j * n + j].re)).squareRoot()
                guard scale > 1e-6 else { continue }
                let dr = cov[2 * (i * n + j)] / Double(draws) - Double(exact[i * n + j].re)
                let di = cov[2 * (i * n + j) + 1] / Double(draws) - Double(exact[i * n + j].im)
                worst = max(worst, (dr * dr + di * di).squareRoot() / scale)
                let pr = pseudo[2 * (i * n + j)] / Double(draws), pi = pseudo[2 * (i * n + j) + 1] / Double(draws)
                worstPseudo = max(worstPseudo, (pr * pr + pi * pi).squareRoot() / scale)
            }
        }
        #expect(worst <= tolerance, "covariance off by \(worst) of √(C_ii C_jj)")
        #expect(worstPseudo <= tolerance, "pseudo-covariance \(worstPseudo)")
    }
}
