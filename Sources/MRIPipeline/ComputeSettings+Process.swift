import MRICore

/// The compute settings of a run, as the command line builds them (`--threads`, …).
public typealias ComputeSettings = MRICore.ComputeSettings

extension ComputeSettings {
    /// The settings of a reconstruction (or a benchmark of one): one OpenBLAS thread. The prior
    /// parallelises by itself, and OpenBLAS splits its level-3 work (ESPIRiT's Gram matrix and
    /// eigendecomposition, coil compression) by its thread count, which changes the rounding at
    /// fastMRI sizes: with one thread every output is the same for any `--threads` (tested), so
    /// the shards of tasks with different CPU counts merge bitwise into what one run writes.
    public var forReconstruction: ComputeSettings {
        var c = self
        c.blasThreads = 1
        return c
    }

    /// Applies the process-wide parts: the allocator's settings (`Allocator`), OpenBLAS's
    /// kernels (`BLAS.selectKernels`) and thread count. Called once by the command line before
    /// any work; libraries never change them.
    public func applyToProcess() {
        Allocator.tuneForLargeArrays()
        BLAS.selectKernels()
        BLAS.setThreads(blasThreads)
    }
}
