import DAPS
import Foundation
import MRICore
import Testing

/// Wraps a denoiser and records every call (σ levels, inputs, outputs).
final class RecordingDenoiser: Denoiser, @unchecked Sendable {
    let inner: any Denoiser
    private let lock = NSLock()
    private(set) var calls: [(sigma: [Float], input: FloatArray, output: FloatArray)] = []
    init(_ inner: any Denoiser) { self.inner = inner }
    var channels: Int { inner.channels }
    func denoise(_ x: FloatArray, sigma: [Float]) throws -> FloatArray {
        let out = try inner.denoise(x, sigma: sigma)
        lock.lock()
        calls.append((sigma, x, out))
        lock.unlock()
        return out
    }
}

@Suite struct DAPSSamplerTests {
    static let prior = TestPrior(height: 8, width: 6)
    static let op = MaskedFourierOperator(height: 8, columns: [1, 0, 1, 1, 0, 1])

    @Test("poly-7 grid equals NumPy (σ(r) = (σmax^{1/7} + r(σmin^{1/7} − σmax^{1/7}))^7, r = linspace(0,1,N))")
    func poly7Reference() {
        // Computed with NumPy float64: r = np.linspace(0, 1, n); (a**(1/7) + r*(b**(1/7) - a**(1/7)))**7
        let g = NoiseSchedule.poly7(sigmaMax: 100, sigmaMin: 0.1, count: 50)
        let ref: [(Int, Float)] = [(0, 100), (1, 91.37628), (2, 83.3980226), (10, 38.3342074), (25, 6.72155438),
                                   (48, 0.126661722), (49, 0.1)]
        #expect(g.count == 50)
        for (i, v) in ref { #expect(abs(g[i] - v) <= 2e-6 * v, "σ[\(i)] = \(g[i]), NumPy \(v)") }
        let five = NoiseSchedule.poly7(sigmaMax: 100, sigmaMin: 0.1, count: 5)
        for (a, b) in zip(five, [100, 30.3024376, 7.1771323, 1.16804861, 0.1] as [Float]) { #expect(abs(a - b) <= 2e-6 * b) }
        #expect(NoiseSchedule.annealingGrid(sigmaMax: 100, sigmaMin: 0.1, annealingSteps: 5).last == 0)
        // ODE grid from σ = 5 with 3 steps: NumPy [5, 0.436169024, 0.01] then 0.
        let ode = NoiseSchedule.odeGrid(from: 5, steps: 3)
        #expect(ode.count == 4 && ode[3] == 0 && ode[2] == 0.01 && abs(ode[1] - 0.436169024) < 1e-6)
    }

    @Test("the ODE takes Euler steps on the poly-7 grid and ends exactly at D(x, 0.01)")
    func odeEndsAtDenoiser() throws {
        let rec = RecordingDenoiser(try Self.prior.denoiser())
        let config = DAPSConfiguration(sigmaMax: 5, sigmaMin: 0.1, annealingSteps: 1, odeSteps: 3,
                                       conditional: .gaussianCG(tau: 0.1, iterations: 5, tolerance: 1e-6))
        let sampler = try DAPSSampler(denoiser: rec, operator: Self.op, configuration: config)
        var rng = SeededRNG(seed: 3)
        let x = FloatArray(shape: [2, 2, 8, 6], storage: (0..<192).map { _ in Float(rng.gaussian()) * 5 })
        let est = try sampler.probabilityFlowEstimate(x, sigma: 5)
        #expect(rec.calls.map { $0.sigma[0] } == Array(NoiseSchedule.odeGrid(from: 5, steps: 3).dropLast()))
        #expect(rec.calls.allSatisfy { $0.sigma.count == 2 })  // the batch goes through together
        #expect(est == rec.calls[2].output, "x̂0 must be D(x, 0.01) exactly")
        let c = 1 - rec.calls[1].sigma[0] / 5
        for j in 0..<x.count {
            let euler = x.storage[j] + c * (rec.calls[0].output.storage[j] - x.storage[j])
            #expect(abs(rec.calls[1].input.storage[j] - euler) <= 1e-5 * max(1, abs(euler)))
        }
    }

    @Test("network evaluations = N_A × N_ODE, one batched call each, with progress")
    func networkEvaluationCount() throws {
        let rec = RecordingDenoiser(try Self.prior.denoiser())
        let config = DAPSConfiguration(annealingSteps: 7, odeSteps: 3,
                                       conditional: .gaussianCG(tau: 0.1, iterations: 5, tolerance: 1e-6))
        let sampler = try DAPSSampler(denoiser: rec, operator: Self.op, configuration: config)
        let y = Self.prior.measurements(Self.op, tau: 0.1)
        let seen = ProgressLog()
        let r = try sampler.sample(measurements: y, draws: 3, seed: 1) { seen.append($0) }
        #expect(r.networkEvaluations == 21 && config.networkEvaluations == 21 && rec.calls.count == 21)
        #expect(rec.calls.allSatisfy { $0.input.shape == [3, 2, 8, 6] })
        #expect(seen.values.map(\.annealingStep) == Array(1...7) && seen.values.last?.networkEvaluations == 21)
        #expect(r.samples.count == 3 && r.samples[0].shape == [8, 6])
        #expect(r.timings.total >= r.timings.network && r.timings.network > 0 && r.timings.conditional > 0)
    }

    @Test("same seed gives bitwise identical draws; draw k does not depend on the number of draws")
    func reproducibility() throws {
        for step in [ConditionalStep.gaussianCG(tau: 0.1, iterations: 10, tolerance: 1e-6),
                     .langevin(steps: 5, lr: 1e-3, lrMinRatio: 0.1, tau: 0.1)] {
            let config = DAPSConfiguration(sigmaMax: 10, sigmaMin: 0.1, annealingSteps: 6, odeSteps: 2, conditional: step)
            let sampler = try DAPSSampler(denoiser: try Self.prior.denoiser(), operator: Self.op, configuration: config)
            let y = Self.prior.measurements(Self.op, tau: 0.1)
            let a = try sampler.sample(measurements: y, draws: 3, seed: 42).samples
            let b = try sampler.sample(measurements: y, draws: 3, seed: 42).samples
            let one = try sampler.sample(measurements: y, draws: 1, seed: 42).samples
            let other = try sampler.sample(measurements: y, draws: 1, seed: 43).samples
            #expect(a == b)
            #expect(one[0] == a[0])
            #expect(a[0] != a[1] && other[0] != one[0])
        }
    }

    @Test("single-coil Cartesian: the CG conditional is the k-space closed form, reached in ≤ 2 iterations")
    func cgClosedFormSingleCoil() throws {
        // I + λ FᴴMF has eigenvalues 1 and 1 + λ only, so CG is exact after 2 Krylov steps (in exact
        // arithmetic; the 1e-5 stop allows for float32 round-off in the recursively updated residual).
        var rng = SeededRNG(seed: 9)
        func random(_ s: [Int]) -> ComplexArray {
            var a = ComplexArray(zeros: s)
            for i in 0..<a.count { a[linear: i] = ComplexFloat(Float(rng.gaussian()), Float(rng.gaussian())) }
            return a
        }
        let xhat = random([8, 6]), xt = random([8, 6]), yt = random([8, 6])
        let sigma: Float = 0.3, tau: Float = 0.1, lambda = sigma * sigma / (tau * tau)
        let (x, its) = GaussianConditional.solve(
            operator: Self.op, estimate: xhat, sigma: sigma, tau: tau, perturbedImage: xt,
            perturbedMeasurements: yt, iterations: 50, tolerance: 1e-5)
        #expect(its <= 2, "CG took \(its) iterations")
        var k = CenteredFFT.forward(xt)
        for i in 0..<k.count {
            let m = Self.op.columns[i % 6]
            k[linear: i] = (k.storage[i] + lambda * m * yt.storage[i]) * (1 / (1 + lambda * m))
        }
        let closed = CenteredFFT.inverse(k)
        #expect((x - closed).norm <= 1e-5 * closed.norm)
    }

    @Test("Langevin outside the stability bound and bad inputs are rejected with a named field")
    func rejections() throws {
        let d = try Self.prior.denoiser()
        let bad = DAPSConfiguration(sigmaMax: 10, sigmaMin: 0.01, annealingSteps: 10, odeSteps: 1,
                                    conditional: .langevin(steps: 10, lr: 1e-2, lrMinRatio: 1, tau: 0.1))
        #expect(throws: DAPSError.self) { try DAPSSampler(denoiser: d, operator: Self.op, configuration: bad) }
        do { _ = try DAPSSampler(denoiser: d, operator: Self.op, configuration: bad) } catch {
            #expect("\(error)".contains("conditional.lr"))
        }
        let ok = DAPSConfiguration(annealingSteps: 2, odeSteps: 1,
                                   conditional: .gaussianCG(tau: 0.1, iterations: 3, tolerance: 1e-6))
        let s = try DAPSSampler(denoiser: d, operator: Self.op, configuration: ok)
        #expect(throws: DAPSError.self) { try s.sample(measurements: ComplexArray(zeros: [3, 3]), draws: 1, seed: 0) }
        #expect(throws: DAPSError.self) { try s.sample(measurements: ComplexArray(zeros: [8, 6]), draws: 0, seed: 0) }
    }
}

final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [DAPSProgress] = []
    func append(_ p: DAPSProgress) {
        lock.lock()
        values.append(p)
        lock.unlock()
    }
}
