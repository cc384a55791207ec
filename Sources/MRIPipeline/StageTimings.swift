/// Wall-clock seconds per pipeline stage, summed over slices (`--report`).
///
/// `network` and `conditional` are the sampler's own split of `sampling` (denoiser calls vs the
/// data-consistency step: Langevin or Gaussian CG, whose cost is the SENSE operator's FFTs);
/// `maps` is coil-map estimation (ESPIRiT), `normalisation` the initial estimate and quantile,
/// `reconstruction` the whole solver of a classical method.
public struct StageTimings: Sendable, Codable, Equatable {
    public var read = 0.0
    public var preprocess = 0.0
    public var maps = 0.0
    public var normalisation = 0.0
    public var sampling = 0.0
    public var network = 0.0
    public var conditional = 0.0
    public var statistics = 0.0
    public var reconstruction = 0.0
    public var write = 0.0
    public var total = 0.0

    public init() {}

    /// Adds every field of `other`.
    public mutating func add(_ other: StageTimings) {
        read += other.read
        preprocess += other.preprocess
        maps += other.maps
        normalisation += other.normalisation
        sampling += other.sampling
        network += other.network
        conditional += other.conditional
        statistics += other.statistics
        reconstruction += other.reconstruction
        write += other.write
        total += other.total
    }
}
