/// The two numbers every mask function takes (fastMRI `MaskFunc(center_fractions,
/// accelerations)`), validated once: 1 ≤ R < ∞ and 0 < centre fraction < 1.
public struct MaskParameters: Sendable, Hashable {
    /// Nominal acceleration R ≥ 1.
    public let acceleration: Double
    /// Fraction of the W columns in the fully sampled centre, in (0, 1); num_low = round(W·cf).
    public let centerFraction: Double

    /// Throws `AcquisitionError.invalidParameter` when R < 1 or cf ∉ (0, 1).
    public init(acceleration: Double, centerFraction: Double) throws {
        try MaskMath.validate(acceleration: acceleration, centerFraction: centerFraction)
        self.acceleration = acceleration
        self.centerFraction = centerFraction
    }
}
