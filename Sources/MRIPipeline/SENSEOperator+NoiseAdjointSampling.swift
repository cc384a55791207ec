import DAPS
import MRIAcquisition
import MRICore

/// The glue between the acquisition model and the sampler (like `UNetDenoiser: Denoiser`): the
/// sampler's noise term Aᴴε uses SENSE's own sampler, which draws only sampled k-space, seeded
/// by one 64-bit draw of the sampler's generator.
extension SENSEOperator: NoiseAdjointSampling {
    public func sampledAdjointOfNoise(scale: Float, rng: inout some RandomNumberGenerator) -> ComplexArray {
        adjointOfNoise(scale: scale, seed: rng.next())
    }
}
