import MRIAcquisition
import MRICore
import Testing

/// CoilCompression: SVD compression preserves data that lives in a low-dimensional coil subspace.
@Suite struct CoilCompressionTests {
    /// k-space [coils, H, W] = M·Z with M (coils × rank) and Z (rank × H·W) complex Gaussian.
    static func lowRankData(coils: Int, rank: Int, h: Int, w: Int, seed: UInt64) -> ComplexArray {
        var rng = SeededRNG(seed: seed)
        let m = (0..<(coils * rank)).map { _ in rng.complexGaussian() }
        let z = (0..<(rank * h * w)).map { _ in rng.complexGaussian() }
        return ComplexArray(shape: [coils, h, w], storage: BLAS.complexMatrixMultiply(m, z, m: coils, n: h * w, k: rank))
    }

    @Test("8 → 3 coils on rank-3 data is lossless: Pᴴ P x = x and the RSS image is unchanged")
    func rankThreeExact() throws {
        let x = Self.lowRankData(coils: 8, rank: 3, h: 48, w: 40, seed: 21)
        let cc = try CoilCompression(calibration: x, virtualCoils: 3)
        #expect(cc.inputCoils == 8 && cc.virtualCoils == 3)
        #expect(cc.singularValues[3] < 1e-3 * cc.singularValues[0], "\(cc.singularValues)")
        #expect(cc.retainedEnergyFraction > 1 - 1e-6)
        let y = try cc.apply(x)
        #expect(y.shape == [3, 48, 40])
        // Back-projection Pᴴ y.
        let ph = (0..<(8 * 3)).map { i in cc.matrix[(i % 3) * 8 + i / 3].conjugate }
        let back = ComplexArray(shape: [8, 48, 40], storage: BLAS.complexMatrixMultiply(ph, y.storage, m: 8, n: 48 * 40, k: 3))
        let err = (back - x).norm / x.norm
        #expect(err < 1e-4, "reconstruction error \(err)")
        let rssX = try RSS.combine(CenteredFFT.inverse(x).reshaped([1, 8, 48, 40]))
        let rssY = try RSS.combine(CenteredFFT.inverse(y).reshaped([1, 3, 48, 40]))
        var num = 0.0, den = 0.0
        for i in 0..<rssX.count {
            let d = Double(rssX.storage[i] - rssY.storage[i])
            num += d * d
            den += Double(rssX.storage[i]) * Double(rssX.storage[i])
        }
        #expect((num / den).squareRoot() < 1e-4, "RSS relative difference \((num / den).squareRoot())")
    }

    @Test("calibrating on the centre columns (ACS) compresses the full data as well")
    func acsCalibration() throws {
        let x = Self.lowRankData(coils: 8, rank: 3, h: 32, w: 40, seed: 5)
        let acs = try CenterCrop.cropPhaseEncode(x, width: 8)
        let cc = try CoilCompression(calibration: acs, virtualCoils: 3)
        let y = try cc.apply(x.reshaped([1, 8, 32, 40]))
        #expect(y.shape == [1, 3, 32, 40])
        #expect(abs(y.norm / x.norm - 1) < 1e-4, "energy ratio \(y.norm / x.norm)")
    }

    @Test("keeping all coils is unitary; fewer coils keep the top singular energy")
    func fullRank() throws {
        var rng = SeededRNG(seed: 8)
        var x = ComplexArray(zeros: [6, 10, 12])
        for i in 0..<x.count { x[linear: i] = rng.complexGaussian() }
        let all = try CoilCompression(calibration: x, virtualCoils: 6)
        #expect(abs(try all.apply(x).norm / x.norm - 1) < 1e-5)
        let two = try CoilCompression(calibration: x, virtualCoils: 2)
        let kept = try two.apply(x).normSquared / x.normSquared
        #expect(abs(kept - two.retainedEnergyFraction) < 1e-4, "kept \(kept) vs \(two.retainedEnergyFraction)")
        #expect(two.singularValues == two.singularValues.sorted(by: >))
    }

    @Test("bad virtual coil counts and coil mismatches throw")
    func errors() throws {
        let x = ComplexArray(zeros: [4, 3, 3])
        #expect(throws: AcquisitionError.self) { try CoilCompression(calibration: x, virtualCoils: 5) }
        #expect(throws: AcquisitionError.self) { try CoilCompression(calibration: x, virtualCoils: 0) }
        var rng = SeededRNG(seed: 1)
        var y = ComplexArray(zeros: [4, 3, 3])
        for i in 0..<y.count { y[linear: i] = rng.complexGaussian() }
        let cc = try CoilCompression(calibration: y, virtualCoils: 2)
        #expect(throws: AcquisitionError.self) { try cc.apply(ComplexArray(zeros: [5, 3, 3])) }
    }
}
