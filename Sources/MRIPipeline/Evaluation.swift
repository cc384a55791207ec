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
public enum Evaluation {
    /// Scores of one reconstruction file.
    public struct Row: Sendable, Codable, Equatable {
        public var file: String
        public var method: String?
        public var slices: Int
        public var nmse: Double
        public var psnr: Double
        public var ssim: Double
    }

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
            let start = Int(try r.attribute("slice_start")?.doubleValue ?? 0)
            guard start >= 0, start + rec.shape[0] <= full.shape[0] else {
                throw PipelineError.unusableInput(file: url.path, reason: "slices \(start)..<\(start + rec.shape[0]) do not fit the target's \(full.shape[0]) slices")
            }
            let method = try r.attribute("method")?.stringValue
            let tw = full.shape[2]
            var gt = [FloatArray](), pred = [FloatArray]()
            for i in 0..<rec.shape[0] {
                let g = full.item(start + i), p = rec.item(i)
                guard p.shape[0] >= min(tw, g.shape[0]), p.shape[1] >= tw else {
                    throw PipelineError.unusableInput(file: url.path, reason: "reconstruction \(p.shape) is smaller than the \(tw)×\(tw) evaluation crop")
                }
                let side = min(tw, g.shape[0])
                gt.append(try CenterCrop.crop(g, height: side, width: tw))
                pred.append(try CenterCrop.crop(p, height: side, width: tw))
            }
            let gv = FloatArray.stacked(gt), pv = FloatArray.stacked(pred)
            rows.append(Row(file: url.path, method: method, slices: rec.shape[0],
                            nmse: ImageQualityMetrics.nmse(target: gv, prediction: pv),
                            psnr: ImageQualityMetrics.psnr(target: gv, prediction: pv),
                            ssim: ImageQualityMetrics.ssim(target: gv, prediction: pv)))
        }
        return rows
    }
}
