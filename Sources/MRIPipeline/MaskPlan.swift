import Foundation
import MRIAcquisition
import MRICore

/// How the sampling mask of a volume is chosen: a mask stored in the file always wins; otherwise
/// one is generated from (kind, acceleration, centre fraction) with a seed derived from the
/// user's seed and the file name, so every slice of a volume shares one mask and the same
/// command gives the same mask (fastMRI derives its seed from the file name the same way).
public struct MaskPlan: Sendable, Equatable {
    /// Requested acceleration R (nil: fully sampled unless the file has a mask).
    public var acceleration: Double?
    /// Mask pattern (nil: fastMRI's convention for the anatomy — random for knee, equispaced for brain).
    public var kind: MaskKind?
    /// Centre fraction (nil: 0.32/R, i.e. 0.08 at 4× and 0.04 at 8×, fastMRI's standard pairs).
    public var centerFraction: Double?
    /// User seed.
    public var seed: UInt64

    public init(acceleration: Double? = nil, kind: MaskKind? = nil, centerFraction: Double? = nil, seed: UInt64 = 0) {
        self.acceleration = acceleration
        self.kind = kind
        self.centerFraction = centerFraction
        self.seed = seed
    }

    /// Validates option ranges (one-line errors naming the option).
    public func validate() throws {
        if let r = acceleration, !(r.isFinite && r >= 1) {
            throw PipelineError.invalidOption(name: "accel", reason: "acceleration must be ≥ 1 (got \(r))")
        }
        if let cf = centerFraction, !(cf > 0 && cf < 1) {
            throw PipelineError.invalidOption(name: "center-fraction", reason: "must lie in (0, 1) (got \(cf))")
        }
    }

    /// The default pattern for an fastMRI `acquisition` attribute: AX* (brain) → equispaced,
    /// anything else (knee CORPD*) → random.
    public static func defaultKind(acquisition: String?) -> MaskKind {
        (acquisition ?? "").uppercased().hasPrefix("AX") ? .equispaced : .random
    }

    /// Seed for a file: FNV-1a of the file's base name mixed with the user seed.
    public static func fileSeed(_ seed: UInt64, fileName: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in fileName.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h ^ (seed &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The mask for a volume of k-space width `width` (and `height` rows for 2-D masks), or nil
    /// when the data are to be used fully sampled.
    public func mask(height: Int, width: Int, fileName: String, acquisition: String?) throws -> SamplingMask? {
        guard let r = acceleration else { return nil }
        let k = kind ?? Self.defaultKind(acquisition: acquisition)
        let cf = centerFraction ?? min(0.5, 0.32 / r)
        let generator = try k.makeGenerator(acceleration: r, centerFraction: cf)
        var rng = SeededRNG(seed: Self.fileSeed(seed, fileName: fileName))
        return try generator.generate(height: height, width: width, using: &rng)
    }
}

extension MaskPlan {
    /// Parses a mask pattern name ("random", "equispaced", ...).
    public static func kind(named name: String) throws -> MaskKind { try MaskKind(parsing: name) }
    /// All pattern names.
    public static var kindNames: [String] { MaskKind.allCases.map(\.rawValue) }
}
