import ArgumentParser
import Foundation
import MRIPipeline

struct Recon: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconstruct fastMRI files; one reconstruction file per input, named after it, in --out.",
        discussion: """
            The default method, daps, draws posterior samples with a diffusion prior and writes their mean \
            magnitude (reconstruction) and per-pixel standard deviation (posterior_std). The protocol (built in: \
            \(ReconProtocol.builtInNames.joined(separator: ", "))) is chosen from the anatomy and acceleration \
            unless --protocol is given; every protocol field can be overridden by the flags below.
            """)

    @Argument(help: "fastMRI HDF5 file(s): fully sampled (give --accel to undersample) or already undersampled (mask in file).")
    var files: [String]
    @OptionGroup var maskOptions: MaskOptions
    @Option(help: "Method: \(ReconMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: String = ReconMethod.daps.rawValue
    @Option(help: "Coil maps: auto (ESPIRiT with fallbacks for few centre lines), espirit, lowres (default: the DAPS protocol's coil_maps, auto for the other methods).") var maps: String?
    @Option(help: "Compress to N virtual coils (SVD; default: the DAPS protocol's virtual_coils, else none; N ≥ the scan's coils: none).") var coils: Int?
    @Option(help: "Regularisation λ (l1-wavelet default 0.01, sense 0.001).") var lambda: Float?
    @Option(help: "Iterations (l1-wavelet default 100, sense 30).") var iterations: Int?
    @Option(help: "Slice range a:b (half-open, 0-based).") var slices: String?
    @Option(help: "Output directory: one <input name>.h5 per input (default: the working directory, as <input name>_<method>.h5).")
    var out: String?
    @Flag(help: "Replace existing outputs that mri-daps wrote (never other files).") var force = false

    // DAPS
    @Option(help: "daps: prior knee, brain or a .safetensors path (default: from the file's acquisition, else the protocol's).")
    var prior: String?
    @Option(name: .customLong("protocol"), help: "daps: protocol name or .json path (default: <anatomy>-<4|8>x, the fast preset nearest the acceleration).")
    var reconProtocol: String?
    @Option(help: "daps: posterior draws per slice.") var samples: Int?
    @Option(help: "daps: annealing steps N_A.") var annealingSteps: Int?
    @Option(help: "daps: probability-flow ODE steps N_ODE per annealing step.") var odeSteps: Int?
    @Option(help: "daps: conditional step, langevin or gaussian-cg.") var conditional: String?
    @Option(help: "daps (langevin): step size lr.") var lr: Double?
    @Option(help: "daps (langevin): final lr as a fraction of lr (linear decay).") var lrMinRatio: Double?
    @Option(help: "daps (langevin): Langevin steps N_L per annealing step.") var langevinSteps: Int?
    @Option(help: "daps: likelihood temperature τ.") var tau: Double?
    @Option(help: "daps (gaussian-cg): CG iterations.") var cgIterations: Int?
    @Option(help: "daps: largest noise level σ_max.") var sigmaMax: Double?
    @Option(help: "daps: smallest annealing noise level σ_min.") var sigmaMin: Double?
    @Option(help: "daps: calibration factor k of posterior_std (k × the across-draw std; default: the protocol's).") var uncertaintyScale: Double?
    @Flag(help: "daps: also write every draw's magnitude as 'samples' (slices, draws, H, W).") var saveSamples = false
    @Option(help: "Write a JSON report (timings per stage, every parameter) to this path.") var report: String?
    @Option(help: "Memory the run may use, in GB (default: what the system has available); a run estimated to need more is refused before it starts.")
    var memoryLimit: Double?
    // DICOM output
    @Option(help: "Also write each reconstruction as a DICOM study here (mean MR, std MR, std Parametric Map); with several inputs, one sub-folder per input.")
    var dicom: String?
    @OptionGroup var identity: DICOMIdentityOptions
    @Option(help: "Send each DICOM study (needs --dicom) to a PACS: dicom://CALLED_AET@host:port or http(s)://host:port/dicom-web.")
    var send: String?
    @OptionGroup var network: DICOMSendOptions

    func validate() throws {
        guard let m = ReconMethod(rawValue: method) else {
            throw ValidationError("--method: unknown method '\(method)' (choose from \(ReconMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let m = maps, CoilMapMethod(rawValue: m) == nil { throw ValidationError("--maps: choose auto, espirit or lowres") }
        if let c = coils, c < 1 { throw ValidationError("--coils must be ≥ 1") }
        if let i = iterations, i < 1 { throw ValidationError("--iterations must be ≥ 1") }
        if let l = lambda, !(l >= 0) { throw ValidationError("--lambda must be ≥ 0") }
        if let s = slices, Self.parseRange(s) == nil { throw ValidationError("--slices: expected a:b with 0 ≤ a < b (got '\(s)')") }
        if let c = conditional, !ReconProtocol.conditionalMethods.contains(c) {
            throw ValidationError("--conditional: choose \(ReconProtocol.conditionalMethods.joined(separator: " or ")) (got '\(c)')")
        }
        for (flag, value) in [("samples", samples), ("annealing-steps", annealingSteps), ("ode-steps", odeSteps),
                              ("langevin-steps", langevinSteps), ("cg-iterations", cgIterations)] {
            if let v = value, v < 1 { throw ValidationError("--\(flag) must be ≥ 1 (got \(v))") }
        }
        for (flag, value) in [("lr", lr), ("lr-min-ratio", lrMinRatio), ("tau", tau), ("sigma-max", sigmaMax), ("sigma-min", sigmaMin)] {
            if let v = value, !(v > 0 && v.isFinite) { throw ValidationError("--\(flag) must be > 0 (got \(v))") }
        }
        if let m = memoryLimit, !(m > 0 && m.isFinite) { throw ValidationError("--memory-limit must be > 0 GB (got \(m))") }
        if send != nil && dicom == nil { throw ValidationError("--send needs --dicom DIR (the study is written, kept and then sent)") }
        _ = m
    }

    static func parseRange(_ s: String) -> Range<Int>? {
        let p = s.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 2, let a = Int(p[0]), let b = Int(p[1]), a >= 0, b > a else { return nil }
        return a..<b
    }

    func run() throws {
        var o = ReconOptions()
        o.method = ReconMethod(rawValue: method)!
        o.coilMaps = maps.flatMap(CoilMapMethod.init(rawValue:))
        o.virtualCoils = coils
        o.lambda = lambda
        o.iterations = iterations
        o.slices = slices.flatMap(Self.parseRange)
        o.overwrite = force
        o.outputNamedByMethod = out == nil
        o.prior = prior
        o.protocolName = reconProtocol
        o.saveSamples = saveSamples
        var v = ReconProtocol.Overrides()
        v.samples = samples
        v.annealingSteps = annealingSteps
        v.odeSteps = odeSteps
        v.conditional = conditional
        v.lr = lr
        v.lrMinRatio = lrMinRatio
        v.langevinSteps = langevinSteps
        v.tau = tau
        v.cgIterations = cgIterations
        v.sigmaMax = sigmaMax
        v.sigmaMin = sigmaMin
        v.uncertaintyScale = uncertaintyScale
        v.seed = o.method == .daps ? maskOptions.seed : nil
        o.protocolOverrides = v
        do {
            o.mask = try maskOptions.plan()
            let inputs = files.map { URL(fileURLWithPath: $0) }
            let outDir = URL(fileURLWithPath: out ?? FileManager.default.currentDirectoryPath)
            let pipeline = ReconPipeline(options: o)
            // Everything is checked before the first slice: inputs, outputs, DICOM, PACS, report.
            _ = try ReconPreflight(pipeline: pipeline, memoryLimit: memoryLimit.map { Int(min($0, 1e9) * Double(1 << 30)) })
                .check(inputs: inputs, outputDirectory: outDir)
            var exportOptions = identity.options(overwrite: force)
            exportOptions.protectedPaths = [outDir] + inputs
            let studies = try dicom.map { try Self.checkStudyFolders(URL(fileURLWithPath: $0), inputs: inputs, options: exportOptions) }
            let sender = try send.map { try network.sender(to: $0) }  // credentials and CA file too
            if let path = report { try ReconReport.checkDestination(URL(fileURLWithPath: path), overwrite: force) }

            var reports = [ReconReport.File]()
            let display = ProgressDisplay()
            for (n, input) in inputs.enumerated() {
                let label = files.count > 1 ? "[\(n + 1)/\(files.count)] " : ""
                let terminal = display.isTerminal
                let events: (@Sendable (ReconPipeline.Progress) -> Void)?
                if terminal {
                    events = { (p: ReconPipeline.Progress) in display.update(p, label: label) }
                } else {
                    events = nil
                }
                let s = try pipeline.run(
                    input: input, outputDirectory: outDir,
                    progress: { (line: String) in if !terminal { status(label + line) } }, events: events)
                display.finish()
                reports.append(s.report)
                emit(Self.summaryLine(s, input: files[n], method: o.method))
                if let studies {
                    let d = try DICOMExport.export(reconstructionFile: s.output, source: input, to: studies[n], options: exportOptions)
                    emit("\(s.output.path) → \(d.result.directory.path): DICOM study \(d.result.studyInstanceUID), "
                         + "\(d.result.series.count) series, \(d.fileCount) files")
                    if let sender {
                        let sent = try sender.send(directory: d.result.directory)
                        if !Send.printReport(sent, directory: d.result.directory.path) { Foundation.exit(1) }
                    }
                }
            }
            if let path = report {
                try ReconReport(parameters: o.parameters, files: reports).write(to: URL(fileURLWithPath: path))
            }
        } catch { fail(error) }
    }

    /// The study folder of each input, each checked (UID root, ownership, protected paths)
    /// before any work; with several inputs a new container folder is checked instead (the
    /// export creates it).
    static func checkStudyFolders(_ dicom: URL, inputs: [URL], options: DICOMExport.Options) throws -> [URL] {
        let folders = try DICOMExport.studyFolders(for: inputs, in: dicom)
        let containerExists = FileManager.default.fileExists(atPath: dicom.path)
        for f in inputs.count > 1 && !containerExists ? [dicom] : folders {
            try DICOMExport.checkDestination(f, options: options)
        }
        return folders
    }

    /// The one-line summary of a reconstructed input.
    static func summaryLine(_ s: ReconPipeline.Summary, input: String, method: ReconMethod) -> String {
        var line = String(format: "%@ → %@: %@, %d slices %@, %d/%d columns (%@ mask, %d centre, %.2f×), %.1f s",
                          input, s.output.path, method.rawValue, s.slices, s.outputShape.description, s.sampledColumns, s.width,
                          s.maskSource, s.numLowFrequencies, s.effectiveAcceleration, s.seconds)
        if let p = s.report.reconProtocol, let prior = s.report.prior {
            line += ", protocol \(p.name), prior \(prior.name), \(p.samples) draws"
        }
        return line
    }
}
