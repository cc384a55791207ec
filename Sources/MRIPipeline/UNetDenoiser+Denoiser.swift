import DAPS
import NeuralPrior

/// The glue between the neural prior and the sampler (STYLE.md: it lives in Pipeline, so
/// NeuralPrior and DAPS stay independent). `UNetDenoiser` already has exactly the members.
extension UNetDenoiser: Denoiser {}
