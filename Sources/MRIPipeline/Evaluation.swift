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
        /// Spearman correlation of the smoothed posterior_std and |error| (`Calibration.regionalSpearman`).
        public var regionalSpearman: Double? = nil
        /// PSNR and SSIM of each slice, the data range being the target volume's maximum (as for
        /// the volume figures), for the worst slice next to the mean.
        public var slicePSNR: [Double] = []
        public var sliceSSIM: [Double] = []
    }

    /// Name of the optional per-pixel posterior standard deviation dataset.
    public static let standardDeviationDataset = "posterior_std"

    /// Scores every reconstruction against the target volume.
    public static func evaluate(target: URL, reconstructions: [URL], objectThreshold: Float = Evaluation.objectThreshold)
        throws -> [Row]
    {
        guard !reconstructions.isEmpty else {
            throw PipelineError.invalidOption(name: "reconstruction", reason: "give at least one reconstruction file")
        }
        try checkObjectThreshold(objectThreshold)
        let full = try targetVolume(target)
        return try reconstructions.map { try score($0, against: full, objectThreshold: objectThreshold) }
    }

    /// The target volume `(slices, H, W)`: `reconstruction_esc` of single-coil files when
    /// present, else `reconstruction_rss`.
    static func targetVolume(_ target: URL) throws -> FloatArray {
        // Raw scanner data (ISMRMRD, TWIX): the target of its conversion (fully sampled data only).
        let raw = RawInputCache()
        defer { raw.removeAll() }
        let t = try FastMRIFile(contentsOf: try raw.readable(target))
        defer { t.close() }
        let names = t.info.targets.map(\.name)
        let key = t.info.isSingleCoil && names.contains("reconstruction_esc") ? "reconstruction_esc" : "reconstruction_rss"
        guard names.contains(key) else {
            if ISMRMRDConversion.isRawData(target) {
                throw PipelineError.unusableInput(file: target.path, reason: "is undersampled raw data; a target must be fully sampled")
            }
            throw MRIIOError.missingDataset(file: target.path, dataset: key)
        }
        return FloatArray.stacked(try (0..<t.info.slices).map { try t.readTarget(name: key, slice: $0) })
    }

    /// One reconstruction file's datasets, checked against the target's slice count.
    struct Reconstruction {
        let image: FloatArray, standardDeviation: FloatArray?, start: Int, method: String?
    }

    static func readReconstruction(_ url: URL, targetSlices: Int) throws -> Reconstruction {
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
        guard start >= 0, start + rec.shape[0] <= targetSlices else {
            throw PipelineError.unusableInput(file: url.path, reason: "slices \(start)..<\(start + rec.shape[0]) do not fit the target's \(targetSlices) slices")
        }
        var std: FloatArray? = nil
        if r.contains(standardDeviationDataset) {
            let sd = try r.readFloat(standardDeviationDataset)
            guard sd.shape == rec.shape else {
                throw MRIIOError.wrongShape(file: url.path, dataset: standardDeviationDataset,
                                            expected: "\(rec.shape) (the shape of 'reconstruction')", actual: sd.shape)
            }
            std = sd
        }
        return Reconstruction(image: rec, standardDeviation: std, start: start, method: try r.attribute("method")?.stringValue)
    }

    /// A reconstruction `(slices, H, W)`, its std and the target slices `start …` it holds, all
    /// centre-cropped to fastMRI's evaluation crop (min(W, H_target), W), W the target width.
    static func cropped(_ image: FloatArray, _ std: FloatArray?, target full: FloatArray, start: Int, file: URL) throws
        -> (image: FloatArray, std: FloatArray?, target: FloatArray)
    {
        let n = image.shape[0]
        guard start >= 0, start + n <= full.shape[0] else {
            throw PipelineError.unusableInput(file: file.path, reason: "slices \(start)..<\(start + n) do not fit the target's \(full.shape[0]) slices")
        }
        let tw = full.shape[2], side = min(tw, full.shape[1])
        guard image.shape[1] >= side, image.shape[2] >= tw else {
            throw PipelineError.unusableInput(file: file.path, reason: "reconstruction \(Array(image.shape.dropFirst())) is smaller than the \(side)×\(tw) evaluation crop")
        }
        let crop = { (v: FloatArray, offset: Int) in
            FloatArray.stacked(try (0..<n).map { try CenterCrop.crop(v.item(offset + $0), height: side, width: tw) })
        }
        return (try crop(image, 0), try std.map { try crop($0, 0) }, try crop(full, start))
    }

    /// fastMRI's metrics (and the calibration when the file has a standard deviation) of one
    /// reconstruction file, every slice centre-cropped to (min(W, H), W), W the target width.
    static func score(_ url: URL, against full: FloatArray, objectThreshold: Float = Evaluation.objectThreshold) throws -> Row {
        let rec = try readReconstruction(url, targetSlices: full.shape[0])
        let (pv, sd, gv) = try cropped(rec.image, rec.standardDeviation, target: full, start: rec.start, file: url)
        var row = Row(file: url.path, method: rec.method, slices: rec.image.shape[0],
                      nmse: ImageQualityMetrics.nmse(target: gv, prediction: pv),
                      psnr: ImageQualityMetrics.psnr(target: gv, prediction: pv),
                      ssim: ImageQualityMetrics.ssim(target: gv, prediction: pv))
        let range = Double(gv.max)
        for i in 0..<gv.shape[0] {
            let g = gv.item(i), p = pv.item(i)
            row.slicePSNR.append(ImageQualityMetrics.psnr(target: g, prediction: p, dataRange: range))
            row.sliceSSIM.append(ImageQualityMetrics.ssim(target: g, prediction: p, dataRange: range))
        }
        if let sd {
            do {
                let c = try calibration(target: gv, prediction: pv, standardDeviation: sd, objectThreshold: objectThreshold)
                row.coverage = c.coverage
                row.stdErrorCorrelation = c.correlation
                row.objectPixels = c.objectPixels
                row.regionalSpearman = c.regionalSpearman
            } catch PipelineError.unusableInput(_, let reason) {
                throw PipelineError.unusableInput(file: url.path, reason: reason)
            }
        }
        return row
    }
}
