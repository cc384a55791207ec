/// Wall-clock time of a DAPS run by stage, in seconds.
public struct DAPSTimings: Sendable, Equatable {
    /// Time inside `Denoiser.denoise` (all draws batched).
    public var network: Double
    /// Time in the conditional step: operator applications, CG or Langevin, perturbation noise
    /// and re-noising (all draws, run concurrently).
    public var conditional: Double
    /// Whole `sample` call.
    public var total: Double

    public init(network: Double = 0, conditional: Double = 0, total: Double = 0) {
        self.network = network
        self.conditional = conditional
        self.total = total
    }
}
