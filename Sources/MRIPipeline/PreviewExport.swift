import Foundation
import MRIAcquisition
import MRICore
import MRIIO
import MRIPreview

/// PNG previews of a reconstruction file (`recon --preview`, `mri-daps preview`, `eval
/// --preview`): one `slice_NNN.png` per slice (NNN the input's slice index) with the
/// reconstruction, its posterior standard deviation (when the file has one), the error against a
/// target (when one is given) and the sampling mask (when the input is known); with a target and
/// a standard deviation also `calibration.png`, the coverage of |x̂ − x| ≤ k·σ̂ against k over
/// the in-object pixels, beside the Gaussian ideal. Windows are taken over the whole volume so
/// slices compare; the std and the error share one scale. The folder is written whole or not at
/// all (`PNGFolder`).
public enum PreviewExport {
    /// The previews of one reconstruction.
    public struct Request: Sendable {
        /// The reconstruction file (`reconstruction`, optional `posterior_std`).
        public var reconstruction: URL
        /// The input it was made from (readable fastMRI layout): the mask, as recon chose it.
        public var source: URL?
        /// A fully sampled file with `reconstruction_rss`/`_esc`: error maps and calibration.
        public var target: URL?
        public init(reconstruction: URL, source: URL? = nil, target: URL? = nil) {
            (self.reconstruction, self.source, self.target) = (reconstruction, source, target)
        }
    }

    /// Slices per run of `k` values of the calibration curve (0 … 3 in steps of 0.05).
    static let coverageScales = stride(from: 0.0, through: 3.0, by: 0.05).map { $0 }

    /// Throws what `write` would throw about `directory` itself, before any work.
    public static func checkDestination(_ directory: URL, overwrite: Bool, protecting protected: [URL] = []) throws {
        try PNGFolder.checkDestination(directory, overwrite: overwrite, protecting: protected)
    }

    /// Renders the previews of `request` into `directory`; returns the written files.
    @discardableResult
    public static func write(_ request: Request, to directory: URL, overwrite: Bool = false,
                             protecting protected: [URL] = []) throws -> [URL] {
        let images = try render(request)
        try TemporaryOutputs.createFolders(directory.deletingLastPathComponent())
        return try PNGFolder.write(images, to: directory, software: ReconPipeline.softwareVersion, overwrite: overwrite,
                                   protecting: protected + [request.reconstruction] + [request.source, request.target].compactMap { $0 })
    }

    /// The images of `request`, not yet written.
    public static func render(_ request: Request) throws -> [PNGFolder.Image] {
        let recon = try ReconstructionFile(contentsOf: request.reconstruction)
        let a = recon.attributes
        let start = Int(a["slice_start"]?.doubleValue ?? 0)
        let mask = try request.source.flatMap { try self.mask(source: $0, attributes: a) }
        var (image, std, target) = (recon.reconstruction, recon.posteriorStd, FloatArray?.none)
        if let t = request.target {
            (image, std, target) = try Evaluation.cropped(image, std, target: try Evaluation.targetVolume(t), start: start,
                                                          file: request.reconstruction)
        }
        let (slices, rows, columns) = (image.shape[0], image.shape[1], image.shape[2])
        let error = target.map { t in FloatArray(shape: image.shape, storage: zip(image.storage, t.storage).map { abs($0 - $1) }) }
        let meanWindow = PreviewWindow.robust(image.storage)
        let sharedScale = PreviewWindow.fromZero((std?.storage ?? []) + (error?.storage ?? []))
        let title = "\(a["input_file"]?.stringValue ?? request.reconstruction.lastPathComponent)  \(a["method"]?.stringValue ?? "")"
            + (a["acceleration"]?.doubleValue.map { String(format: "  R=%.2f", $0) } ?? "")
        var images = [PNGFolder.Image]()
        for k in 0..<slices {
            var panels = [PreviewFigure.Panel(title: std == nil ? "RECONSTRUCTION" : "POSTERIOR MEAN",
                                              values: image.item(k).storage, window: meanWindow,
                                              colormap: .gray, colourBar: false)]
            if let std {
                panels.append(.init(title: "POSTERIOR STD", values: std.item(k).storage, window: sharedScale, colormap: .viridis, colourBar: true))
            }
            if let error {
                panels.append(.init(title: "|ERROR|", values: error.item(k).storage, window: sharedScale, colormap: .viridis, colourBar: true))
            }
            let figure = PreviewFigure.render(title: "\(title)  slice \(start + k)", rows: rows, columns: columns, panels: panels, mask: mask)
            images.append(PNGFolder.Image(name: String(format: "slice_%03d.png", start + k), width: figure.width,
                                          height: figure.height, rgb: figure.pixels, description: "\(title) slice \(start + k)"))
        }
        if let target, let std {
            let curve = try coverageCurve(target: target, prediction: image, standardDeviation: std)
            let at196 = try Evaluation.calibration(target: target, prediction: image, standardDeviation: std).coverage
            let plot = CoveragePlot.render(title: String(format: "%@: coverage %.3f at 1.96 std (ideal 0.95)", title, at196), curve: curve)
            images.append(PNGFolder.Image(name: "calibration.png", width: plot.width, height: plot.height, rgb: plot.pixels,
                                          description: String(format: "%@ calibration: coverage %.4f at 1.96 std", title, at196)))
        }
        return images
    }

    /// (k, fraction of in-object pixels with |x̂ − x| ≤ k·σ̂) over `coverageScales`, with the
    /// in-object set of `Evaluation.calibration` (target above 10 % of its slice maximum).
    static func coverageCurve(target: FloatArray, prediction: FloatArray, standardDeviation: FloatArray) throws
        -> [(k: Double, coverage: Double)]
    {
        let plane = target.shape[1] * target.shape[2]
        var ratios = [Float]()
        for s in 0..<target.shape[0] {
            let t = target.storage[(s * plane)..<((s + 1) * plane)]
            let cut = Evaluation.objectThreshold * (t.max() ?? 0)
            for i in (s * plane)..<((s + 1) * plane) where target.storage[i] > cut {
                let e = abs(prediction.storage[i] - target.storage[i]), sd = standardDeviation.storage[i]
                ratios.append(sd > 0 ? e / sd : (e == 0 ? 0 : .infinity))
            }
        }
        guard !ratios.isEmpty else {
            throw PipelineError.unusableInput(file: "target", reason: "no in-object pixel for the calibration plot")
        }
        ratios.sort()
        var curve = [(k: Double, coverage: Double)]()
        var i = 0
        for k in coverageScales {
            while i < ratios.count && Double(ratios[i]) <= k { i += 1 }
            curve.append((k, Double(i) / Double(ratios.count)))
        }
        return curve
    }

    /// The mask recon used for `source`: its stored `mask`, else the one the recorded mask
    /// attributes generate (`mask_type`, `nominal_acceleration`, `center_fraction`, `seed`);
    /// nil when the reconstruction was fully sampled.
    static func mask(source: URL, attributes a: [String: HDF5AttributeValue]) throws -> PreviewFigure.Mask? {
        let info = try FastMRIFile.inspect(source)
        guard a["mask_source"]?.stringValue != "none" else { return nil }
        var plan = MaskPlan(acceleration: a["nominal_acceleration"]?.doubleValue,
                            kind: a["mask_type"].flatMap { MaskKind(rawValue: $0.stringValue) },
                            centerFraction: a["center_fraction"]?.doubleValue)
        if case .integer(let seed)? = a["seed"] { plan.seed = UInt64(bitPattern: seed) }
        let name = a["input_file"]?.stringValue ?? source.lastPathComponent
        guard let m = try ReconPipeline.sampling(info: info, plan: plan, fileName: name).mask else { return nil }
        return m.isTwoDimensional ? .plane(rows: m.shape[0], columns: m.shape[1], sampled: m.sampled) : .columns(m.columns)
    }
}
