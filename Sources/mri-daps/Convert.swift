import ArgumentParser
import Foundation
import MRIPipeline

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert raw data (ISMRMRD or Siemens TWIX, Cartesian 2-D) into a fastMRI-layout file that every command reads.",
        discussion: """
            k-space on the header's encoded matrix (readout oversampling kept; recon removes it), averages averaged, \
            calibration lines kept; missing lines (undersampling, partial Fourier) are written as a 'mask'. Noise \
            acquisitions prewhiten the coils (unless --no-prewhiten); other non-imaging acquisitions are left out. \
            Non-Cartesian, 3-D and EPI data are refused.
            """)

    @Argument(help: "ISMRMRD HDF5 file (/dataset/xml + /dataset/data) or Siemens TWIX .dat (VB, VD/VE).") var input: String
    @Option(name: [.short, .customLong("out")], help: "fastMRI-layout output file.") var out: String
    @Option(help: "Repetition to convert (default 0).") var repetition = 0
    @Option(help: "Contrast (echo) to convert (default 0).") var contrast = 0
    @Option(help: "TWIX VD/VE: the measurement to convert (default: the last, the image scan).") var measurement: Int?
    @Flag(help: "Keep the coils as acquired instead of whitening them with the noise acquisitions.") var noPrewhiten = false
    @Flag(help: "Replace an existing output written by mri-daps.") var force = false

    func validate() throws {
        if repetition < 0 || contrast < 0 || (measurement ?? 0) < 0 {
            throw ValidationError("--repetition, --contrast and --measurement must be ≥ 0")
        }
    }

    func run() throws {
        try HDF5Probe.check([input])
        var o = ISMRMRDConversion.Options()
        o.repetition = repetition
        o.contrast = contrast
        o.prewhiten = !noPrewhiten
        o.measurement = measurement
        let s = try ISMRMRDConversion.convert(URL(fileURLWithPath: input), to: URL(fileURLWithPath: out), options: o,
                                              overwrite: force)
        let unit = s.maskSize > s.width ? "(ky, kz) positions" : "lines"
        let sampling = s.sampledLines.map { "\($0) of \(s.maskSize) \(unit) sampled" } ?? "fully sampled"
        emit("converted \(input) → \(s.output.path): \(s.slices) slice(s), \(s.coils) coils, \(s.height) × \(s.width), \(sampling), \(s.noiseAcquisitions) noise acquisition(s)\(s.prewhitened ? ", coils prewhitened" : "")")
    }
}
