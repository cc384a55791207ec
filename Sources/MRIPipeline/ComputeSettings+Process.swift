import MRICore

/// The compute settings of a run, as the command line builds them (`--threads`, …).
public typealias ComputeSettings = MRICore.ComputeSettings

extension ComputeSettings {
    /// The settings of a run that does (`usesPrior`) or does not evaluate the neural prior: the
    /// prior parallelises by itself, so its runs use one OpenBLAS thread.
    public func forRun(usesPrior: Bool) -> ComputeSettings {
        var c = self
        if usesPrior { c.blasThreads = 1 }
        return c
    }

    /// Applies the one process-wide part, OpenBLAS's thread count. Called once by the command
    /// line before any work; libraries never change it.
    public func applyToProcess() {
        BLAS.setThreads(blasThreads)
    }
}
