import Foundation
import MRIAcquisition
import MRICore
import MRIIO

/// `mri-daps eval`: fastMRI's `evaluate.py` on one target file and reconstruction files.
///
/// Target: `reconstruction_rss` (multi-coil) or `reconstruction_esc` (single-coil) of the
/// fully sampled file; prediction: `reconstruction` of each reconstruction file. Both volumes are
/// centre-cropped to (W_t, W_t), W_t the target width, then NMSE, PSNR (data range = target
/// volume max) and SSIM (mean over slices) are computed per volume (`ImageQualityMetrics`).
/// A reconstruction of a slice range (`slice_start` attribute) is compared with those slices.
///
/// When a reconstruction file also holds `posterior_std` (same shape as `reconstruction`), the
/// uncertainty map is centre-cropped the same way and scored by `calibration(target:prediction:standardDeviation:)`:
/// coverage of the 1.96·σ̂ interval and the correlation of σ̂ with |error| over the in-object
/// pixels (target > 10 % of its slice's maximum).
public enum Evaluation {
    /// Scores of one reconstruction file.
    public struct Row: Sendable, Codable, Equatable {
        public var file: String
        public var method: String?
        public var slices: Int
        public var nmse: Double
        public var psnr: Double
        public var ssim: Double
        /// Fraction of in-object pixels with |reconstruction − target| ≤ 1.96·posterior_std
        /// (ideal 0.95); nil when the file has no `posterior_std`.
        public var coverage: Double? = nil
        /// Pearson correlation of posterior_std with |reconstruction − target| over the in-object
        /// pixels; nil without `posterior_std` (or when either has zero variance there).
        public var stdErrorCorrelation: Double? = nil
        /// Number of in-object pixels the calibration used; nil without `posterior_std`.
        public var objectPixels: Int? = nil
    }

    /// Name of the optional per-pixel posterior standard deviation dataset.
    public static let standardDeviationDataset = "posterior_std"

    /// Scores every reconstruction against the target volume.
    public static func evaluate(target: URL, reconstructions: [URL]) throws -> [Row] {
        guard !reconstructions.isEmpty else {
            throw PipelineError.invalidOption(name: "reconstruction", reason: "give at least one reconstruction file")
        }
        let t = try FastMRIFile(contentsOf: target)
        defer { t.close() }
        let names = t.info.targets.map(\.name)
        let key = t.info.isSingleCoil && names.contains("reconstruction_esc") ? "reconstruction_esc" : "reconstruction_rss"
        guard names.contains(key) else {
            throw MRIIOError.missingDataset(file: target.path, dataset: key)
        }
        var targetSlices = [FloatArray]()
        for s in 0..<t.info.slices { targetSlices.append(try t.readTarget(name: key, slice: s)) }
        let full = FloatArray.stacked(targetSlices)
        var rows = [Row]()
        for url in reconstructions {
            let r = try HDF5File(readingFrom: url)
            defer { r.close() }
            guard r.contains("reconstruction") else { throw MRIIOError.missingDataset(file: url.path, dataset: "reconstruction") }
            let rec = try r.readFloat("reconstruction")
            guard rec.shape.count == 3 else {
                throw MRIIOError.wrongShape(file: url.path, dataset: "reconstruction", expected: "(slices, H, W)", actual: rec.shape)
            }
            let startValue = try r.attribute("slice_start")?.doubleValue ?? 0
            guard let start = Int(exactly: startValue) else {
                throw MRIIOError.badValue(file: url.path, name: "slice_start", reason: "is \(startValue), expected a slice index")
            }
            guard start >= 0, start + rec.shape[0] <= full.shape[0] else {
                throw PipelineError.unusableInput(file: url.path, reason: "slices \(start)..<\(start + rec.shape[0]) do not fit the target's \(full.shape[0]) slices")
            }
            let method = try r.attribute("method")?.stringValue
            var std: FloatArray? = nil
            if r.contains(standardDeviationDataset) {
                let sd = try r.readFloat(standardDeviationDataset)
                guard sd.shape == rec.shape else {
                    throw MRIIOError.wrongShape(file: url.path, dataset: standardDeviationDataset,
                                                expected: "\(rec.shape) (the shape of 'reconstruction')", actual: sd.shape)
                }
                std = sd
            }
            let tw = full.shape[2]
            var gt = [FloatArray](), pred = [FloatArray](), sds = [FloatArray]()
            for i in 0..<rec.shape[0] {
                let g = full.item(start + i), p = rec.item(i)
                guard p.shape[0] >= min(tw, g.shape[0]), p.shape[1] >= tw else {
                    throw PipelineError.unusableInput(file: url.path, reason: "reconstruction \(p.shape) is smaller than the \(tw)×\(tw) evaluation crop")
                }
                let side = min(tw, g.shape[0])
                gt.append(try CenterCrop.crop(g, height: side, width: tw))
                pred.append(try CenterCrop.crop(p, height: side, width: tw))
                if let std { sds.append(try CenterCrop.crop(std.item(i), height: side, width: tw)) }
            }
            let gv = FloatArray.stacked(gt), pv = FloatArray.stacked(pred)
            var row = Row(file: url.path, method: method, slices: rec.shape[0],
                          nmse: ImageQualityMetrics.nmse(target: gv, prediction: pv),
                          psnr: ImageQualityMetrics.psnr(target: gv, prediction: pv),
                          ssim: ImageQualityMetrics.ssim(target: gv, prediction: pv))
            if std != nil {
                do {
                    let c = try calibration(target: gv, prediction: pv, standardDeviation: FloatArray.stacked(sds))
                    row.coverage = c.coverage
                    row.stdErrorCorrelation = c.correlation
                    row.objectPixels = c.objectPixels
                } catch PipelineError.unusableInput(_, let reason) {
                    throw PipelineError.unusableInput(file: url.path, reason: reason)
                }
            }
            rows.append(row)
        }
        return rows
    }
}
