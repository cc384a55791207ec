import Foundation

/// The mask patterns by name, the factory that protocol files and the CLI use
/// (fastMRI `create_mask_for_mask_type`). Raw values are the `type` strings.
public enum MaskKind: String, CaseIterable, Sendable, Codable {
    /// `RandomMask` (fastMRI "random").
    case random = "random"
    /// `EquispacedMask` (fastMRI "equispaced").
    case equispaced = "equispaced"
    /// `EquispacedFractionMask` (fastMRI "equispaced_fraction").
    case equispacedFraction = "equispaced-fraction"
    /// `GaussianMask1D` (score-MRI "gaussian1d").
    case gaussian1D = "gaussian1d"
    /// `PoissonDiscMask` (SigPy `poisson`), a 2-D mask.
    case poisson = "poisson"

    /// Parses a type string (case-insensitive, surrounding spaces ignored); throws
    /// `AcquisitionError.unknownMaskKind` listing the known names otherwise.
    public init(parsing name: String) throws {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard let kind = MaskKind(rawValue: key) else { throw AcquisitionError.unknownMaskKind(name) }
        self = kind
    }

    /// True for patterns that sample a 2-D `[H, W]` plane rather than whole columns.
    public var isTwoDimensional: Bool { self == .poisson }

    /// A generator of this kind for acceleration R and centre fraction cf (defaults of each type).
    public func makeGenerator(acceleration: Double, centerFraction: Double) throws -> any MaskGenerator {
        switch self {
        case .random: return try RandomMask(acceleration: acceleration, centerFraction: centerFraction)
        case .equispaced: return try EquispacedMask(acceleration: acceleration, centerFraction: centerFraction)
        case .equispacedFraction:
            return try EquispacedFractionMask(acceleration: acceleration, centerFraction: centerFraction)
        case .gaussian1D: return try GaussianMask1D(acceleration: acceleration, centerFraction: centerFraction)
        case .poisson: return try PoissonDiscMask(acceleration: acceleration, centerFraction: centerFraction)
        }
    }
}
