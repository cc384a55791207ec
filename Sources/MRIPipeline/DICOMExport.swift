import Foundation
import MRICore
import MRIIO

/// Turns a reconstruction into one DICOM study (REFERENCE §6, docs/dicom-conformance.md):
///
/// 1. series 1 `MEAN`: the posterior mean (or classical reconstruction) as MR Image Storage,
///    uint16 with BitsStored 12 and the float mapping in the Real World Value Mapping Sequence;
/// 2. series 2 `STD`: the posterior standard deviation, same conventions (for viewing);
/// 3. series 3 `STDMAP`: the posterior standard deviation as a float32 Parametric Map;
/// 4. with `Options.includeVariance`, series 4 `VARMAP`: the unbiased across-draw variance
///    (`posterior_variance`, image units², not rescaled by the calibration factor) as a float32
///    Parametric Map, quantity Variance (C1711260, UMLS; CID 7464).
///
/// Series 2 and 3 are written only when a standard deviation is given, series 4 only when asked
/// and a variance is given. All series share one
/// Study Instance UID and one Frame of Reference UID. `recon --dicom` and `export` both call
/// `export(mean:standardDeviation:attributes:header:to:options:)`.
public enum DICOMExport {
    /// Identity overrides and output choices.
    public struct Options: Sendable {
        /// PatientName override ("Family^Given").
        public var patientName: String?
        /// PatientID override.
        public var patientID: String?
        /// StudyDescription override.
        public var studyDescription: String?
        /// Apply the PS3.15 Basic Application Level Confidentiality Profile to everything written;
        /// `patientName`/`patientID`, when given, are written as pseudonyms.
        public var anonymize = false
        /// UID root (default 2.25, the UUID arc: no registration needed).
        public var uidRoot = DICOMUIDGenerator.uuidRoot
        /// Replace a non-empty output directory (only a study folder mri-daps wrote).
        public var overwrite = false
        /// Paths the study folder may not be or contain (the reconstruction file and its folder).
        public var protectedPaths: [URL] = []
        /// Content/series date and time (default: now).
        public var contentDate = Date()
        /// Also write the posterior variance as a Parametric Map (series 4, `VARMAP`).
        public var includeVariance = false
        /// Creates default options.
        public init() {}
    }

    /// What an export wrote.
    public struct Summary: Sendable {
        /// The written study (directory, UIDs, files per series).
        public var result: DICOMWriter.Result
        /// False when no standard deviation was available, so only the mean series was written.
        public var wroteStandardDeviation: Bool
        /// True when the variance series was written.
        public var wroteVariance = false
        /// Number of files written.
        public var fileCount: Int { result.series.reduce(0) { $0 + $1.files.count } }
    }

    /// Exports a reconstruction file written by `mri-daps recon` (datasets `reconstruction` and,
    /// when present, `posterior_std`). `source` is an optional fastMRI file whose ISMRMRD header
    /// supplies geometry and acquisition facts when the reconstruction file has none.
    public static func export(reconstructionFile url: URL, source: URL? = nil, to directory: URL, options: Options) throws -> Summary {
        var options = options
        options.protectedPaths += [url] + (source.map { [$0] } ?? [])
        try checkDestination(directory, options: options)
        let recon = try ReconstructionFile(contentsOf: url)
        try TemporaryOutputs.createFolders(directory.deletingLastPathComponent())
        var header = recon.header
        if header == nil, let source {
            let f = try FastMRIFile(contentsOf: source)
            header = f.header
            f.close()
        }
        return try export(mean: recon.reconstruction, standardDeviation: recon.posteriorStd, variance: recon.posteriorVariance,
                          attributes: recon.attributes, header: header, to: directory, options: options)
    }

    /// The study folder of each input under `dicom`: `dicom` itself for one input, else
    /// `dicom/<input name without extension>`; two inputs with the same name are refused.
    public static func studyFolders(for inputs: [URL], in dicom: URL) throws -> [URL] {
        guard inputs.count > 1 else { return inputs.map { _ in dicom.standardizedFileURL } }
        let folders = inputs.map { dicom.appendingPathComponent($0.deletingPathExtension().lastPathComponent).standardizedFileURL }
        for (i, f) in folders.enumerated() {
            if let j = folders[..<i].firstIndex(of: f) {
                throw PipelineError.invalidOption(
                    name: "dicom", reason: "inputs \(inputs[j].path) and \(inputs[i].path) would both write the study \(f.path); rename one or run them separately")
            }
        }
        return folders
    }

    /// Checks, before any work, that a study can be written to `directory` with `options`: the
    /// UID root, the folder's parent, and that the folder is new, empty or (with `overwrite`) a
    /// study mri-daps wrote that contains none of `options.protectedPaths`.
    public static func checkDestination(_ directory: URL, options: Options) throws {
        do { _ = try DICOMUIDGenerator(root: options.uidRoot) } catch MRIIOError.invalidValue(_, let reason) {
            throw PipelineError.invalidOption(name: "uid-root", reason: reason)
        }
        try DICOMWriter.checkDestination(directory, overwrite: options.overwrite, protecting: options.protectedPaths)
    }

    /// Exports volumes `(slices, H, W)`: `mean` and optional `standardDeviation` and `variance` of
    /// the same shape (the variance is written only with `options.includeVariance`).
    /// `attributes` are the reconstruction's (method, acceleration, prior, samples, acquisition,
    /// patient_id); `header` the source's ISMRMRD header (nil: documented defaults).
    public static func export(
        mean: FloatArray, standardDeviation: FloatArray?, variance: FloatArray? = nil, attributes: [String: HDF5AttributeValue],
        header: ISMRMRDHeader?, to directory: URL, options: Options
    ) throws -> Summary {
        let shape = mean.shape
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw PipelineError.invalidOption(name: "dicom", reason: "reconstruction must be (slices, H, W), got \(shape)")
        }
        if let s = standardDeviation, s.shape != shape {
            throw PipelineError.invalidOption(name: "dicom", reason: "posterior_std shape \(s.shape) differs from reconstruction \(shape)")
        }
        let variance = options.includeVariance ? variance : nil
        if let v = variance, v.shape != shape {
            throw PipelineError.invalidOption(name: "dicom", reason: "posterior_variance shape \(v.shape) differs from reconstruction \(shape)")
        }
        for (name, v) in [("reconstruction", Optional(mean)), ("posterior_std", standardDeviation), ("posterior_variance", variance)] {
            if let v, !v.storage.allSatisfy({ $0.isFinite }) {
                throw PipelineError.invalidOption(name: "dicom", reason: "\(name) contains NaN or Inf")
            }
        }
        let (slices, rows, columns) = (shape[0], shape[1], shape[2])
        let acquisition = attributes["acquisition"]?.stringValue
        let derivation = derivationDescription(attributes: attributes)
        var series = [DICOMSeries]()

        let meanMap = DICOMPixelMapping(values: mean.storage)
        // A classical reconstruction is one estimate, not a mean over draws.
        let meanQuantity = isPosterior(attributes) ? DICOMCode.mean : DICOMCode.mrSignalIntensity
        series.append(DICOMSeries(
            number: 1, description: isPosterior(attributes) ? "Posterior mean (\(methodName(attributes)))" : "Reconstruction (\(methodName(attributes)))",
            quantity: meanQuantity, label: "MEAN", imageFlavor: "OTHER",
            derivationDescription: derivation, slices: slices, rows: rows, columns: columns,
            content: .mrImage(stored: meanMap.quantize(mean.storage), bitsStored: meanMap.bitsStored,
                              slope: meanMap.slope, intercept: meanMap.intercept, window: meanMap.storedWindow)))
        if let std = standardDeviation {
            let stdMap = DICOMPixelMapping(values: std.storage)
            series.append(DICOMSeries(
                number: 2, description: "Posterior standard deviation (\(methodName(attributes)))",
                quantity: .standardDeviation, label: "STD", imageFlavor: "OTHER",
                derivationDescription: derivation, slices: slices, rows: rows, columns: columns,
                content: .mrImage(stored: stdMap.quantize(std.storage), bitsStored: stdMap.bitsStored,
                                  slope: stdMap.slope, intercept: stdMap.intercept, window: stdMap.storedWindow)))
            series.append(DICOMSeries(
                number: 3, description: "Posterior standard deviation map (\(methodName(attributes)))",
                quantity: .standardDeviation, label: "STDMAP", imageFlavor: "STD_DEVIATION",
                derivationDescription: derivation, slices: slices, rows: rows, columns: columns,
                content: .parametricMap(values: std.storage, window: stdMap.window)))
        }
        if let variance {
            series.append(DICOMSeries(
                number: 4, description: "Posterior variance map, not calibrated (\(methodName(attributes)))",
                quantity: .variance, label: "VARMAP", imageFlavor: "VARIANCE",
                derivationDescription: derivation, slices: slices, rows: rows, columns: columns,
                content: .parametricMap(values: variance.storage, window: DICOMPixelMapping(values: variance.storage).window)))
        }

        let study = studyInfo(attributes: attributes, header: header, acquisition: acquisition, options: options)
        let writer = DICOMWriter(uids: try DICOMUIDGenerator(root: options.uidRoot), contentDate: options.contentDate)
        let keepUIDs = !options.anonymize
        let result = try writer.write(
            study: study, geometry: geometry(header: header, acquisition: acquisition, attributes: attributes, shape: shape), series: series, to: directory,
            studyInstanceUID: keepUIDs ? validUID(header?.study.studyInstanceUID) : nil,
            frameOfReferenceUID: keepUIDs ? validUID(header?.measurement.frameOfReferenceUID) : nil,
            overwrite: options.overwrite, protecting: options.protectedPaths)
        return Summary(result: result, wroteStandardDeviation: standardDeviation != nil, wroteVariance: variance != nil)
    }

    // MARK: - Sources of attributes

    static func isPosterior(_ a: [String: HDF5AttributeValue]) -> Bool { a["samples"] != nil || a["prior"] != nil }

    static func methodName(_ a: [String: HDF5AttributeValue]) -> String { a["method"]?.stringValue ?? "unknown method" }

    /// DerivationDescription: method, prior, acceleration and number of draws, e.g.
    /// "mri-daps daps reconstruction; prior knee-pd; acceleration R=4.00; 8 posterior draws".
    public static func derivationDescription(attributes a: [String: HDF5AttributeValue]) -> String {
        var parts = ["mri-daps \(methodName(a)) reconstruction"]
        parts.append("prior \(a["prior"]?.stringValue ?? "none")")
        if let r = a["acceleration"]?.doubleValue ?? a["nominal_acceleration"]?.doubleValue {
            parts.append(String(format: "acceleration R=%.2f", r))
        } else {
            parts.append("acceleration unknown")
        }
        if let n = a["samples"]?.doubleValue {
            parts.append("\(Int(n)) posterior draws")
        } else {
            parts.append("deterministic (no posterior draws)")
        }
        if let f = a["input_file"]?.stringValue { parts.append("from \(f)") }
        return parts.joined(separator: "; ")
    }

    /// Geometry from the ISMRMRD header: pixel spacing = reconSpace FOV / matrix (x → rows, the
    /// readout H; y → columns, the phase encode W), slice thickness = reconSpace FOV z (else
    /// encodedSpace z). Orientation from the fastMRI acquisition name (COR… coronal, SAG…
    /// sagittal, else axial); position centred on the origin. Defaults: `DICOMGeometry()`.
    public static func geometry(header: ISMRMRDHeader?, acquisition: String?) -> DICOMGeometry {
        var g = DICOMGeometry()
        if let space = header?.reconSpace, let m = space.matrixSize, let f = space.fieldOfView, m.x > 0, m.y > 0, f.x > 0, f.y > 0 {
            g.pixelSpacing = (row: f.x / Double(m.x), column: f.y / Double(m.y))
        }
        if let z = [header?.reconSpace?.fieldOfView?.z, header?.encodedSpace?.fieldOfView?.z].compactMap({ $0 }).first(where: { $0 > 0 }) {
            g.sliceThickness = z
            g.spacingBetweenSlices = z
        }
        let name = (acquisition ?? "").uppercased()
        if name.hasPrefix("COR") {
            g.rowDirection = [1, 0, 0]
            g.columnDirection = [0, 0, -1]
        } else if name.hasPrefix("SAG") {
            g.rowDirection = [0, 1, 0]
            g.columnDirection = [0, 0, -1]
        }
        return g
    }

    /// `geometry(header:acquisition:)`, with each slice placed where the source's `slice_geometry`
    /// attribute says (slices `slice_start …` of it; `shape` = (slices, rows, columns)): rows run
    /// along the readout direction and columns along the phase-encode direction, the stated
    /// position is the centre voxel (index rows/2, columns/2), SpacingBetweenSlices is the distance
    /// between neighbouring centres along the normal. Without a usable attribute, or when it does
    /// not cover the slices, the header-only geometry.
    public static func geometry(header: ISMRMRDHeader?, acquisition: String?, attributes: [String: HDF5AttributeValue],
                                shape: [Int]) -> DICOMGeometry {
        var g = geometry(header: header, acquisition: acquisition)
        let start = Int(attributes["slice_start"]?.doubleValue ?? 0)
        guard let text = attributes[SliceGeometry.attributeName]?.stringValue, let all = SliceGeometry.parse(text),
              start >= 0, start + shape[0] <= all.count else { return g }
        let slices = Array(all[start..<(start + shape[0])])
        let first = slices[0]
        guard slices.allSatisfy({ $0.read == first.read && $0.phase == first.phase }) else { return g }
        g.rowDirection = first.phase
        g.columnDirection = first.read
        let (rows, columns) = (Double(shape[1] / 2), Double(shape[2] / 2))
        g.slicePositions = slices.map { s in
            (0..<3).map { s.position[$0] - rows * g.pixelSpacing.row * s.read[$0] - columns * g.pixelSpacing.column * s.phase[$0] }
        }
        if slices.count > 1 {
            let n = g.normal, p = g.slicePositions!
            let along = { (v: [Double]) in zip(v, n).reduce(0) { $0 + $1.0 * $1.1 } }
            g.spacingBetweenSlices = abs(along(p[1]) - along(p[0]))
        }
        return g
    }

    /// Patient/study identity: ISMRMRD subject/study information, else the fastMRI `patient_id`
    /// attribute; then the overrides; then anonymisation.
    static func studyInfo(attributes a: [String: HDF5AttributeValue], header: ISMRMRDHeader?, acquisition: String?, options: Options) -> DICOMStudyInfo {
        var s = DICOMStudyInfo()
        let subject = header?.subject, study = header?.study
        s.patientName = subject?.patientName ?? ""
        s.patientID = subject?.patientID ?? a["patient_id"]?.stringValue ?? ""
        s.patientBirthDate = (subject?.patientBirthdate ?? "").filter(\.isNumber)
        if s.patientBirthDate.count != 8 { s.patientBirthDate = "" }
        s.patientSex = ["M", "F", "O"].contains(subject?.patientGender ?? "") ? subject!.patientGender! : ""
        s.studyDescription = study?.studyDescription ?? "mri-daps reconstruction" + (acquisition.map { " of \($0)" } ?? "")
        s.studyID = study?.studyID ?? "1"
        s.accessionNumber = study?.accessionNumber.map(String.init) ?? ""
        s.referringPhysicianName = study?.referringPhysicianName ?? ""
        if let d = study?.studyDate?.filter(\.isNumber), d.count == 8 { s.studyDate = d }
        if let t = study?.studyTime?.filter(\.isNumber), t.count >= 6 { s.studyTime = String(t.prefix(6)) }
        s.institutionName = header?.acquisitionSystem.institutionName ?? ""
        s.patientPosition = header?.measurement.patientPosition ?? "HFS"
        s.magneticFieldStrength = header?.acquisitionSystem.systemFieldStrengthT
        s.repetitionTime = header?.sequence.tr
        s.echoTime = header?.sequence.te
        s.inversionTime = header?.sequence.ti
        s.flipAngle = header?.sequence.flipAngleDeg
        let sequenceType = (header?.sequence.sequenceType ?? "").lowercased()
        s.scanningSequence = sequenceType.contains("spinecho") || sequenceType.contains("spin echo") ? "SE"
            : sequenceType.contains("gradient") ? "GR" : sequenceType.contains("inversion") ? "IR" : "RM"
        let name = (acquisition ?? "").uppercased()
        if name.hasPrefix("CORPD") {
            (s.anatomy, s.bodyPartExamined, s.laterality) = (.knee, "KNEE", "")
        } else if name.hasPrefix("AX") {
            (s.anatomy, s.bodyPartExamined) = (.brain, "BRAIN")
        } else {
            // Unknown anatomy may be a paired structure: Laterality (type 2C) present and empty.
            s.laterality = ""
        }
        s.softwareVersions = ReconPipeline.softwareVersion
        if options.anonymize { s = s.anonymized() }
        // Explicit values win; with --anonymize a name or ID given is a pseudonym.
        if let v = options.patientName { s.patientName = v }
        if let v = options.patientID { s.patientID = v }
        if let v = options.studyDescription { s.studyDescription = v }
        return s
    }

    /// `uid` when it is a syntactically valid UID (digits and dots, ≤ 64 characters), else nil.
    static func validUID(_ uid: String?) -> String? {
        guard let u = uid?.trimmingCharacters(in: .whitespaces), !u.isEmpty, u.count <= 64,
              u.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) && ($0 == "0" || $0.first != "0") })
        else { return nil }
        return u
    }
}
