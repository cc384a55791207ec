import Foundation

/// One `recon` invocation as a sequence of pipeline steps: check everything (`check`), then per
/// input reconstruct → (optional) export the DICOM study → (optional) deliver it to a PACS, and
/// finally write the run report. The command only parses, builds a job, and prints the `Event`s.
public struct ReconJob: Sendable {
    public var pipeline: ReconPipeline
    public var inputs: [URL]
    public var outputDirectory: URL
    /// Memory the run may use (bytes); nil: what the system has available.
    public var memoryLimit: Int?
    /// `--dicom DIR`: one study per input (sub-folders when there are several inputs).
    public var dicom: URL?
    public var dicomOptions = DICOMExport.Options()
    /// `--send`: delivers each study after it is written.
    public var sender: PACSDelivery.Sender?
    /// `--report FILE`.
    public var report: URL?
    /// `--preview DIR`: PNG previews per input (sub-folders when there are several inputs).
    public var preview: URL?

    public init(pipeline: ReconPipeline, inputs: [URL], outputDirectory: URL) {
        self.pipeline = pipeline
        self.inputs = inputs
        self.outputDirectory = outputDirectory
    }

    /// What the job reports as it goes.
    public enum Event: Sendable {
        /// An input was reconstructed (`index` in `inputs`).
        case reconstructed(index: Int, ReconPipeline.Summary)
        /// Its DICOM study was written.
        case exported(index: Int, reconstruction: URL, DICOMExport.Summary)
        /// Its study was delivered (see `report.failed`).
        case delivered(index: Int, study: URL, PACSDelivery.Report)
        /// Its PNG previews were written into `folder`.
        case previewed(index: Int, folder: URL, files: [URL])
    }

    /// The checked plan: each input as it will run, and its study folder (when `dicom` is set).
    public struct Plan: Sendable {
        public var studies: [URL]?
        public var inputs: [ReconPreflight.Planned] = []
        /// The preview folder of each input (when `preview` is set).
        public var previews: [URL]? = nil
    }

    /// Everything that can be checked before the first slice (`ReconPreflight`, the study
    /// folders with their UID root and ownership, the report path); the sender was checked when
    /// it was made.
    public func check() throws -> Plan {
        let planned = try ReconPreflight(pipeline: pipeline, memoryLimit: memoryLimit).check(inputs: inputs, outputDirectory: outputDirectory)
        let studies = try dicom.map { try checkStudyFolders($0) }
        let previews = try preview.map { try checkPreviewFolders($0) }
        if let report { try ReconReport.checkDestination(report, overwrite: pipeline.options.overwrite) }
        return Plan(studies: studies, inputs: planned, previews: previews)
    }

    /// Runs the checked job. `progress` and `events` are those of `ReconPipeline.run` for input
    /// `index`; `handle` receives each step's result (and may throw to stop the job).
    public func run(_ plan: Plan, progress: (Int, String) -> Void = { _, _ in },
                    events: ((Int) -> (@Sendable (ReconPipeline.Progress) -> Void)?)? = nil,
                    handle: (Event) throws -> Void) throws {
        var reports = [ReconReport.File]()
        defer { pipeline.removeConversions() }
        for (n, input) in inputs.enumerated() {
            let s = try pipeline.run(input: input, outputDirectory: outputDirectory,
                                     progress: { progress(n, $0) }, events: events?(n))
            reports.append(s.report)
            try handle(.reconstructed(index: n, s))
            try publish(index: n, reconstruction: s.output, plan: plan, handle: handle)
        }
        if let report {
            try ReconReport(parameters: pipeline.options.parameters, files: reports).write(to: report)
        }
    }

    /// The steps after input `index` was reconstructed into `reconstruction`: its DICOM study
    /// (when the plan has study folders), then its delivery (when there is a sender).
    public func publish(index n: Int, reconstruction: URL, plan: Plan, handle: (Event) throws -> Void) throws {
        if let folder = plan.previews?[n] {
            let request = PreviewExport.Request(reconstruction: reconstruction, source: try pipeline.readable(inputs[n]))
            let files = try PreviewExport.write(request, to: folder, overwrite: pipeline.options.overwrite,
                                                protecting: [outputDirectory] + inputs)
            try handle(.previewed(index: n, folder: folder, files: files))
        }
        guard let study = plan.studies?[n] else { return }
        let d = try DICOMExport.export(reconstructionFile: reconstruction, source: try pipeline.readable(inputs[n]), to: study,
                                       options: exportOptions)
        try handle(.exported(index: n, reconstruction: reconstruction, d))
        if let sender {
            try handle(.delivered(index: n, study: d.result.directory, try sender.send(directory: d.result.directory)))
        }
    }

    /// The plan of a job whose inputs and outputs were checked before (a cohort's finishing
    /// step): the study folder of each input (the export checks its own before writing).
    public func studyPlan() throws -> Plan {
        Plan(studies: try dicom.map { try DICOMExport.studyFolders(for: inputs, in: $0) },
             previews: try preview.map { try DICOMExport.studyFolders(for: inputs, in: $0) })
    }

    /// Export options with the outputs and inputs protected from being inside a study folder.
    var exportOptions: DICOMExport.Options {
        var o = dicomOptions
        o.overwrite = pipeline.options.overwrite
        o.protectedPaths += [outputDirectory] + inputs
        return o
    }

    /// The preview folder of each input (named as the study folders), each checked.
    func checkPreviewFolders(_ preview: URL) throws -> [URL] {
        if let dicom, preview.standardizedFileURL == dicom.standardizedFileURL {
            throw PipelineError.invalidOption(name: "preview", reason: "\(preview.path) is also the --dicom folder; give them different folders")
        }
        return try perInputFolders(in: preview) {
            try PreviewExport.checkDestination($0, overwrite: pipeline.options.overwrite, protecting: [outputDirectory] + inputs)
        }
    }

    /// The folder of each input under `root` (`DICOMExport.studyFolders`), with `check` run on
    /// each; with several inputs and a new `root`, on `root` instead (the writer creates it).
    func perInputFolders(in root: URL, check: (URL) throws -> Void) throws -> [URL] {
        let folders = try DICOMExport.studyFolders(for: inputs, in: root)
        let containerExists = FileManager.default.fileExists(atPath: root.path)
        for f in inputs.count > 1 && !containerExists ? [root] : folders { try check(f) }
        return folders
    }

    /// The study folder of each input, each checked (UID root, ownership, protected paths);
    /// with several inputs and a new container folder, the container is checked instead (the
    /// export creates it).
    func checkStudyFolders(_ dicom: URL) throws -> [URL] {
        try perInputFolders(in: dicom) { try DICOMExport.checkDestination($0, options: exportOptions) }
    }
}
