import Foundation

/// How one run uses the machine: thread counts for mri-daps's own parallel loops, FFTW and
/// OpenBLAS, the FFTW planning rigour and the convolution kernel. The command line builds one
/// value (`--threads`, `--fft-planning`, `--convolution`) and passes it down to every operator,
/// solver and network it creates; no library reads the environment or picks threads itself.
///
/// OpenBLAS keeps its thread count per process (`openblas_set_num_threads`), so `blasThreads`
/// is applied once, by the command line, through `BLAS.setThreads`. A run that evaluates the
/// neural prior uses one BLAS thread: the prior parallelises by itself (`lanes`) and a
/// multi-threaded sgemm would split its sums differently with the thread count.
public struct ComputeSettings: Sendable, Hashable {
    /// How FFTW chooses its algorithm: by a cost model (`estimate`, instant and deterministic)
    /// or by timing candidates when a plan is first made (`measure`, slower to plan).
    public enum FFTPlanning: String, Sendable, Hashable, CaseIterable {
        case estimate, measure
    }

    /// Which kernel runs the prior's 3×3 convolutions.
    public enum Convolution: String, Sendable, Hashable, CaseIterable {
        /// The direct AVX2 + FMA kernel where the CPU has it, else im2col + sgemm.
        case automatic
        /// im2col + sgemm always (for comparisons).
        case im2col
    }

    /// Cores the run may use (what `threads(_:)` was given; reported by the benchmarks).
    public var threads: Int
    /// Concurrent lanes of mri-daps's own loops: rows of the SENSE kernel, pixel ranges,
    /// convolution row bands, batch halves of the denoiser, shift copies of the FFT.
    public var lanes: Int
    /// Threads inside one FFTW transform.
    public var fftThreads: Int
    /// OpenBLAS threads (applied process-wide by the command line).
    public var blasThreads: Int
    public var fftPlanning: FFTPlanning
    public var convolution: Convolution

    public init(lanes: Int, fftThreads: Int, blasThreads: Int, fftPlanning: FFTPlanning = .estimate,
                convolution: Convolution = .automatic, threads: Int? = nil) {
        self.threads = max(1, threads ?? max(lanes, fftThreads, blasThreads))
        self.lanes = max(1, lanes)
        self.fftThreads = max(1, fftThreads)
        self.blasThreads = max(1, blasThreads)
        self.fftPlanning = fftPlanning
        self.convolution = convolution
    }

    /// `threads` threads: that many FFTW and BLAS threads and `min(threads, 2)` lanes (two
    /// lanes are what the kernels and the denoiser's two network copies are built and measured
    /// for).
    public static func threads(_ threads: Int) -> ComputeSettings {
        ComputeSettings(lanes: min(max(1, threads), 2), fftThreads: threads, blasThreads: threads, threads: threads)
    }

    /// Every core of this machine (`threads(activeProcessorCount)`): the default of the command
    /// line and of library calls that are given no settings.
    public static let machine = ComputeSettings.threads(ProcessInfo.processInfo.activeProcessorCount)

    /// One thread everywhere.
    public static let serial = ComputeSettings(lanes: 1, fftThreads: 1, blasThreads: 1)

    /// For work inside an already parallel loop (the sampler's concurrent draws): one FFTW
    /// thread per transform; the lanes of mri-daps's own loops nest in the same Dispatch pool.
    public var insideParallelLoop: ComputeSettings {
        var c = self
        c.fftThreads = 1
        return c
    }
}
