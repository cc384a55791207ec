/// Every parameter of a reconstruction run; recorded in the output file's attributes.
public struct ReconOptions: Sendable {
    /// Method.
    public var method: ReconMethod = .l1Wavelet
    /// Mask choice (ignored when the file has a `mask`).
    public var mask = MaskPlan()
    /// Slices to reconstruct (nil: all).
    public var slices: Range<Int>? = nil
    /// SVD coil compression to this many virtual coils (nil: none).
    public var virtualCoils: Int? = nil
    /// Coil-map estimator.
    public var coilMaps: CoilMapMethod = .auto
    /// Regularisation λ (L1-wavelet default 0.01 on BART-scaled data; CG-SENSE default 0.001).
    public var lambda: Float? = nil
    /// Iterations (L1-wavelet default 100; CG-SENSE default 30).
    public var iterations: Int? = nil
    /// Replace existing outputs.
    public var overwrite = false

    public init() {}

    /// Validates ranges; one-line errors naming the option.
    public func validate() throws {
        try mask.validate()
        if let v = virtualCoils, v < 1 { throw PipelineError.invalidOption(name: "coils", reason: "must be ≥ 1 (got \(v))") }
        if let l = lambda, !(l >= 0 && l.isFinite) { throw PipelineError.invalidOption(name: "lambda", reason: "must be ≥ 0 (got \(l))") }
        if let i = iterations, i < 1 { throw PipelineError.invalidOption(name: "iterations", reason: "must be ≥ 1 (got \(i))") }
        if let s = slices, s.lowerBound < 0 || s.isEmpty { throw PipelineError.invalidOption(name: "slices", reason: "empty or negative range \(s)") }
    }
}
