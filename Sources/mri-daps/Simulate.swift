import ArgumentParser
import Foundation
import MRIPipeline

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Undersample a fully sampled fastMRI file into a fastMRI test-layout file (masked k-space + mask).",
        discussion: "This is a SIMULATION of an accelerated acquisition: the unsampled columns are discarded from fully sampled data.")

    @Argument(help: "Fully sampled fastMRI HDF5 file.") var input: String
    @OptionGroup var maskOptions: MaskOptions
    @Option(name: [.short, .customLong("output")], help: "Output file.") var output: String
    @Flag(help: "Replace an existing output.") var force = false

    func validate() throws {
        if maskOptions.acceleration == nil { throw ValidationError("--accel is required") }
    }

    func run() throws {
        do {
            let s = try Simulation.undersample(input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: output),
                                               plan: try maskOptions.plan(), overwrite: force)
            emit(String(format: "simulated %@: %d slices, mask %@ with %d of %d columns (%d centre), effective %.2f×",
                        s.output.path, s.slices, s.maskKind, s.sampledColumns, s.width, s.numLowFrequencies, s.effectiveAcceleration))
        } catch { fail(error) }
    }
}
