import MRICore

/// fastMRI `RandomMaskFunc`: the centre block of num_low = round(W·cf) columns plus every
/// column kept independently with probability p = (W/R − num_low)/(W − num_low), so the
/// expected number of sampled columns is num_low + (W − num_low)·p = W/R (W = 368, 4×,
/// cf 0.08: p = 63/339, 92 columns on average). As in fastMRI one uniform is drawn for every
/// column, centre included, so the stream position after a draw does not depend on cf.
public struct RandomMask: MaskGenerator {
    /// Always `.random`.
    public var kind: MaskKind { .random }
    public let parameters: MaskParameters

    /// Throws `AcquisitionError.invalidParameter` when R < 1 or cf ∉ (0, 1).
    public init(acceleration: Double, centerFraction: Double) throws {
        parameters = try MaskParameters(acceleration: acceleration, centerFraction: centerFraction)
    }

    /// The keep probability p of the non-centre columns (clamped to [0, 1]).
    public func probability(width: Int) -> Double {
        let numLow = MaskMath.numLowFrequencies(width: width, centerFraction: centerFraction)
        guard width > numLow else { return 0 }
        let p = (Double(width) / acceleration - Double(numLow)) / Double(width - numLow)
        return min(max(p, 0), 1)
    }

    /// Draws W uniforms u_w and keeps column w when u_w < p or w is in the centre.
    public func generate(height: Int, width: Int, using rng: inout some RandomNumberGenerator) throws -> SamplingMask {
        try MaskMath.validate(extent: width, name: "width")
        let numLow = MaskMath.numLowFrequencies(width: width, centerFraction: centerFraction)
        var columns = MaskMath.centerColumns(width: width, numLow: numLow)
        let p = probability(width: width)
        for j in 0..<width {
            let u = rng.uniform()
            if u < p { columns[j] = true }
        }
        return SamplingMask(columns: columns, numLowFrequencies: numLow, acceleration: acceleration)
    }
}
