import ArgumentParser
import Foundation
import MRIPipeline

struct Recon: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconstruct fastMRI files; one reconstruction file per input, in --out (else the working directory).",
        discussion: """
            The default method, daps, draws posterior samples with a diffusion prior and writes their mean \
            magnitude (reconstruction) and per-pixel standard deviation (posterior_std). The protocol (built in: \
            \(ReconProtocol.builtInNames.joined(separator: ", "))) is chosen from the anatomy and acceleration \
            unless --protocol is given; every protocol field can be overridden by the flags below.
            """)

    @Argument(help: "fastMRI HDF5 file(s): fully sampled (give --accel to undersample) or already undersampled (mask in file).")
    var files: [String]
    @OptionGroup var maskOptions: MaskOptions
    @Option(help: "Method.") var method: ReconMethod = .daps
    @Option(help: "Coil maps: auto = ESPIRiT with fallbacks for few centre lines; for one coil, lowres = the phase of its low-resolution image, the others unit maps (default: the DAPS protocol's coil_maps, auto for the other methods).")
    var maps: CoilMapMethod?
    @Option(help: "Compress to N virtual coils (SVD; default: the DAPS protocol's virtual_coils, else none; N ≥ the scan's coils: none).") var coils: Int?
    @Option(help: "Regularisation λ (l1-wavelet default \(ReconMethod.l1Wavelet.defaultLambda!), sense \(ReconMethod.sense.defaultLambda!)).")
    var lambda: Float?
    @Option(help: "Iterations (l1-wavelet default \(ReconMethod.l1Wavelet.defaultIterations!), sense \(ReconMethod.sense.defaultIterations!)).")
    var iterations: Int?
    @Option(help: "Slice range a:b (half-open, 0-based).") var slices: String?
    @Option(help: "Output directory: one <input name>.h5 per input (default: the working directory, as <input name>_<method>.h5).")
    var out: String?
    @Flag(help: "Replace existing outputs that mri-daps wrote (never other files).") var force = false
    @Option(help: "Run N worker processes, each on one slice range of one input (threads split between them); outputs equal those of --jobs 1.")
    var jobs: Int = 1

    // DAPS
    @Option(help: "daps: prior knee, brain or a .safetensors path (default: from the file's acquisition, else the protocol's).")
    var prior: String?
    @Option(name: .customLong("protocol"), help: "daps: protocol name or .json path (default: <anatomy>-<4|8>x, the fast preset nearest the acceleration).")
    var reconProtocol: String?
    @OptionGroup var daps: DAPSOverrideOptions
    @OptionGroup var compute: ComputeOptions
    @Flag(help: "daps: also write every draw's magnitude as 'samples' (slices, draws, H, W).") var saveSamples = false
    @Option(help: "Write a JSON report (timings per stage, every parameter) to this path.") var report: String?
    @Option(help: "Memory the run may use, in GB (default: what the system has available); a run estimated to need more is refused before it starts.")
    var memoryLimit: Double?
    @Option(help: "Also write PNG previews here: per slice the reconstruction, the posterior std with a colour bar and the sampling mask; with several inputs, one sub-folder per input.")
    var preview: String?
    // DICOM output
    @Option(help: "Also write each reconstruction as a DICOM study here (mean MR, std MR, std Parametric Map); with several inputs, one sub-folder per input.")
    var dicom: String?
    @OptionGroup var identity: DICOMIdentityOptions
    @Option(help: "Send each DICOM study (needs --dicom) to a PACS: dicom://CALLED_AET@host:port or http(s)://host:port/dicom-web.")
    var send: String?
    @OptionGroup var network: DICOMSendOptions

    func validate() throws {
        if let c = coils, c < 1 { throw ValidationError("--coils must be ≥ 1") }
        if let i = iterations, i < 1 { throw ValidationError("--iterations must be ≥ 1") }
        if let l = lambda, !(l >= 0) { throw ValidationError("--lambda must be ≥ 0") }
        if let s = slices, Self.parseRange(s) == nil { throw ValidationError("--slices: expected a:b with 0 ≤ a < b (got '\(s)')") }
        if let m = memoryLimit, !(m > 0 && m.isFinite) { throw ValidationError("--memory-limit must be > 0 GB (got \(m))") }
        if send != nil && dicom == nil { throw ValidationError("--send needs --dicom DIR (the study is written, kept and then sent)") }
        if !(1...256).contains(jobs) { throw ValidationError("--jobs must be between 1 and 256 (got \(jobs))") }
    }

    static func parseRange(_ s: String) -> Range<Int>? {
        let p = s.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 2, let a = Int(p[0]), let b = Int(p[1]), a >= 0, b > a else { return nil }
        return a..<b
    }

    /// Every reconstruction option, as the pipeline takes them.
    func reconOptions() throws -> ReconOptions {
        var o = ReconOptions()
        o.method = method
        o.coilMaps = maps
        o.virtualCoils = coils
        o.lambda = lambda
        o.iterations = iterations
        o.withholdIdentity = identity.anonymize
        o.slices = slices.flatMap(Self.parseRange)
        o.overwrite = force
        o.outputNamedByMethod = out == nil
        o.prior = prior
        o.protocolName = reconProtocol
        o.saveSamples = saveSamples
        o.protocolOverrides = daps.overrides(seed: method == .daps ? maskOptions.seed : nil)
        o.mask = try maskOptions.plan()
        o.compute = compute.settings(reconstruction: true)
        return o
    }

    /// The job of this command line (the sender's credentials and CA file are checked now).
    func makeJob() throws -> ReconJob {
        var job = ReconJob(pipeline: ReconPipeline(options: try reconOptions()), inputs: files.map { URL(fileURLWithPath: $0) },
                           outputDirectory: URL(fileURLWithPath: out ?? FileManager.default.currentDirectoryPath))
        job.memoryLimit = memoryLimit.map { Int(min($0, 1e9) * Double(1 << 30)) }
        job.dicom = dicom.map { URL(fileURLWithPath: $0) }
        job.dicomOptions = identity.options(overwrite: force)
        job.sender = try send.map { try network.sender(to: $0) }
        job.report = report.map { URL(fileURLWithPath: $0) }
        job.preview = preview.map { URL(fileURLWithPath: $0) }
        return job
    }

    func run() throws {
        try HDF5Probe.check(files)
        try execute()
    }

    /// The run after the inputs were probed (a cohort task's input was probed when it was planned).
    func execute() throws {
        let job = try makeJob()
        let plan = try job.check()  // everything else before the first slice
        if jobs > 1 {
            let threads = compute.threads ?? ProcessInfo.processInfo.activeProcessorCount
            let split = LocalCohort.split(jobs: jobs, threads: threads, usesPrior: method == .daps)
            if split.workers > 1 { return try runWorkers(job: job, plan: plan, split: split) }
            status("--jobs \(jobs): one worker (daps keeps 2 threads per worker, \(threads) cores): running in this process")
        }

        let display = ProgressDisplay()
        let count = files.count
        let label: @Sendable (Int) -> String = { n in count > 1 ? "[\(n + 1)/\(count)] " : "" }
        let bar: (Int) -> (@Sendable (ReconPipeline.Progress) -> Void)? = { n in
            guard display.isTerminal else { return nil }
            let text = label(n)
            return { @Sendable (p: ReconPipeline.Progress) in display.update(p, label: text) }
        }
        try job.run(
            plan, progress: { (n: Int, line: String) in if !display.isTerminal { status(label(n) + line) } }, events: bar
        ) { event in try handle(event, display: display) }
    }

    /// Prints what the job reports; a failed delivery ends the command (exit 1).
    func handle(_ event: ReconJob.Event, display: ProgressDisplay? = nil) throws {
        switch event {
        case .reconstructed(let n, let s):
            display?.finish()
            emit(Self.summaryLine(s, input: files[n], method: method))
        case .exported(_, let recon, let d):
            emit("\(recon.path) → \(d.result.directory.path): DICOM study \(d.result.studyInstanceUID), "
                 + "\(d.result.series.count) series, \(d.fileCount) files")
        case .delivered(_, let study, let sent):
            if !Send.printReport(sent, directory: study.path) { throw ExitCode.failure }
        case .previewed(_, let folder, let written):
            emit("previews → \(folder.path): \(written.count) PNG files")
        }
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
