import ArgumentParser
import Foundation
import MRIPipeline

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score reconstructions against a fully sampled file with fastMRI's NMSE, PSNR and SSIM.",
        discussion: """
            Metrics follow fastMRI's evaluate.py: both volumes are centre-cropped to (W, W), W the target width. \
            When a reconstruction file holds 'posterior_std', its calibration is reported too: coverage = fraction of \
            in-object pixels with |reconstruction - target| <= 1.96 * std (ideal 0.95) and the Pearson correlation of std \
            with |error|, and the regional Spearman correlation of the two after a 2-pixel Gaussian smoothing; \
            in-object = target > 10 % of the slice's target maximum (--object-threshold), after the same crop. JSON rows carry coverage, \
            stdErrorCorrelation, regionalSpearman and objectPixels only when the file has 'posterior_std', and always \
            slicePSNR and sliceSSIM (per slice, data range = the target volume's maximum).
            """)

    @Option(help: "Fully sampled fastMRI file holding reconstruction_rss / reconstruction_esc, or fully sampled raw data (ISMRMRD, Siemens TWIX; its reconstruction_rss as convert writes it).") var target: String
    @Argument(help: "Reconstruction files (dataset 'reconstruction').") var reconstructions: [String]
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Also write PNG previews here (reconstruction, std, error map, calibration plot); one sub-folder per reconstruction when there are several.")
    var preview: String?
    @Flag(help: "Replace preview folders mri-daps wrote.") var force = false
    @Option(help: "In-object pixels for the calibration: target > this fraction of the slice's target maximum, in (0, 1).")
    var objectThreshold: Float = Evaluation.objectThreshold

    func run() throws {
        try Evaluation.checkObjectThreshold(objectThreshold)
        try HDF5Probe.check([target] + reconstructions)
        let urls = reconstructions.map { URL(fileURLWithPath: $0) }
        let folders = try preview.map { try DICOMExport.studyFolders(for: urls, in: URL(fileURLWithPath: $0)) }
        for f in folders ?? [] { try PreviewExport.checkDestination(f, overwrite: force, protecting: urls + [URL(fileURLWithPath: target)]) }
        let rows = try Evaluation.evaluate(target: URL(fileURLWithPath: target), reconstructions: urls,
                                           objectThreshold: objectThreshold)
        for (url, folder) in zip(urls, folders ?? []) {
            _ = try PreviewExport.write(.init(reconstruction: url, target: URL(fileURLWithPath: target)), to: folder, overwrite: force)
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            emit(String(decoding: try enc.encode(rows), as: UTF8.self))
        } else {
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
            let calibrated = rows.contains { $0.coverage != nil }
            emit(pad("reconstruction", 36) + pad("method", 12) + "slices        NMSE     PSNR     SSIM"
                 + (calibrated ? "  coverage  corr(std,|err|)  regional Spearman" : ""))
            for r in rows {
                var line = pad((r.file as NSString).lastPathComponent, 36) + pad(r.method ?? "-", 12)
                    + String(format: "%6d  %10.6f  %7.2f  %7.4f", r.slices, r.nmse, r.psnr, r.ssim)
                if calibrated {
                    line += r.coverage.map { String(format: "  %8.4f", $0) } ?? "         -"
                    line += r.stdErrorCorrelation.map { String(format: "  %15.4f", $0) } ?? "                -"
                    line += r.regionalSpearman.map { String(format: "  %17.4f", $0) } ?? "                  -"
                }
                emit(line)
            }
        }
    }
}
