import Foundation
import MRICore

/// Coil maps that stay usable with few calibration lines (e.g. 8× with 4 % centre lines).
///
/// ESPIRiT with BART's defaults (square r×r calibration, 6×6 kernel, eigenvalue crop 0.8) is
/// tried first. With very few centre columns its signal subspace is poorly determined and the
/// eigenvalue crop can remove most of the object, which makes SENSE worse than zero-filled.
/// Each candidate is therefore checked for *coverage*: the fraction of object pixels (the
/// low-resolution ACS image's RSS above `objectThreshold`·max) where Σ_c|S_c|² ≥ ½. Below
/// `minimumCoverage` the next candidate is tried: ESPIRiT calibrated on a tall block (every
/// readout row of the fully sampled columns, up to `tallRows`), then the low-resolution maps,
/// which always cover the object.
public struct AutoCoilMaps: Sendable {
    /// Which estimator produced the maps.
    public enum Method: String, Sendable {
        case espirit
        case espiritTall = "espirit-tall"
        case lowres
    }

    public var minimumCoverage: Double
    public var objectThreshold: Float
    public var tallRows: Int
    /// Lanes and FFT threads of the ESPIRiT candidates.
    public var compute: ComputeSettings

    public init(minimumCoverage: Double = 0.95, objectThreshold: Float = 0.15, tallRows: Int = 32,
                compute: ComputeSettings = .machine) {
        self.compute = compute
        self.minimumCoverage = minimumCoverage
        self.objectThreshold = objectThreshold
        self.tallRows = tallRows
    }

    /// Maps `[coils, H, W]`, the method used and its coverage.
    public func estimate(kspace: ComplexArray, numLowFrequencies: Int) throws
        -> (maps: ComplexArray, method: Method, coverage: Double)
    {
        guard kspace.rank == 3 else { throw CoilMapError.badShape(kspace.shape) }
        let support = try objectSupport(kspace: kspace, numLowFrequencies: numLowFrequencies)
        var best: (ComplexArray, Method, Double)? = nil
        var candidates: [(Method, ESPIRiT)] = [(.espirit, ESPIRiT(compute: compute))]
        var tall = ESPIRiT(compute: compute)
        tall.calibrationRows = max(tallRows, numLowFrequencies)
        candidates.append((.espiritTall, tall))
        for (method, espirit) in candidates {
            guard let maps = try? espirit.sensitivityMaps(kspace: kspace, numLowFrequencies: numLowFrequencies) else { continue }
            let cov = coverage(maps, support: support)
            if cov >= minimumCoverage { return (maps, method, cov) }
            if best == nil || cov > best!.2 { best = (maps, method, cov) }
        }
        let low = try LowResolutionCoilMaps(compute: compute).sensitivityMaps(kspace: kspace, numLowFrequencies: numLowFrequencies)
        let cov = coverage(low, support: support)
        if let b = best, b.2 > cov { return b }
        return (low, .lowres, cov)
    }

    /// Object pixels: RSS of the centre-column (ACS) image above `objectThreshold`·max.
    func objectSupport(kspace: ComplexArray, numLowFrequencies: Int) throws -> [Bool] {
        let nc = kspace.shape[0], h = kspace.shape[1], w = kspace.shape[2]
        let cw = max(1, min(numLowFrequencies, w)), c0 = w / 2 - cw / 2
        var low = ComplexArray(zeros: kspace.shape)
        for c in 0..<nc { for i in 0..<h {
            let o = (c * h + i) * w + c0
            for j in 0..<cw { low[linear: o + j] = kspace.storage[o + j] }
        } }
        CenteredFFT.transform(&low, axes: .image, inverse: true, compute: compute)
        let rss = try RSS.combine(low).storage
        let cut = objectThreshold * (rss.max() ?? 0)
        return rss.map { $0 > cut }
    }

    /// Fraction of support pixels with Σ_c|S_c|² ≥ ½.
    func coverage(_ maps: ComplexArray, support: [Bool]) -> Double {
        let n = support.count, nc = maps.count / n
        var inside = 0, covered = 0
        maps.storage.withUnsafeBufferPointer { p in
            for i in 0..<n where support[i] {
                inside += 1
                var s: Float = 0
                for c in 0..<nc { s += p[c * n + i].magnitudeSquared }
                if s >= 0.5 { covered += 1 }
            }
        }
        return inside == 0 ? 0 : Double(covered) / Double(inside)
    }
}
