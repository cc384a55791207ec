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
        return rss(images)
    }

    /// sqrt(Σ_c |x_c|²) over the leading (coil) axis of `[coils, H, W]`.
    public static func rss(_ images: ComplexArray) -> FloatArray {
        let h = images.shape[images.rank - 2], w = images.shape[images.rank - 1]
        let n = h * w, nc = images.count / n
        var out = [Float](repeating: 0, count: n)
        images.storage.withUnsafeBufferPointer { p in
            for c in 0..<nc { for i in 0..<n { out[i] += p[c * n + i].magnitudeSquared } }
        }
        for i in 0..<n { out[i] = out[i].squareRoot() }
        return FloatArray(shape: [h, w], storage: out)
    }
}
