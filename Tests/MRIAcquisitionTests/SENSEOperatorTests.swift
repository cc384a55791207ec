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
        #expect(OperatorChecks.adjointMismatch(op) <= 1e-5)
        #expect(OperatorChecks.normalMismatch(op) <= 1e-5)
    }

    @Test("adjoint and normal with a full 2-D weighted mask")
    func twoDimensionalMask() throws {
        var rng = SeededRNG(seed: 3)
        let m = FloatArray(shape: [16, 24], storage: (0..<(16 * 24)).map { _ in rng.uniform() < 0.4 ? Float(rng.uniform()) : 0 })
        let op = try SENSEOperator(sensitivityMaps: randomMaps(3, 16, 24, seed: 4), mask2D: m)
        #expect(!op.isColumnMask)
        #expect(OperatorChecks.adjointMismatch(op) <= 1e-5)
        #expect(OperatorChecks.normalMismatch(op) <= 1e-5)
    }

    @Test("single coil with full sampling is the centred FFT")
    func singleCoilIsFFT() throws {
        let op = try SENSEOperator.singleCoil(height: 12, width: 10, columnMask: [Bool](repeating: true, count: 10))
        var rng = SeededRNG(seed: 5)
        let x = OperatorChecks.randomArray([12, 10], using: &rng)
        let y = op.apply(x)
        #expect((y.reshaped([12, 10]) - CenteredFFT.forward(x)).norm <= 1e-6 * x.norm)
        #expect((op.normal(x) - x).norm <= 1e-5 * x.norm)
        #expect(OperatorChecks.adjointMismatch(op) <= 1e-5)
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
            for i in 0..<96 { coil.storage[i] = maps.storage[c * 96 + i] * x.storage[i] }
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
}
