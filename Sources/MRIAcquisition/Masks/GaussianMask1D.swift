import Foundation
import MRICore

/// 1-D Gaussian variable-density column mask (score-MRI, Chung & Ye 2022, `get_mask(type=
/// "gaussian1d")`), drawn without replacement so the count is exact.
///
/// The centre block of num_low = round(W·cf) columns (fastMRI placement, start
/// (W − num_low + 1)//2) is fully sampled. The other columns are drawn without replacement
/// until n = max(num_low, ⌊W/R⌋) columns are sampled in total, column j having weight
/// p_j = Φ((j + 1 − μ)/σ) − Φ((j − μ)/σ) (the mass that score-MRI's truncated draw
/// `int(N(μ, σ²))` puts on j, tails folded onto columns 0 and W − 1), μ = W//2,
/// σ = W·15/128. Sampling without replacement uses Efraimidis–Spirakis keys log(u)/p_j
/// (Efraimidis & Spirakis, "Weighted random sampling with a reservoir", IPL 2006).
/// score-MRI itself draws 1.2·W/R samples with replacement, so its count is not exact.
public struct GaussianMask1D: MaskGenerator {
    /// Always `.gaussian1D`.
    public var kind: MaskKind { .gaussian1D }
    public let parameters: MaskParameters
    /// σ as a fraction of W (score-MRI: 15/128).
    public let relativeStandardDeviation: Double

    /// Throws `AcquisitionError.invalidParameter` when R < 1, cf ∉ (0, 1) or σ/W ≤ 0.
    public init(acceleration: Double, centerFraction: Double, relativeStandardDeviation: Double = 15.0 / 128.0) throws {
        parameters = try MaskParameters(acceleration: acceleration, centerFraction: centerFraction)
        guard relativeStandardDeviation > 0, relativeStandardDeviation.isFinite else {
            throw AcquisitionError.invalidParameter(name: "relativeStandardDeviation", value: "\(relativeStandardDeviation)",
                                                    reason: "must be a positive finite number")
        }
        self.relativeStandardDeviation = relativeStandardDeviation
    }

    /// Total number of sampled columns n = max(num_low, ⌊W/R⌋).
    public func targetCount(width: Int) -> Int {
        let numLow = MaskMath.numLowFrequencies(width: width, centerFraction: centerFraction)
        return min(width, max(numLow, Int((Double(width) / acceleration).rounded(.down))))
    }

    /// Per-column weights p_j (sum 1 over all columns, centre included).
    public func columnWeights(width: Int) -> [Double] {
        let mu = Double(width / 2)
        let sigma = Double(width) * relativeStandardDeviation
        func cdf(_ x: Double) -> Double { 0.5 * erfc(-(x - mu) / (sigma * 2.0.squareRoot())) }
        return (0..<width).map { j in
            let lo = j == 0 ? 0 : cdf(Double(j))
            let hi = j == width - 1 ? 1 : cdf(Double(j + 1))
            return max(hi - lo, 0)
        }
    }

    /// Draws a column mask of length `width` with exactly `targetCount(width:)` columns (`height` unused).
    public func generate(height: Int, width: Int, using rng: inout some RandomNumberGenerator) throws -> SamplingMask {
        try MaskMath.validate(extent: width, name: "width")
        let numLow = MaskMath.numLowFrequencies(width: width, centerFraction: centerFraction)
        var columns = MaskMath.centerColumns(width: width, numLow: numLow)
        let centreCount = columns.reduce(0) { $0 + ($1 ? 1 : 0) }
        let extra = targetCount(width: width) - centreCount
        let weights = columnWeights(width: width)
        if extra > 0 {
            // Efraimidis–Spirakis: the `extra` largest keys log(u)/p form a weighted sample without replacement.
            var keys: [(key: Double, column: Int)] = []
            keys.reserveCapacity(width)
            for j in 0..<width {
                var u = rng.uniform()
                while u == 0 { u = rng.uniform() }
                if columns[j] { continue }
                let key = weights[j] > 0 ? log(u) / weights[j] : -Double.infinity
                keys.append((key, j))
            }
            keys.sort { $0.key > $1.key || ($0.key == $1.key && $0.column < $1.column) }
            for k in keys.prefix(extra) { columns[k.column] = true }
        }
        return SamplingMask(columns: columns, numLowFrequencies: numLow, acceleration: acceleration)
    }
}
