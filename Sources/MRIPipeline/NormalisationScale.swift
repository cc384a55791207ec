import Foundation
import MRIAcquisition
import MRICore

/// The intensity scale s of a slice, by the rule the priors were trained with (Training/README.md):
/// the image is divided by the q-quantile (q = 0.99) of its magnitude, s = quantile_q(|x|), so
/// the prior sees images whose bright tissue is ≈ 1; DAPS samples x/s and the results are
/// multiplied by s.
///
/// At inference the fully sampled image is unknown, so the quantile is taken of an initial
/// estimate from the undersampled data (`Estimate`). Both estimates read low, because the
/// unsampled high frequencies are missing (blur lowers the bright tail). Measured on SampleData
/// (docs/architecture.md, `NormalisationScaleTests`), estimate / fully sampled MVUE quantile:
/// slice 1, CG-SENSE (30 iterations) 0.97 at 4× equispaced, 0.89 at 4× random, 0.86 / 0.84 at 8×;
/// the zero-filled MVUE 0.83 / 0.81 / 0.80 / 0.77. CG-SENSE is used: it costs 30 AᴴA
/// applications (≈ 0.6 s at 320×320×15, small beside the sampler) and stays inside the
/// training's intensity augmentation range U(0.8, 1.2).
public enum NormalisationScale {
    /// The initial estimate the quantile is taken of.
    public enum Estimate: String, Sendable, Codable, CaseIterable {
        /// CG-SENSE, λ = 0.001 on BART-scaled data, 30 iterations (`CGSENSE`'s defaults).
        case cgSENSE = "cg-sense-30"
        /// Aᴴy: the coil-combined zero-filled image (the MVUE of the zero-filled k-space for maps
        /// with Σ|S_c|² = 1).
        case zeroFilled = "zero-filled-mvue"
    }

    /// The estimate used by `mri-daps recon`.
    public static let defaultEstimate = Estimate.cgSENSE

    /// NumPy's default `np.quantile(values, q)` (linear interpolation between order statistics
    /// at position q·(n − 1)); 0 for an empty array.
    public static func quantile(_ values: [Float], _ q: Double) -> Float {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let position = min(max(q, 0), 1) * Double(sorted.count - 1)
        let lo = Int(position.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        let t = position - Double(lo)
        return Float(Double(sorted[lo]) + t * (Double(sorted[hi]) - Double(sorted[lo])))
    }

    /// The initial image estimate `[H, W]` of masked k-space `[coils, H, W]` under `a`.
    public static func initialImage(kspace: ComplexArray, operator a: SENSEOperator, estimate: Estimate) throws -> ComplexArray {
        switch estimate {
        case .cgSENSE:
            return try CGSENSE(lambda: ReconMethod.sense.defaultLambda!, iterations: ReconMethod.sense.defaultIterations!)
                .reconstruct(kspace: kspace, operator: a)
        case .zeroFilled: return a.adjoint(kspace)
        }
    }

    /// s = quantile_q(|x̃|) of the initial estimate x̃; 1 when that is not a positive finite number
    /// (an all-zero slice).
    public static func estimate(kspace: ComplexArray, operator a: SENSEOperator, quantile q: Double,
                                estimate: Estimate = defaultEstimate) throws -> Float {
        let image = try initialImage(kspace: kspace, operator: a, estimate: estimate)
        let s = quantile(image.magnitude.storage, q)
        return s.isFinite && s > 1e-20 ? s : 1
    }
}
