import Foundation
import MRICore

extension Evaluation {
    /// How well a per-pixel uncertainty map (the posterior standard deviation σ̂) describes the
    /// actual error of a reconstruction x̂ against the target x, over the in-object pixels
    /// O = { (s, i) : x_s,i > 0.1 · max_i x_s,i } (the threshold is taken per slice, so dark
    /// slices count as much as bright ones; background noise, where every method's error is pure
    /// target noise, is left out).
    public struct Calibration: Sendable, Codable, Equatable {
        /// Coverage = |{ (s, i) ∈ O : |x̂ − x| ≤ 1.96·σ̂ }| / |O|. For a Gaussian posterior that
        /// is calibrated pixel by pixel this is 0.95 (the two-sided 95 % interval).
        public var coverage: Double
        /// Pearson correlation of σ̂ with |x̂ − x| over O; nil when either has zero variance on O.
        public var correlation: Double?
        /// |O|, the number of in-object pixels used.
        public var objectPixels: Int
        /// Spearman's rank correlation over O of σ̂ and |x̂ − x|, both first smoothed per slice
        /// with a Gaussian of `regionalSigma` pixels (`GaussianFilter`): whether the map points at the
        /// regions that are wrong (pixelwise, the error is dominated by noise); nil when either is
        /// constant on O.
        public var regionalSpearman: Double? = nil
    }

    /// Standard deviation in pixels of the smoothing before the regional Spearman correlation.
    public static let regionalSigma = 2.0

    /// In-object threshold as a fraction of the slice's target maximum (the default of
    /// `calibration(…, objectThreshold:)` and `mri-daps eval --object-threshold`).
    public static let objectThreshold: Float = 0.1
    /// Half-width of the coverage interval in standard deviations (the 97.5 % normal quantile).
    public static let coverageQuantile: Float = 1.96

    /// Calibration of `standardDeviation` for `prediction` against `target`; all three are the
    /// same shape, `[H, W]` or `[slices, H, W]` (already centre-cropped as the metrics are).
    /// `objectThreshold` (in (0, 1)): in-object = target > objectThreshold × the slice's maximum.
    /// Throws when the shapes differ, the threshold is outside (0, 1) or the target has no
    /// in-object pixel.
    public static func calibration(target: FloatArray, prediction: FloatArray, standardDeviation: FloatArray,
                                   objectThreshold: Float = Evaluation.objectThreshold) throws -> Calibration
    {
        try checkObjectThreshold(objectThreshold)
        guard target.shape == prediction.shape, target.shape == standardDeviation.shape,
              target.shape.count == 2 || target.shape.count == 3
        else {
            throw PipelineError.invalidOption(
                name: "posterior_std",
                reason: "target \(target.shape), reconstruction \(prediction.shape) and std \(standardDeviation.shape) must share one [H, W] or [slices, H, W] shape")
        }
        let plane = target.shape.suffix(2).reduce(1, *)
        let slices = target.count / max(plane, 1)
        var inside = 0, covered = 0
        // Pearson by one pass of shifted sums (the shift — the first pixel's values — keeps the
        // Double sums well conditioned).
        var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
        var shift: (Double, Double)? = nil
        target.storage.withUnsafeBufferPointer { t in
            prediction.storage.withUnsafeBufferPointer { p in
                standardDeviation.storage.withUnsafeBufferPointer { d in
                    for s in 0..<slices {
                        let base = s * plane
                        var peak = -Float.infinity
                        for i in base..<(base + plane) { peak = Swift.max(peak, t[i]) }
                        let cut = objectThreshold * peak
                        for i in base..<(base + plane) where t[i] > cut {
                            let e = abs(p[i] - t[i]), sd = d[i]
                            inside += 1
                            if e <= coverageQuantile * sd { covered += 1 }
                            if shift == nil { shift = (Double(sd), Double(e)) }
                            let x = Double(sd) - shift!.0, y = Double(e) - shift!.1
                            sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y
                        }
                    }
                }
            }
        }
        guard inside > 0 else {
            throw PipelineError.unusableInput(file: "target", reason: "no in-object pixel (target > \(objectThreshold) × slice max) for the calibration")
        }
        let n = Double(inside)
        let vx = sxx - sx * sx / n, vy = syy - sy * sy / n, cxy = sxy - sx * sy / n
        let correlation: Double? = (vx > 0 && vy > 0) ? Swift.min(1, Swift.max(-1, cxy / (vx * vy).squareRoot())) : nil
        return Calibration(coverage: Double(covered) / n, correlation: correlation, objectPixels: inside,
                           regionalSpearman: regionalSpearman(target: target, prediction: prediction, standardDeviation: standardDeviation,
                                                             objectThreshold: objectThreshold))
    }

    /// Spearman's ρ of the smoothed σ̂ and |x̂ − x| over the in-object pixels (see `Calibration`).
    static func regionalSpearman(target: FloatArray, prediction: FloatArray, standardDeviation: FloatArray,
                                 objectThreshold: Float) -> Double? {
        let h = target.shape[target.shape.count - 2], w = target.shape[target.shape.count - 1]
        let plane = h * w, slices = target.count / Swift.max(plane, 1)
        var stds: [Double] = [], errors: [Double] = []
        for s in 0..<slices {
            let range = (s * plane)..<((s + 1) * plane)
            let t = target.storage[range], p = prediction.storage[range]
            let e = zip(t, p).map { Double(abs($1 - $0)) }
            let sd = GaussianFilter.smooth(standardDeviation.storage[range].map(Double.init), height: h, width: w, sigma: regionalSigma)
            let es = GaussianFilter.smooth(e, height: h, width: w, sigma: regionalSigma)
            let cut = objectThreshold * (t.max() ?? 0)
            for (i, v) in t.enumerated() where v > cut {
                stds.append(sd[i]); errors.append(es[i])
            }
        }
        return RankCorrelation.spearman(stds, errors)
    }

    /// Throws unless 0 < t < 1 (NaN included).
    public static func checkObjectThreshold(_ t: Float) throws {
        guard t > 0 && t < 1 else {
            throw PipelineError.invalidOption(name: "object-threshold", reason: "must be in (0, 1) (a fraction of the slice's target maximum), got \(t)")
        }
    }
}
