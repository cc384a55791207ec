import Foundation
import MRICore

/// Fast low-resolution coil sensitivities from the fully sampled centre of k-space
/// (the classic "sum-of-squares normalised low-resolution coil images", e.g. Pruessmann et al.
/// MRM 1999; also the fallback fastMRI's VarNet learns to refine).
///
/// The centred `numLowFrequencies` phase-encode columns and as many centred readout rows
/// (scaled by H/W) are kept with a separable Hann window, everything else zeroed; the inverse
/// centred FFT gives low-resolution coil images l_c, and
///   S_c = l_c / sqrt(Σ_c |l_c|² + ε²),   ε = `regularization`·max RSS,
/// set to zero where the low-resolution RSS is below `maskThreshold`·max RSS.
/// Σ_c |S_c|² ≤ 1 everywhere. Works with as few as ~8 centre lines.
public struct LowResolutionCoilMaps: Sendable {
    /// ε relative to the maximum low-resolution RSS.
    public var regularization: Float
    /// Object-mask threshold relative to the maximum low-resolution RSS (0 keeps everything).
    public var maskThreshold: Float

    /// Threads of the FFT.
    public var compute: ComputeSettings

    public init(regularization: Float = 0.02, maskThreshold: Float = 0.03, compute: ComputeSettings = .machine) {
        self.compute = compute
        self.regularization = regularization
        self.maskThreshold = maskThreshold
    }

    /// Maps `[coils, H, W]` from k-space `[coils, H, W]` with `numLowFrequencies` centre columns.
    public func sensitivityMaps(kspace: ComplexArray, numLowFrequencies: Int) throws -> ComplexArray {
        var low = try lowResolutionImages(kspace: kspace, numLowFrequencies: numLowFrequencies)
        let nc = kspace.shape[0], n = kspace.shape[1] * kspace.shape[2]
        let rss = try RSS.combine(low).storage
        let peak = rss.max() ?? 0
        guard peak > 0 else { throw CoilMapError.noSignal }
        let eps2 = (regularization * peak) * (regularization * peak)
        let cut = maskThreshold * peak
        for i in 0..<n {
            let keep = rss[i] >= cut
            let inv = keep ? 1 / (rss[i] * rss[i] + eps2).squareRoot() : 0
            for c in 0..<nc { low[linear: c * n + i] = low.storage[c * n + i] * inv }
        }
        return low
    }

    /// The phase of one coil's low-resolution image, e^{iφ}, `[1, H, W]` from single-coil k-space
    /// `[1, H, W]`: unit magnitude everywhere (1 where the low-resolution image is exactly zero).
    /// As a "sensitivity" it is a unitary change of variables — the data, their noise and |x| are
    /// unchanged — that demodulates the object's smooth phase, so the image a prior sees is nearly
    /// real, as the RSS-normalised maps of several coils make it (`sensitivityMaps`, whose one-coil
    /// result would also attenuate and cut the background, where a single-coil image has signal).
    public func phaseMap(kspace: ComplexArray, numLowFrequencies: Int) throws -> ComplexArray {
        guard kspace.rank == 3, kspace.shape[0] == 1 else { throw CoilMapError.badShape(kspace.shape) }
        var low = try lowResolutionImages(kspace: kspace, numLowFrequencies: numLowFrequencies)
        guard low.storage.contains(where: { $0.re != 0 || $0.im != 0 }) else { throw CoilMapError.noSignal }
        for i in 0..<low.count {
            let v = low.storage[i]
            let m = (v.re * v.re + v.im * v.im).squareRoot()
            low[linear: i] = m > 0 ? ComplexFloat(v.re / m, v.im / m) : ComplexFloat(1, 0)
        }
        return low
    }

    /// Low-resolution coil images: the Hann-windowed centre of k-space, inverse-transformed.
    private func lowResolutionImages(kspace: ComplexArray, numLowFrequencies: Int) throws -> ComplexArray {
        guard kspace.rank == 3 else { throw CoilMapError.badShape(kspace.shape) }
        guard numLowFrequencies >= 2 else { throw CoilMapError.calibrationTooSmall(width: numLowFrequencies, needed: 2) }
        let nc = kspace.shape[0], h = kspace.shape[1], w = kspace.shape[2]
        let cw = min(numLowFrequencies, w)
        let ch = min(h, max(2, Int((Double(cw) * Double(h) / Double(w)).rounded())))
        let c0 = w / 2 - cw / 2, r0 = h / 2 - ch / 2
        func hann(_ i: Int, _ n: Int) -> Float {
            Float(0.5 - 0.5 * cos(2 * Double.pi * Double(i + 1) / Double(n + 1)))
        }
        var low = ComplexArray(zeros: kspace.shape)
        for c in 0..<nc { for i in 0..<ch { for j in 0..<cw {
            let o = (c * h + r0 + i) * w + c0 + j
            low[linear: o] = kspace.storage[o] * (hann(i, ch) * hann(j, cw))
        } } }
        CenteredFFT.transform(&low, axes: .image, inverse: true, compute: compute)
        return low
    }
}
