import MRICore

/// fastMRI `EquiSpacedMaskFunc`: the centre block of num_low = round(W·cf) columns plus the
/// columns offset, offset + R, offset + 2R, … (`mask[offset::R] = 1`), offset uniform in [0, R).
///
/// The lines are spaced exactly R apart as in GRAPPA-style acquisitions, so with the extra
/// centre the achieved acceleration is below R (W = 368, 4×, cf 0.08: 113–114 columns, ≈3.2×).
/// R must be an integer, as fastMRI's slice step requires.
public struct EquispacedMask: MaskGenerator {
    /// Always `.equispaced`.
    public var kind: MaskKind { .equispaced }
    public let parameters: MaskParameters

    /// Throws `AcquisitionError.invalidParameter` when R < 1, R is not an integer, or cf ∉ (0, 1).
    public init(acceleration: Double, centerFraction: Double) throws {
        parameters = try MaskParameters(acceleration: acceleration, centerFraction: centerFraction)
        guard acceleration == acceleration.rounded() else {
            throw AcquisitionError.invalidParameter(name: "acceleration", value: "\(acceleration)",
                                                    reason: "equispaced masks need an integer acceleration")
        }
    }

    /// Line spacing R as an integer.
    public var spacing: Int { Int(acceleration) }

    /// Draws offset uniformly in [0, R) and builds the mask.
    public func generate(height: Int, width: Int, using rng: inout some RandomNumberGenerator) throws -> SamplingMask {
        let offset = Int.random(in: 0..<spacing, using: &rng)
        return try generate(width: width, offset: offset)
    }

    /// The deterministic mask for a given offset ∈ [0, R): centre ∪ {offset + kR}.
    public func generate(width: Int, offset: Int) throws -> SamplingMask {
        try MaskMath.validate(extent: width, name: "width")
        guard offset >= 0, offset < spacing else {
            throw AcquisitionError.invalidParameter(name: "offset", value: "\(offset)", reason: "must lie in [0, \(spacing))")
        }
        let numLow = MaskMath.numLowFrequencies(width: width, centerFraction: centerFraction)
        var columns = MaskMath.centerColumns(width: width, numLow: numLow)
        for j in stride(from: offset, to: width, by: spacing) { columns[j] = true }
        return SamplingMask(columns: columns, numLowFrequencies: numLow, acceleration: acceleration)
    }
}
