import ArgumentParser
import Foundation
import MRIPipeline

struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write PNG previews of a reconstruction file: per slice the reconstruction, the posterior std and, when known, the mask and the error.",
        discussion: """
            One slice_NNN.png per slice (NNN = the input's slice index). --source (the input the reconstruction was made \
            from) adds the sampling mask recon used; --target (a fully sampled fastMRI file, as for eval) adds the error \
            |reconstruction - target| on the std's colour scale, and, with a posterior std, calibration.png: the fraction of \
            in-object pixels with |error| <= k * std against k, beside the Gaussian ideal. With a target, every panel is \
            centre-cropped as eval crops.
            """)

    @Argument(help: "Reconstruction file written by mri-daps recon.") var reconstruction: String
    @Option(name: [.short, .customLong("out")], help: "Folder for the PNG files (absent or empty unless --force).") var out: String
    @Option(help: "The input the reconstruction was made from (for the mask).") var source: String?
    @Option(help: "Fully sampled fastMRI file (reconstruction_rss / _esc) for the error map and calibration plot.") var target: String?
    @Flag(help: "Replace a preview folder mri-daps wrote.") var force = false

    func run() throws {
        try HDF5Probe.check([reconstruction] + [source, target].compactMap { $0 })
        let request = PreviewExport.Request(reconstruction: URL(fileURLWithPath: reconstruction),
                                            source: source.map { URL(fileURLWithPath: $0) }, target: target.map { URL(fileURLWithPath: $0) })
        let files = try PreviewExport.write(request, to: URL(fileURLWithPath: out), overwrite: force)
        emit("\(reconstruction) → \(out): \(files.count) PNG files")
    }
}
