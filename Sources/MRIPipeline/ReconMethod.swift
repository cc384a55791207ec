/// The reconstruction methods of `mri-daps recon --method` (default `daps`).
public enum ReconMethod: String, CaseIterable, Sendable, Codable {
    /// Decoupled Annealed Posterior Sampling with a diffusion prior (docs/DAPS.md): posterior
    /// mean magnitude and per-pixel standard deviation over several draws.
    case daps
    /// Root-sum-of-squares of the zero-filled coil images (no coil maps).
    case zeroFilled = "zero-filled"
    /// Coil-combined minimum-variance unbiased estimate Σ conj(S_c)·Fᴴk_c / √Σ|S_c|².
    case mvue
    /// CG-SENSE with Tikhonov regularisation.
    case sense
    /// L1-wavelet compressed sensing (FISTA), BART `pics -R W:3:0:λ`.
    case l1Wavelet = "l1-wavelet"

    /// True when the method needs coil sensitivity maps.
    public var needsCoilMaps: Bool { self != .zeroFilled }

    /// The one home of the classical defaults: regularisation λ (on BART-scaled data) and
    /// iterations of CG-SENSE (0.001, 30) and L1-wavelet (0.01, 100); nil for the others.
    public var defaultLambda: Float? {
        switch self {
        case .sense: return 0.001
        case .l1Wavelet: return 0.01
        default: return nil
        }
    }

    /// See `defaultLambda`.
    public var defaultIterations: Int? {
        switch self {
        case .sense: return 30
        case .l1Wavelet: return 100
        default: return nil
        }
    }
}

/// How coil sensitivities are estimated.
public enum CoilMapMethod: String, CaseIterable, Sendable, Codable {
    /// ESPIRiT, checked for object coverage, with a tall-calibration ESPIRiT and then the
    /// low-resolution maps as fallbacks (`AutoCoilMaps`): usable with few centre lines.
    case auto
    /// ESPIRiT, one map set (BART `ecalib -m1`).
    case espirit
    /// Fast fallback: windowed ACS low-resolution images normalised by their RSS.
    case lowres
}
