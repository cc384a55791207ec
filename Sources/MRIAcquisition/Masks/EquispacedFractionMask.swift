import MRICore

/// fastMRI `EquispacedMaskFractionFunc`: equispaced lines whose spacing is adjusted for the
/// centre so the total hits ≈ W/R.
///
/// With num_low = round(W·cf), the spacing is a = R·(num_low − W)/(num_low·R − W); the lines
/// are `np.around(np.arange(offset, W − 1, a)).astype(uint)` (round half to even), offset
/// uniform in [0, round(a)), plus the centre block. W = 368, 4×, cf 0.08 gives a ≈ 5.381 and
/// 91–93 columns. Requires num_low·R < W (otherwise the centre alone exceeds W/R).
public struct EquispacedFractionMask: MaskGenerator {
    /// Always `.equispacedFraction`.
    public var kind: MaskKind { .equispacedFraction }
    public let parameters: MaskParameters

    /// Throws `AcquisitionError.invalidParameter` when R < 1 or cf ∉ (0, 1).
    public init(acceleration: Double, centerFraction: Double) throws {
        parameters = try MaskParameters(acceleration: acceleration, centerFraction: centerFraction)
    }

    /// The adjusted spacing a = R·(num_low − W)/(num_low·R − W) for `width` columns.
    public func adjustedSpacing(width: Int) throws -> Double {
        try MaskMath.validate(extent: width, name: "width")
        let numLow = MaskMath.numLowFrequencies(width: width, centerFraction: centerFraction)
        let w = Double(width), n = Double(numLow), r = acceleration
        guard n * r < w else {
            throw AcquisitionError.invalidParameter(
                name: "centerFraction", value: "\(centerFraction)",
                reason: "centre of \(numLow) columns at \(r)× exceeds W/R for W = \(width); use equispaced or a smaller fraction")
        }
        return r * (n - w) / (n * r - w)
    }

    /// Draws offset uniformly in [0, round(a)) and builds the mask.
    public func generate(height: Int, width: Int, using rng: inout some RandomNumberGenerator) throws -> SamplingMask {
        let a = try adjustedSpacing(width: width)
        let offset = Int.random(in: 0..<max(1, MaskMath.pythonRound(a)), using: &rng)
        return try generate(width: width, offset: offset)
    }

    /// The deterministic mask for a given offset ≥ 0.
    ///
    /// Reproduces NumPy's float `arange`: length ⌈(W − 1 − offset)/a⌉, element i =
    /// offset + i·δ with δ = (offset + a) − offset, then `np.around` (half to even).
    public func generate(width: Int, offset: Int) throws -> SamplingMask {
        let a = try adjustedSpacing(width: width)
        guard offset >= 0 else {
            throw AcquisitionError.invalidParameter(name: "offset", value: "\(offset)", reason: "must be ≥ 0")
        }
        let numLow = MaskMath.numLowFrequencies(width: width, centerFraction: centerFraction)
        var columns = MaskMath.centerColumns(width: width, numLow: numLow)
        let start = Double(offset)
        let length = Int(((Double(width - 1) - start) / a).rounded(.up))
        let delta = (start + a) - start
        if length > 0 {
            for i in 0..<length {
                let value = i == 0 ? start : (i == 1 ? start + a : start + Double(i) * delta)
                let j = Int(value.rounded(.toNearestOrEven))
                if j >= 0 && j < width { columns[j] = true }
            }
        }
        return SamplingMask(columns: columns, numLowFrequencies: numLow, acceleration: acceleration)
    }
}
