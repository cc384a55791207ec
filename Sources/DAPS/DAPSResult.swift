import MRICore

/// The outcome of `DAPSSampler.sample`.
public struct DAPSResult: Sendable {
    /// One posterior draw per requested draw, each a complex image [H, W] in model units.
    public var samples: [ComplexArray]
    /// Batched denoiser calls made (N_A × N_ODE; each call covers every draw).
    public var networkEvaluations: Int
    /// Time split of the run.
    public var timings: DAPSTimings

    public init(samples: [ComplexArray], networkEvaluations: Int, timings: DAPSTimings) {
        self.samples = samples
        self.networkEvaluations = networkEvaluations
        self.timings = timings
    }
}
