import DAPS
import MRICore

/// Every parameter of a reconstruction run; recorded in the output file's attributes.
public struct ReconOptions: Sendable {
    /// Method (default DAPS).
    public var method: ReconMethod = .daps
    /// Mask choice (ignored when the file has a `mask`).
    public var mask = MaskPlan()
    /// Slices to reconstruct (nil: all).
    public var slices: Range<Int>? = nil
    /// SVD coil compression to this many virtual coils (nil: the DAPS protocol's
    /// `virtual_coils`, else none; see `virtualCoils(for:)`). A value ≥ the scan's coil count
    /// compresses nothing.
    public var virtualCoils: Int? = nil
    /// Coil-map estimator (nil: the method's default — the DAPS protocol's `coil_maps`, else
    /// `auto`; see `coilMaps(for:)`).
    public var coilMaps: CoilMapMethod? = nil
    /// Regularisation λ (L1-wavelet default 0.01 on BART-scaled data; CG-SENSE default 0.001).
    public var lambda: Float? = nil
    /// Iterations (L1-wavelet default 100; CG-SENSE default 30).
    public var iterations: Int? = nil
    /// Replace existing outputs (only those mri-daps wrote).
    public var overwrite = false
    /// Name outputs `<input stem>_<method>.h5` instead of `<input name>.h5` (recon without
    /// `--out`, writing into the working directory: never the input's own name).
    public var outputNamedByMethod = false
    /// DAPS: `--protocol NAME|PATH` (nil: chosen from anatomy and acceleration).
    public var protocolName: String? = nil
    /// DAPS: command-line overrides of the protocol's fields.
    public var protocolOverrides = ReconProtocol.Overrides()
    /// DAPS: `--prior knee|brain|PATH` (nil: from the file's acquisition, else the protocol's).
    public var prior: String? = nil
    /// DAPS: also write every draw's magnitude as `samples` (slices, draws, H, W).
    public var saveSamples = false
    /// DAPS: the initial estimate the normalisation quantile is taken of.
    public var normalisationEstimate = NormalisationScale.defaultEstimate
    /// Leave the input's identifying attribute (`patient_id`) out of the output file (`--anonymize`).
    public var withholdIdentity = false
    /// Threads and kernels of every operator, solver and network of the run (built by the
    /// command line from `--threads`).
    public var compute = ComputeSettings.machine

    public init() {}

    /// Upper bound of coil counts (virtual coils, simulated coils).
    public static let maxCoils = 1024

    /// Validates ranges; one-line errors naming the option.
    public func validate() throws {
        try mask.validate()
        if let v = virtualCoils, !(1...Self.maxCoils).contains(v) {
            throw PipelineError.invalidOption(name: "coils", reason: "must lie in 1…\(Self.maxCoils) (got \(v))")
        }
        if let l = lambda, !(l >= 0 && l.isFinite) { throw PipelineError.invalidOption(name: "lambda", reason: "must be ≥ 0 (got \(l))") }
        if let i = iterations, !(1...DAPSConfiguration.maxSteps).contains(i) {
            throw PipelineError.invalidOption(name: "iterations", reason: "must lie in 1…\(DAPSConfiguration.maxSteps) (got \(i))")
        }
        if let s = slices, s.lowerBound < 0 || s.isEmpty { throw PipelineError.invalidOption(name: "slices", reason: "empty or negative range \(s)") }
        if method != .daps {
            let dapsOnly = [("protocol", protocolName != nil), ("prior", prior != nil), ("save-samples", saveSamples)]
                + protocolOverrides.fields.filter { $0.flag != "seed" }.map { ($0.flag, true) }
            if let (flag, _) = dapsOnly.first(where: { $0.1 }) {
                throw PipelineError.invalidOption(name: flag, reason: "applies only to --method daps (got --method \(method.rawValue))")
            }
        }
    }

    /// Every option as text, for reports.
    public var parameters: [String: String] {
        var p: [String: String] = [
            "method": method.rawValue, "coil_maps": coilMaps?.rawValue ?? "default", "mask_seed": String(mask.seed),
            "overwrite": String(overwrite),
        ]
        if let r = mask.acceleration { p["accel"] = String(r) }
        if let k = mask.kind { p["mask"] = k.rawValue }
        if let cf = mask.centerFraction { p["center_fraction"] = String(cf) }
        if let s = slices { p["slices"] = "\(s.lowerBound):\(s.upperBound)" }
        if let v = virtualCoils { p["coils"] = String(v) }
        if let l = lambda { p["lambda"] = String(l) }
        if let i = iterations { p["iterations"] = String(i) }
        if method == .daps {
            p["protocol"] = protocolName ?? "auto"
            p["prior"] = prior ?? "auto"
            p["save_samples"] = String(saveSamples)
            p["normalisation_estimate"] = normalisationEstimate.rawValue
            for f in protocolOverrides.fields { p[f.flag.replacingOccurrences(of: "-", with: "_")] = f.value }
        }
        return p
    }
}

extension ReconOptions {
    /// The coil-map estimator a run uses: `--maps` when given, else the DAPS protocol's
    /// `coil_maps` (nil protocol or field: `auto`).
    public func coilMaps(for reconProtocol: ReconProtocol?) -> CoilMapMethod {
        coilMaps ?? reconProtocol?.coilMaps ?? .auto
    }

    /// The coil compression a run uses: `--coils` when given, else the DAPS protocol's
    /// `virtual_coils` (nil: none).
    public func virtualCoils(for reconProtocol: ReconProtocol?) -> Int? {
        virtualCoils ?? reconProtocol?.virtualCoils
    }
}
