import Foundation
import MRIAcquisition
import MRICore

/// The intensity scale s of a slice, by the rule the priors were trained with (Training/README.md):
/// the image is divided by the q-quantile (q = 0.99) of its magnitude, s = quantile_q(|x|), so
/// the prior sees images whose bright tissue is ≈ 1; DAPS samples x/s and the results are
/// multiplied by s.
///
/// At inference the fully sampled image is unknown, so the quantile is taken of an initial
/// estimate from the undersampled data (`Estimate`). Measured on SampleData (docs/architecture.md,
/// `NormalisationScaleTests`): a 10-iteration CG-SENSE lands within a few per cent of the fully
/// sampled MVUE's quantile at 4× and 8×, whereas the zero-filled MVUE's aliasing biases it.
public enum NormalisationScale {
    /// The initial estimate the quantile is taken of.
    public enum Estimate: String, Sendable, Codable, CaseIterable {
        /// CG-SENSE, λ = 0.001 on BART-scaled data, 10 iterations (`CGSENSE`).
        case cgSENSE = "cg-sense-10"
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
        case .cgSENSE: return try CGSENSE(lambda: 0.001, iterations: 10).reconstruct(kspace: kspace, operator: a)
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
