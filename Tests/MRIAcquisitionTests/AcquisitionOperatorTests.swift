import MRIAcquisition
import MRICore
import Testing
import _TestSupport

/// Every acquisition operator passes the shared contract checks, and SENSE is exactly its
/// chain M ∘ F ∘ S (the fused column kernel included).
@Suite struct AcquisitionOperatorTests {
    static func random(_ shape: [Int], seed: UInt64) -> ComplexArray {
        var rng = SeededRNG(seed: seed)
        return OperatorChecks.randomArray(shape, using: &rng)
    }

    static func weights(_ h: Int, _ w: Int, seed: UInt64) -> FloatArray {
        var rng = SeededRNG(seed: seed)
        return FloatArray(shape: [h, w], storage: (0..<(h * w)).map { _ in rng.uniform() < 0.5 ? Float(rng.uniform()) : 0 })
    }

    static let operators: [(String, any LinearOperator)] = {
        let columns = (0..<11).map { $0 % 3 != 1 }
        return [
            ("coil sensitivities", CoilSensitivityOperator(sensitivityMaps: random([4, 9, 7], seed: 1))),
            ("coil sensitivities, one lane", CoilSensitivityOperator(sensitivityMaps: random([2, 5, 3], seed: 2), compute: .serial)),
            ("sampling", SamplingOperator(weights: weights(9, 7, seed: 3), shape: [4, 9, 7])),
            ("SENSE column mask", try! SENSEOperator(sensitivityMaps: random([3, 13, 11], seed: 4), columnMask: columns)),
            ("SENSE 2-D mask", try! SENSEOperator(sensitivityMaps: random([3, 10, 12], seed: 5), mask2D: weights(10, 12, seed: 6))),
            ("SENSE single coil", try! SENSEOperator.singleCoil(height: 8, width: 11, columnMask: columns)),
            ("SENSE column mask, W = 46 = 2·23 (embedded round trip)",
             try! SENSEOperator(sensitivityMaps: random([2, 9, 46], seed: 14), columnMask: (0..<46).map { $0 % 4 == 0 || $0 == 23 })),
        ]
    }()

    @Test("contract checks", arguments: operators.indices)
    func contract(_ index: Int) {
        let (name, op) = Self.operators[index]
        let report = OperatorChecks.check(op)
        #expect(report.worst <= 1e-5, "\(name): \(report)")
    }

    @Test("SENSE equals the composed chain M ∘ F ∘ S, normal included", arguments: [true, false])
    func senseIsTheChain(columnMask: Bool) throws {
        let maps = Self.random([3, 12, 10], seed: 7)
        let m = columnMask
            ? FloatArray(shape: [12, 10], storage: (0..<120).map { $0 % 10 % 3 == 0 ? 1 : 0 })
            : Self.weights(12, 10, seed: 8)
        let sense = try SENSEOperator(sensitivityMaps: maps, mask2D: m)
        #expect(sense.isColumnMask == columnMask)
        let chain = SamplingOperator(weights: m, shape: [3, 12, 10])
            .composed(with: FourierOperator(shape: [3, 12, 10]))
            .composed(with: CoilSensitivityOperator(sensitivityMaps: maps))
        let x = Self.random([12, 10], seed: 9), y = Self.random([3, 12, 10], seed: 10)
        #expect((sense.apply(x) - chain.apply(x)).norm <= 1e-6 * chain.apply(x).norm)
        #expect((sense.adjoint(y) - chain.adjoint(y)).norm <= 1e-6 * chain.adjoint(y).norm)
        #expect((sense.normal(x) - chain.normal(x)).norm <= 1e-5 * chain.normal(x).norm)
    }
}

extension AcquisitionOperatorTests {
    @Test("SENSE gives the same result with one lane and with several", arguments: [true, false])
    func senseIndependentOfLanes(columnMask: Bool) throws {
        let maps = Self.random([3, 40, 24], seed: 11)
        let m = columnMask
            ? FloatArray(shape: [40, 24], storage: (0..<960).map { $0 % 24 % 2 == 0 ? 1 : 0 })
            : Self.weights(40, 24, seed: 12)
        let serial = try SENSEOperator(sensitivityMaps: maps, mask2D: m, compute: .serial)
        let parallel = try SENSEOperator(sensitivityMaps: maps, mask2D: m, compute: ComputeSettings(lanes: 3, fftThreads: 2, blasThreads: 1))
        let x = Self.random([40, 24], seed: 13)
        #expect((serial.normal(x) - parallel.normal(x)).norm <= 1e-6 * serial.normal(x).norm)
        #expect((serial.apply(x) - parallel.apply(x)).norm <= 1e-6 * serial.apply(x).norm)
        #expect(serial.adjointOfNoise(scale: 1, seed: 5) == parallel.adjointOfNoise(scale: 1, seed: 5))
    }
}
