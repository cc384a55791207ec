/// Progress of a DAPS run, reported after every annealing step.
public struct DAPSProgress: Sendable, Equatable {
    /// Annealing steps completed (1 … annealingSteps).
    public var annealingStep: Int
    /// N_A.
    public var annealingSteps: Int
    /// Network evaluations (batched denoiser calls) so far.
    public var networkEvaluations: Int

    public init(annealingStep: Int, annealingSteps: Int, networkEvaluations: Int) {
        self.annealingStep = annealingStep
        self.annealingSteps = annealingSteps
        self.networkEvaluations = networkEvaluations
    }
}
