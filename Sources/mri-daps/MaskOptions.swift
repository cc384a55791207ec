import ArgumentParser
import MRIPipeline

/// Mask flags shared by `recon` and `simulate`.
struct MaskOptions: ParsableArguments {
    @Option(name: .customLong("accel"), help: "Acceleration R ≥ 1 (ignored when the file has a mask).")
    var acceleration: Double?
    @Option(help: "Mask pattern: random, equispaced, equispaced-fraction, gaussian1d, poisson (default: random for knee, equispaced for brain).")
    var mask: String?
    @Option(help: "Fully sampled centre fraction (default 0.32/R: 0.08 at 4×, 0.04 at 8×).")
    var centerFraction: Double?
    @Option(help: "Seed for the mask (mixed with the file name) and, for daps, the sampler (default 0, or the protocol's).")
    var seed: UInt64?

    func validate() throws {
        if let r = acceleration, !(r >= 1) { throw ValidationError("--accel must be ≥ 1 (got \(r))") }
        if let cf = centerFraction, !(cf > 0 && cf < 1) { throw ValidationError("--center-fraction must lie in (0, 1) (got \(cf))") }
        if let m = mask, (try? MaskPlan.kind(named: m)) == nil {
            throw ValidationError("--mask: unknown pattern '\(m)' (choose from \(MaskPlan.kindNames.joined(separator: ", ")))")
        }
    }

    func plan() throws -> MaskPlan {
        MaskPlan(acceleration: acceleration, kind: try mask.map { try MaskPlan.kind(named: $0) },
                 centerFraction: centerFraction, seed: seed ?? 0)
    }
}
