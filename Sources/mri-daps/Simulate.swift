import ArgumentParser
import Foundation
import MRIPipeline

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Undersample a fully sampled fastMRI file, or simulate a multi-coil scan from a magnitude DICOM series, into a fastMRI test-layout file (masked k-space + mask).",
        discussion: """
            This is a SIMULATION of an accelerated acquisition: the unsampled columns are discarded from fully sampled data.
            With a DICOM series (file, folder or DICOMDIR) the multi-coil k-space itself is SIMULATED from the magnitude images: \
            birdcage coil sensitivities, a smooth phase and complex Gaussian noise (the file's `simulated` attribute is 1).
            """)

    @Argument(help: "Fully sampled fastMRI HDF5 file, raw scanner data (ISMRMRD, Siemens TWIX), or a DICOM series: a file, a folder or a DICOMDIR.") var input: String
    @OptionGroup var maskOptions: MaskOptions
    @Option(help: "DICOM input: number of simulated coils.") var coils: Int = 8
    @Option(help: "DICOM input: k-space noise σ relative to the image maximum.") var noise: Double = 0.005
    @Option(help: "DICOM input: SeriesInstanceUID to use when the input holds several series.") var series: String?
    @Option(name: [.short, .customLong("output")], help: "Output file.") var output: String
    @Flag(help: "Replace an existing output.") var force = false

    func validate() throws {
        if maskOptions.acceleration == nil { throw ValidationError("--accel is required") }
        if coils < 1 { throw ValidationError("--coils must be ≥ 1 (got \(coils))") }
        if !(noise >= 0) { throw ValidationError("--noise must be ≥ 0 (got \(noise))") }
    }

    func run() throws {
        try HDF5Probe.check([input])
        let url = URL(fileURLWithPath: input)
        if Simulation.isDICOMInput(url) {
            var o = Simulation.DICOMOptions()
            o.coils = coils
            o.noise = noise
            o.seed = maskOptions.seed ?? 0
            o.seriesInstanceUID = series
            let d = try Simulation.fromDICOM(input: url, output: URL(fileURLWithPath: output), plan: try maskOptions.plan(),
                                             options: o, overwrite: force)
            let s = d.undersampling
            emit("SIMULATION: the k-space in \(s.output.path) is simulated from DICOM magnitude images (\(d.coils) birdcage coils, smooth phase, noise σ \(noise)); it is not a measured acquisition.")
            emit(String(format: "simulated %@: %d slices %d×%d from series %@ ('%@'), acquisition %@, mask %@ with %d of %d columns (%d centre), effective %.2f×",
                        s.output.path, s.slices, d.rows, d.columns, d.seriesInstanceUID ?? "?", d.seriesDescription ?? "",
                        d.acquisition, s.maskKind, s.sampledColumns, s.width, s.numLowFrequencies, s.effectiveAcceleration))
            return
        }
        let s = try Simulation.undersample(input: url, output: URL(fileURLWithPath: output),
                                           plan: try maskOptions.plan(), overwrite: force)
        emit(String(format: "simulated %@: %d slices, mask %@ with %d of %d columns (%d centre), effective %.2f×",
                    s.output.path, s.slices, s.maskKind, s.sampledColumns, s.width, s.numLowFrequencies, s.effectiveAcceleration))
    }
}
