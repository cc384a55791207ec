import ArgumentParser
import MRIPipeline

extension ComputeSettings.FFTPlanning: ExpressibleByArgument {}
extension ComputeSettings.Convolution: ExpressibleByArgument {}

/// `--threads`, `--fft-planning`, `--convolution`: the one compute setting of a command, built
/// here and passed down (docs/performance.md).
struct ComputeOptions: ParsableArguments {
    @Option(help: "Cores to use (default: all). mri-daps's own loops run at most 2 lanes; FFTW and OpenBLAS use the rest.")
    var threads: Int?
    @Option(help: ArgumentHelp("FFTW planning: estimate (default) or measure.", visibility: .hidden))
    var fftPlanning: ComputeSettings.FFTPlanning = .estimate
    @Option(help: ArgumentHelp("Prior 3x3 convolutions: automatic (direct AVX2 kernel when available) or im2col.",
                               visibility: .hidden))
    var convolution: ComputeSettings.Convolution = .automatic

    func validate() throws {
        if let t = threads, !(1...1024).contains(t) { throw ValidationError("--threads must be between 1 and 1024 (got \(t))") }
    }

    /// The settings of a run, applied to the process: a reconstruction's (`forReconstruction`:
    /// one OpenBLAS thread, outputs independent of --threads), else OpenBLAS on every thread.
    func settings(reconstruction: Bool) -> ComputeSettings {
        var c = threads.map(ComputeSettings.threads) ?? .machine
        c.fftPlanning = fftPlanning
        c.convolution = convolution
        if reconstruction { c = c.forReconstruction }
        c.applyToProcess()
        return c
    }
}
