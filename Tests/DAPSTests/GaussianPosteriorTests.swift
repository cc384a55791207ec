import DAPS
import Foundation
import MRICore
import Testing
import _TestSupport

/// The correctness test that cannot be faked (issue 5): Gaussian prior, linear operator, so the
/// posterior is Gaussian and known in closed form, and so is the law of the DAPS output.
///
/// Each run draws N samples and checks, per pixel and per real/imaginary part:
/// (A) against the exact law of DAPS's output for that configuration (fixture from
///     make_daps_fixtures.py: the mean and covariance propagated through every affine-Gaussian
///     DAPS step): |m̂ − m_DAPS| ≤ 4.5·√(V_DAPS/N) and |v̂/V_DAPS − 1| ≤ 4.5·√(2/(N−1)). Pure
///     Monte-Carlo tolerances (4.5 SE: with 240 entries a false alarm has probability < 2e-3);
///     any implementation error (wrong schedule, wrong conditional, wrong noise) shows here.
/// (B) against the closed-form posterior (computed densely here): tolerance = the same MC term
///     + the measured approximation bias of DAPS for that entry, |m_DAPS − m_post| and
///     |V_DAPS/C − 1| (figures in docs/daps.md: CG ≈ 3–6 % variance excess, Langevin ±25 %).
/// Aggregates: the RMS of the standardised mean errors (A) must be ≤ 1.35 (≈1 if unbiased; the
/// entries are correlated, so the allowance is wider than χ² alone would give), and the mean
/// variance ratio within 0.08 of the exact-law value.
@Suite struct GaussianPosteriorTests {
    static let height = 12, width = 10
    static let tau: Float = 0.1
    static var drawOverride: Int? { Int(ProcessInfo.processInfo.environment["DAPS_GAUSSIAN_DRAWS"] ?? "") }

    static let singleCoil = MaskedFourierOperator(height: height, columns: [1, 0, 1, 0, 1, 1, 1, 0, 0, 1])
    static let multiCoil = TinySENSEOperator(coils: 4, height: height, columns: [0, 1, 0, 0, 1, 1, 0, 0, 1, 0])
    // Must equal CONFIGS in Tests/Fixtures/make_daps_fixtures.py.
    static let cg = DAPSConfiguration(
        sigmaMax: 10, sigmaMin: 0.01, annealingSteps: 100, odeSteps: 1,
        conditional: .gaussianCG(tau: tau, iterations: 15, tolerance: 1e-4))
    static let langevin = DAPSConfiguration(
        sigmaMax: 10, sigmaMin: 0.05, annealingSteps: 40, odeSteps: 2,
        conditional: .langevin(steps: 20, lr: 2e-3, lrMinRatio: 0.5, tau: tau))

    struct Law {
        var mean: [ComplexDouble]
        var variance: [Double]
    }

    static func run(
        _ a: any LinearOperator, _ config: DAPSConfiguration, fixture: String, draws defaultDraws: Int
    ) throws {
        let prior = TestPrior(height: height, width: width)
        let y = prior.measurements(a, tau: Double(tau))
        let exact = ExactGaussianPosterior(operator: a, prior: prior, measurements: y, tau: Double(tau))
        let f = try Fixtures.readFloat32(Fixtures.url("daps/\(fixture).f32")).map(Double.init)
        let n = height * width
        try #require(f.count == 6 * n)
        let post = Law(mean: (0..<n).map { ComplexDouble(f[$0], f[n + $0]) }, variance: Array(f[(2 * n)..<(3 * n)]))
        let law = Law(mean: (0..<n).map { ComplexDouble(f[3 * n + $0], f[4 * n + $0]) }, variance: Array(f[(5 * n)...]))
        // The NumPy closed form and ours agree (same operator, prior and data on both sides).
        for j in 0..<n {
            let sd = exact.componentVariance[j].squareRoot()
            #expect(abs(post.mean[j].re - exact.mean[j].re) < 1e-3 * sd && abs(post.mean[j].im - exact.mean[j].im) < 1e-3 * sd,
                    "\(fixture): fixture posterior mean differs at pixel \(j)")
            #expect(abs(post.variance[j] / exact.componentVariance[j] - 1) < 1e-3, "\(fixture): fixture variance at \(j)")
        }

        let draws = drawOverride ?? defaultDraws
        let sampler = try DAPSSampler(denoiser: try prior.denoiser(), operator: a, configuration: config)
        let result = try sampler.sample(measurements: y, draws: draws, seed: 2024)
        #expect(result.networkEvaluations == config.networkEvaluations)
        let e = EmpiricalMoments(result.samples)
        let nd = Double(draws), k = 4.5, varSE = (2 / (nd - 1)).squareRoot()
        var sumZ2 = 0.0, sumRatio = 0.0, sumLawRatio = 0.0, maxZ = 0.0, maxVarErr = 0.0, count = 0.0
        var sumPostE2 = 0.0, sumPostRatio = 0.0
        for j in 0..<n {
            let c = exact.componentVariance[j], vd = law.variance[j], se = (vd / nd).squareRoot()
            let parts = [(e.mean[j].re, law.mean[j].re, exact.mean[j].re, e.varianceReal[j]),
                         (e.mean[j].im, law.mean[j].im, exact.mean[j].im, e.varianceImaginary[j])]
            for (mh, md, mp, vh) in parts {
                let z = (mh - md) / se
                sumZ2 += z * z
                maxZ = max(maxZ, abs(z))
                maxVarErr = max(maxVarErr, abs(vh / vd - 1))
                sumRatio += vh / c
                sumLawRatio += vd / c
                sumPostE2 += (mh - mp) * (mh - mp) / c
                sumPostRatio += vh / c
                count += 1
                // (A) against the exact DAPS law: Monte-Carlo tolerance only.
                #expect(abs(z) <= k, "\(fixture) pixel \(j): mean off the DAPS law by \(z) SE")
                #expect(abs(vh / vd - 1) <= k * varSE, "\(fixture) pixel \(j): variance ratio to the DAPS law \(vh / vd)")
                // (B) against the closed-form posterior: MC tolerance + measured DAPS bias.
                #expect(abs(mh - mp) <= k * se + abs(md - mp), "\(fixture) pixel \(j): mean off the posterior")
                #expect(abs(vh / c - 1) <= k * varSE * vd / c + abs(vd / c - 1),
                        "\(fixture) pixel \(j): variance ratio to the posterior \(vh / c)")
            }
        }
        let rmsZ = (sumZ2 / count).squareRoot()
        #expect(rmsZ <= 1.35, "\(fixture): rms standardised mean error \(rmsZ)")
        #expect(abs(sumRatio / count - sumLawRatio / count) <= 0.08, "\(fixture): mean variance ratio")
        print(String(format: "[%@] N=%d  vs DAPS law: max|z|=%.2f rms z=%.2f max|v̂/V−1|=%.3f  |  vs posterior: "
                     + "rms mean err %.3f sd, mean v̂/C %.3f (law %.3f)  (%.1f s)",
                     fixture, draws, maxZ, rmsZ, maxVarErr, (sumPostE2 / count).squareRoot(), sumPostRatio / count,
                     sumLawRatio / count, result.timings.total))
    }

    @Test("Gaussian-CG DAPS matches the exact posterior, single-coil Cartesian")
    func cgSingleCoil() throws { try Self.run(Self.singleCoil, Self.cg, fixture: "cg_single", draws: 128) }

    @Test("Gaussian-CG DAPS matches the exact posterior, multi-coil")
    func cgMultiCoil() throws { try Self.run(Self.multiCoil, Self.cg, fixture: "cg_multi", draws: 128) }

    @Test("Langevin DAPS matches the exact posterior, single-coil Cartesian")
    func langevinSingleCoil() throws { try Self.run(Self.singleCoil, Self.langevin, fixture: "langevin_single", draws: 128) }

    @Test("Langevin DAPS matches the exact posterior, multi-coil")
    func langevinMultiCoil() throws { try Self.run(Self.multiCoil, Self.langevin, fixture: "langevin_multi", draws: 128) }
}
