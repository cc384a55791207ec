import MRICore

/// An operator that can draw Aᴴε faster than by drawing ε in full and applying `adjoint`:
/// perturb-and-solve (`GaussianConditional.draw`) needs one such draw per step and per draw.
///
/// Only the distribution is specified: a conformer may draw fewer variates where parts of ε are
/// annihilated by Aᴴ (unsampled k-space) or where a unitary factor maps white noise to white
/// noise. The same generator state must give the same array.
public protocol NoiseAdjointSampling: LinearOperator {
    /// A draw of Aᴴε, ε of `outputShape` with independent N(0, scale²) real and imaginary parts.
    func sampledAdjointOfNoise(scale: Float, rng: inout some RandomNumberGenerator) -> ComplexArray
}

extension LinearOperator {
    /// A draw of Aᴴε, ε a complex array of `outputShape` whose real and imaginary parts are
    /// independent N(0, scale²): the measurement-noise term of a perturb-and-solve draw. Uses the
    /// operator's own sampler when it conforms to `NoiseAdjointSampling`; otherwise draws ε in
    /// full (real and imaginary part of each element in turn) and applies `adjoint`.
    public func adjointOfNoise(scale: Float, rng: inout some RandomNumberGenerator) -> ComplexArray {
        if let sampler = self as? any NoiseAdjointSampling {
            return sampler.sampledAdjointOfNoise(scale: scale, rng: &rng)
        }
        var e = ComplexArray(zeros: outputShape)
        e.withUnsafeMutableBufferPointer { p in
            p.withMemoryRebound(to: Float.self) { f in
                rng.fillGaussian(f.baseAddress!, count: f.count, scale: scale)
            }
        }
        return adjoint(e)
    }
}
