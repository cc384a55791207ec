import MRICore

/// Zero-filled root-sum-of-squares reconstruction (fastMRI baseline):
/// x = sqrt(Σ_c |Fᴴ k_c|²), with Fᴴ the centred orthonormal inverse FFT (`ifft2c`), unsampled
/// k-space left at zero.
public enum ZeroFilledRSS {
    /// RSS magnitude image `[H, W]` of k-space `[coils, H, W]` (or a single-coil `[H, W]`).
    public static func reconstruct(kspace: ComplexArray) throws -> FloatArray {
        guard kspace.rank == 3 || kspace.rank == 2 else {
            throw ReconError.shapeMismatch(parameter: "kspace", expected: "[coils, H, W] or [H, W]", got: kspace.shape)
        }
        let images = CenteredFFT.inverse(kspace)
        return try RSS.combine(kspace.rank == 2 ? images.reshaped([1] + images.shape) : images)
    }
}
