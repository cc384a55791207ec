import MRICore

/// Coil-combined minimum-variance unbiased estimate (MVUE; Roemer et al., MRM 1990 with unit
/// noise covariance): x = Σ_c conj(S_c)·Fᴴk_c / sqrt(Σ_c |S_c|²), a complex image; pixels with
/// Σ|S_c|² = 0 are 0. For ESPIRiT maps (Σ|S_c|² = 1 inside the crop) this is Aᴴk without the mask.
public enum MVUECombination {
    /// Complex MVUE image `[H, W]` from k-space and maps, both `[coils, H, W]`.
    public static func reconstruct(kspace: ComplexArray, sensitivityMaps: ComplexArray) throws -> ComplexArray {
        guard kspace.rank == 3 else {
            throw ReconError.shapeMismatch(parameter: "kspace", expected: "[coils, H, W]", got: kspace.shape)
        }
        guard sensitivityMaps.shape == kspace.shape else {
            throw ReconError.shapeMismatch(parameter: "sensitivityMaps", expected: "\(kspace.shape)", got: sensitivityMaps.shape)
        }
        let images = CenteredFFT.inverse(kspace)
        let nc = kspace.shape[0], n = kspace.shape[1] * kspace.shape[2]
        var out = ComplexArray(zeros: [kspace.shape[1], kspace.shape[2]])
        images.storage.withUnsafeBufferPointer { ip in
            sensitivityMaps.storage.withUnsafeBufferPointer { sp in
                for i in 0..<n {
                    var acc = ComplexFloat.zero
                    var s2: Float = 0
                    for c in 0..<nc {
                        let s = sp[c * n + i]
                        acc += s.conjugate * ip[c * n + i]
                        s2 += s.magnitudeSquared
                    }
                    out[linear: i] = s2 > 0 ? acc * (1 / s2.squareRoot()) : .zero
                }
            }
        }
        return out
    }
}
