import Foundation
import MRICore
import Testing
import _TestSupport

@Suite struct WaveletTests {
    private func random(_ shape: [Int], seed: UInt64) -> ComplexArray {
        var rng = SeededRNG(seed: seed)
        return OperatorChecks.randomArray(shape, using: &rng)
    }

    @Test("Daubechies-2 filter is orthonormal with two vanishing moments")
    func filterProperties() {
        let h = OrthogonalWavelet2D.daubechies2.map(Double.init)
        #expect(abs(h.reduce(0, +) - 2.0.squareRoot()) < 1e-6)
        #expect(abs(h.map { $0 * $0 }.reduce(0, +) - 1) < 1e-6)
        #expect(abs(h[0] * h[2] + h[1] * h[3]) < 1e-6)  // shift-by-2 orthogonality
        let g = OrthogonalWavelet2D(height: 32, width: 32).highPass.map(Double.init)
        #expect(abs(g.reduce(0, +)) < 1e-6)
        #expect(abs(g.enumerated().map { Double($0.offset) * $0.element }.reduce(0, +)) < 1e-5)
    }

    @Test("Haar on a 2×2 image gives the analytic coefficients")
    func haarAnalytic() {
        let t = OrthogonalWavelet2D(height: 2, width: 2, levels: 1, filter: OrthogonalWavelet2D.haar)
        let x = ComplexArray(shape: [2, 2], storage: [1, 2, 3, 4].map { ComplexFloat($0, 0) })
        let c = t.forward(x).storage.map(\.re)
        let expected: [Float] = [5, -1, -2, 0]
        for (a, b) in zip(c, expected) { #expect(abs(a - b) < 1e-5) }
    }

    @Test("forward transform matches the NumPy matrix reference (24×40, 2 levels)")
    func matchesNumPy() throws {
        let input = try Fixtures.readFloat32(Fixtures.url("sense/wavelet_input_24x40.f32"))
        let ref = try Fixtures.readFloat32(Fixtures.url("sense/wavelet_coeffs_24x40_L2.f32"))
        func complex(_ f: [Float]) -> [ComplexFloat] { stride(from: 0, to: f.count, by: 2).map { ComplexFloat(f[$0], f[$0 + 1]) } }
        let t = OrthogonalWavelet2D(height: 24, width: 40, levels: 2)
        #expect(t.paddedHeight == 24 && t.paddedWidth == 40)
        let c = t.forward(ComplexArray(shape: [24, 40], storage: complex(input)))
        let r = complex(ref)
        var maxErr: Float = 0, maxRef: Float = 0
        for (a, b) in zip(c.storage, r) { maxErr = max(maxErr, (a - b).magnitude); maxRef = max(maxRef, b.magnitude) }
        #expect(maxErr <= 1e-5 * maxRef)
    }

    @Test("perfect reconstruction and isometry on 320×368 (4 levels)")
    func perfectReconstruction() {
        let t = OrthogonalWavelet2D(height: 320, width: 368)
        #expect(t.levels == 4)
        #expect(t.coefficientShape == [320, 368])
        let x = random([320, 368], seed: 5)
        let c = t.forward(x)
        #expect(abs(c.norm - x.norm) <= 1e-5 * x.norm)
        #expect((t.inverse(c) - x).norm <= 1e-5 * x.norm)
    }

    @Test("odd sizes are padded: inverse∘forward is the identity and Ψ an isometry")
    func oddSizes() {
        let t = OrthogonalWavelet2D(height: 45, width: 37, levels: 2)
        #expect(t.paddedHeight == 48 && t.paddedWidth == 40)
        let x = random([45, 37], seed: 6)
        let c = t.forward(x)
        #expect(abs(c.norm - x.norm) <= 1e-5 * x.norm)
        #expect((t.inverse(c) - x).norm <= 1e-5 * x.norm)
    }

    @Test("a constant image has only low-pass coefficients")
    func constantImage() {
        let t = OrthogonalWavelet2D(height: 64, width: 64, levels: 2)
        let x = ComplexArray(shape: [64, 64], storage: [ComplexFloat](repeating: ComplexFloat(1, -2), count: 4096))
        let c = t.forward(x)
        var detail: Float = 0
        for i in 0..<64 { for j in 0..<64 where i >= 16 || j >= 16 { detail = max(detail, c.storage[i * 64 + j].magnitude) } }
        #expect(detail < 1e-4)
    }
}
