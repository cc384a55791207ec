import Foundation
import MRICore

/// A generator of k-space sampling masks for a fixed acceleration R and centre fraction
/// (fastMRI `MaskFunc`, `fastmri/data/subsample.py`).
///
/// Every draw takes an explicit random number generator, so the same seed gives the same
/// mask. Cartesian generators return a column mask of length W (they ignore `height`); 2-D
/// generators (`PoissonDiscMask`) return an `[H, W]` mask.
public protocol MaskGenerator: Sendable {
    /// The pattern this generator draws.
    var kind: MaskKind { get }
    /// Acceleration and centre fraction.
    var parameters: MaskParameters { get }
    /// Draws a mask for k-space of `height` readout rows and `width` phase-encode columns.
    func generate(height: Int, width: Int, using rng: inout some RandomNumberGenerator) throws -> SamplingMask
}

extension MaskGenerator {
    /// Nominal acceleration R ≥ 1.
    public var acceleration: Double { parameters.acceleration }
    /// Fraction of the W columns in the fully sampled centre, in (0, 1).
    public var centerFraction: Double { parameters.centerFraction }

    /// Draws a column mask of length `width` (2-D generators draw a `1 × width` plane).
    public func generate(width: Int, using rng: inout some RandomNumberGenerator) throws -> SamplingMask {
        try generate(height: 1, width: width, using: &rng)
    }
}

/// Shared parameter checks and fastMRI's centre-block arithmetic.
enum MaskMath {
    /// Throws unless 1 ≤ R < ∞ and 0 < centre fraction < 1.
    static func validate(acceleration: Double, centerFraction: Double) throws {
        guard acceleration.isFinite, acceleration >= 1 else {
            throw AcquisitionError.invalidParameter(name: "acceleration", value: "\(acceleration)",
                                                    reason: "must be a finite number ≥ 1")
        }
        guard centerFraction.isFinite, centerFraction > 0, centerFraction < 1 else {
            throw AcquisitionError.invalidParameter(name: "centerFraction", value: "\(centerFraction)",
                                                    reason: "must lie in the open interval (0, 1)")
        }
    }

    /// Throws unless `n ≥ 1`.
    static func validate(extent n: Int, name: String) throws {
        guard n >= 1 else {
            throw AcquisitionError.invalidParameter(name: name, value: "\(n)", reason: "must be at least 1")
        }
    }

    /// fastMRI `num_low_frequencies = round(W · centre fraction)`, Python's round (half to even).
    static func numLowFrequencies(width: Int, centerFraction: Double) -> Int {
        Int((Double(width) * centerFraction).rounded(.toNearestOrEven))
    }

    /// First centre column, fastMRI `pad = (W − num_low + 1) // 2`.
    static func centerStart(width: Int, numLow: Int) -> Int {
        (width - numLow + 1) / 2
    }

    /// Column flags with the centre block `[pad, pad + numLow)` set.
    static func centerColumns(width: Int, numLow: Int) -> [Bool] {
        var m = [Bool](repeating: false, count: width)
        let pad = centerStart(width: width, numLow: numLow)
        for j in pad..<min(width, pad + numLow) { m[j] = true }
        return m
    }

    /// Python's `round(x)` as an Int (half to even).
    static func pythonRound(_ x: Double) -> Int { Int(x.rounded(.toNearestOrEven)) }
}
