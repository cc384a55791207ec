import Foundation
import MRIAcquisition
import MRICore
import MRIIO

extension Simulation {
    /// Upper bound of simulated receive coils (scanners have at most 128 channels).
    public static let maxSimulatedCoils = 128

    /// How `fromDICOM` simulates a multi-coil acquisition from a magnitude series.
    public struct DICOMOptions: Sendable {
        /// Number of simulated receive coils (`BirdcageCoils`).
        public var coils = 8
        /// Standard deviation of the complex k-space noise relative to the largest image magnitude
        /// (the image is scaled to maximum 1; orthonormal FFT, so this is also the image-domain σ).
        public var noise = 0.005
        /// Seed of the phase coefficients and the noise.
        public var seed: UInt64 = 0
        /// The series to use when the input holds several.
        public var seriesInstanceUID: String?
        /// Creates options with the defaults above.
        public init() {}
    }

    /// What `fromDICOM` wrote.
    public struct DICOMSummary: Sendable {
        public var undersampling: Summary
        public var coils: Int
        public var rows: Int, columns: Int
        /// The fastMRI `acquisition` attribute made from the series.
        public var acquisition: String
        public var seriesInstanceUID: String?
        public var seriesDescription: String?
    }

    /// Turns a magnitude DICOM series (file, folder or DICOMDIR) into a fastMRI test-layout file:
    /// a SIMULATED multi-coil acquisition, then undersampled with `plan` as `undersample` does.
    ///
    /// Per slice z (volume order, `DICOMSeriesReader`), with m the magnitude scaled so that its
    /// maximum over the volume is 1, H = Rows (readout), W = Columns (phase encode, the masked axis):
    ///
    ///     x(i, j) = m(i, j) · e^{iφ(u, v)},  φ = π/2·(a₁u + a₂v + a₃uv + a₄(u² − v²)) + 0.1·a₅·z/Z
    ///     k_c = F(S_c · x) + σ·n,  n ~ CN(0, 1),  σ = options.noise
    ///
    /// u, v ∈ [−1, 1) are the normalised column/row coordinates, a ~ U(−1, 1) from `options.seed`,
    /// S_c the `BirdcageCoils` maps (RSS 1), F the centred orthonormal 2-D FFT. The ISMRMRD header
    /// carries the geometry (matrix Rows × Columns, FOV = matrix · PixelSpacing, z = SliceThickness)
    /// and the identity, study and sequence attributes of the series; the root attributes say
    /// `simulated = 1` and name the source series.
    public static func fromDICOM(
        input: URL, output: URL, plan: MaskPlan, options: DICOMOptions = DICOMOptions(), overwrite: Bool
    ) throws -> DICOMSummary {
        try checkOptions(input: input, output: output, plan: plan, options: options)
        let volume = try DICOMSeriesReader(seriesInstanceUID: options.seriesInstanceUID).read(input)
        let (slices, h, w) = (volume.slices, volume.rows, volume.columns)
        let peak = try checkedPeak(volume, input: input, coils: options.coils)
        let info = volume.info
        let acquisition = Self.acquisitionName(volume)
        guard let mask = try plan.mask(height: h, width: w, fileName: input.lastPathComponent, acquisition: acquisition) else {
            throw PipelineError.invalidOption(name: "accel", reason: "simulate needs an acceleration")
        }
        let kind = (plan.kind ?? MaskPlan.defaultKind(acquisition: acquisition)).rawValue

        var rng = SeededRNG(seed: options.seed)
        let a = (0..<5).map { _ in Double(rng.uniform()) * 2 - 1 }
        let maps = BirdcageCoils.sensitivities(coils: options.coils, height: h, width: w)
        let scale = 1 / peak
        var norm2 = 0.0
        for v in volume.pixels.storage { norm2 += Double(v * scale) * Double(v * scale) }

        let attributes = simulationAttributes(volume: volume, input: input, mask: mask, kind: kind, plan: plan, options: options,
                                              scale: scale, norm: norm2.squareRoot(), acquisition: acquisition)
        let writer = try FastMRIWriter(
            url: output, layout: .test, slices: slices, sliceShape: SliceShape(coils: options.coils, height: h, width: w),
            mask: mask.values, attributes: attributes, header: Self.header(volume),
            overwrite: overwrite)
        for z in 0..<slices {
            let dz = slices > 1 ? Double(z) / Double(slices - 1) : 0
            var k = CenteredFFT.forward(coilImages(volume, slice: z, maps: maps, phase: a, drift: dz, scale: scale))
            if options.noise > 0 {
                let sigma = Float(options.noise)
                for i in 0..<k.count { k[linear: i] += rng.complexGaussian() * sigma }
            }
            try writer.writeSlice(z, kspace: k)
        }
        try writer.finish()
        let summary = Summary(
            output: writer.url, slices: slices, sampledColumns: mask.sampledCount / (mask.isTwoDimensional ? mask.shape[0] : 1), width: w,
            numLowFrequencies: mask.numLowFrequencies, maskKind: kind)
        return DICOMSummary(undersampling: summary, coils: options.coils, rows: h, columns: w, acquisition: acquisition,
                            seriesInstanceUID: info.seriesInstanceUID, seriesDescription: info.seriesDescription)
    }

    /// The options' checks, before the series is read.
    static func checkOptions(input: URL, output: URL, plan: MaskPlan, options: DICOMOptions) throws {
        try plan.validate()
        try checkDistinct(input: input, output: output)
        guard plan.acceleration != nil else {
            throw PipelineError.invalidOption(name: "accel", reason: "simulate needs an acceleration")
        }
        guard (1...Self.maxSimulatedCoils).contains(options.coils) else {
            throw PipelineError.invalidOption(name: "coils", reason: "must lie in 1…\(Self.maxSimulatedCoils) (got \(options.coils))")
        }
        guard options.noise >= 0, options.noise.isFinite else {
            throw PipelineError.invalidOption(name: "noise", reason: "must be ≥ 0 (got \(options.noise))")
        }
    }

    /// The series' largest magnitude (> 0 and finite), after checking that one simulated slice
    /// (coil maps, coil images, k-space; one is held at a time) fits in the available memory.
    static func checkedPeak(_ volume: DICOMVolume, input: URL, coils: Int) throws -> Float {
        let (h, w) = (volume.rows, volume.columns)
        let needed = (Saturating(coils) * h * w * 8 * 4).value
        if let available = SystemResources.availableMemory(), needed > available {
            throw PipelineError.unusableInput(
                file: input.path, reason: "simulating \(coils) coils of \(h)×\(w) needs about \(SystemResources.format(needed)), \(SystemResources.format(available)) available")
        }
        var peak: Float = 0
        for v in volume.pixels.storage { peak = max(peak, abs(v)) }
        guard peak > 0, peak.isFinite else {
            throw PipelineError.unusableInput(file: input.path, reason: "the DICOM series is all zero or not finite")
        }
        return peak
    }

    /// The root attributes of a simulated file: mask, intensity normalisation, what was
    /// simulated and how, and the source series' identity.
    static func simulationAttributes(volume: DICOMVolume, input: URL, mask: SamplingMask, kind: String, plan: MaskPlan,
                                     options: DICOMOptions, scale: Float, norm: Double, acquisition: String) -> FastMRIAttributes {
        let info = volume.info
        var attributes = FastMRIAttributes()
        attributes.acceleration = mask.acceleration
        attributes.numLowFrequencies = mask.numLowFrequencies
        attributes.acquisition = acquisition
        attributes.max = 1
        attributes.norm = norm
        attributes.patientID = info.patientID
        var extra: [String: HDF5AttributeValue] = [
            "simulated": .integer(1),
            "simulation": .string("SIMULATED from a magnitude DICOM series: \(options.coils) birdcage coils, smooth phase, complex noise sigma \(options.noise) (image max 1), seed \(options.seed)"),
            "simulated_from": .string(input.lastPathComponent),
            "mask_type": .string(kind), "mask_seed": .integer(Int64(bitPattern: plan.seed)),
            "simulation_coils": .integer(Int64(options.coils)), "simulation_noise": .real(options.noise),
            "simulation_seed": .integer(Int64(bitPattern: options.seed)),
            "dicom_intensity_scale": .real(Double(scale)),
            "dicom_transfer_syntaxes": .string(info.transferSyntaxUIDs.joined(separator: "\\")),
        ]
        let identity: [(String, String?)] = [
            ("dicom_series_instance_uid", info.seriesInstanceUID), ("dicom_study_instance_uid", info.studyInstanceUID),
            ("dicom_frame_of_reference_uid", info.frameOfReferenceUID), ("dicom_series_description", info.seriesDescription),
            ("dicom_patient_name", info.patientName), ("dicom_study_description", info.studyDescription),
            ("dicom_modality", info.modality), ("dicom_body_part", info.bodyPartExamined),
        ]
        for (k, v) in identity { if let v { extra[k] = .string(v) } }
        attributes.extra = extra
        return attributes

    }

    /// Coil images `[coils, H, W]` of slice `slice`: the magnitude × `scale` with the smooth phase
    /// (coefficients `phase`, a slow drift `drift` along the slices) times each coil's map.
    static func coilImages(_ volume: DICOMVolume, slice z: Int, maps: ComplexArray, phase a: [Double], drift dz: Double,
                           scale: Float) -> ComplexArray {
        let (coils, h, w) = (maps.shape[0], volume.rows, volume.columns)
        let plane = h * w
        var coilImages = ComplexArray(zeros: [coils, h, w])
        volume.pixels.storage.withUnsafeBufferPointer { m in
            maps.storage.withUnsafeBufferPointer { s in
                coilImages.withUnsafeMutableBufferPointer { out in
                    for i in 0..<h {
                        let v = 2 * Double(i) / Double(h) - 1
                        for j in 0..<w {
                            let u = 2 * Double(j) / Double(w) - 1
                            let phase = Double.pi / 2 * (a[0] * u + a[1] * v + a[2] * u * v + a[3] * (u * u - v * v)) + 0.1 * a[4] * dz
                            let mag = abs(m[z * plane + i * w + j]) * scale
                            let x = ComplexFloat(mag * Float(cos(phase)), mag * Float(sin(phase)))
                            for c in 0..<coils { out[c * plane + i * w + j] = s[c * plane + i * w + j] * x }
                        }
                    }
                }
            }
        }
        return coilImages
    }

    /// True when `url` looks like DICOM input rather than a fastMRI HDF5 file: a folder, a file
    /// named DICOMDIR, or a file with the Part 10 "DICM" marker at byte 128.
    public static func isDICOMInput(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return false }
        if isDirectory.boolValue || url.lastPathComponent.uppercased() == "DICOMDIR" { return true }
        guard let h = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? h.close() }
        guard let d = try? h.read(upToCount: 132), d.count == 132 else { return false }
        return d.suffix(4).elementsEqual("DICM".utf8)
    }

    /// fastMRI-style acquisition name: the plane ("AX", "COR", "SAG" from the dominant axis of the
    /// slice normal; LPS x = sagittal, y = coronal, z = axial) then ProtocolName or
    /// SeriesDescription in upper-case letters and digits, e.g. "SAGT1_MPRAGE".
    static func acquisitionName(_ v: DICOMVolume) -> String {
        let n = v.geometry.normal.map(abs)
        let plane = n[2] >= n[0] && n[2] >= n[1] ? "AX" : (n[1] >= n[0] ? "COR" : "SAG")
        let source = v.info.protocolName ?? v.info.seriesDescription ?? v.info.modality ?? "MR"
        var name = ""
        for ch in source.uppercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { name.append(ch) } else if !name.hasSuffix("_") && !name.isEmpty { name.append("_") }
        }
        while name.hasSuffix("_") { name.removeLast() }
        return plane + String(name.prefix(32))
    }

    /// ISMRMRD header: geometry from the volume, identity/study/sequence from the series.
    static func header(_ v: DICOMVolume) -> ISMRMRDHeader {
        let g = v.geometry, i = v.info
        let fov = ISMRMRDHeader.FieldOfView(
            x: Double(v.rows) * g.pixelSpacing.row, y: Double(v.columns) * g.pixelSpacing.column, z: g.sliceThickness)
        let matrix = ISMRMRDHeader.MatrixSize(x: v.rows, y: v.columns, z: 1)
        var h = ISMRMRDHeader.minimal(encodedMatrix: matrix, encodedFOV: fov, reconMatrix: matrix, reconFOV: fov,
                                      fieldStrengthT: i.magneticFieldStrength ?? 3)
        h.subject.patientName = i.patientName
        h.subject.patientID = i.patientID
        h.subject.patientBirthdate = i.patientBirthDate.flatMap(Self.isoDate)
        h.subject.patientGender = i.patientSex
        h.study.studyDate = i.studyDate.flatMap(Self.isoDate)
        h.study.studyTime = i.studyTime.flatMap(Self.isoTime)
        h.study.studyID = i.studyID
        h.study.accessionNumber = i.accessionNumber.flatMap { Int($0) }
        h.study.referringPhysicianName = i.referringPhysicianName
        h.study.studyDescription = i.studyDescription
        h.study.studyInstanceUID = i.studyInstanceUID
        h.measurement.patientPosition = i.patientPosition ?? "HFS"
        h.measurement.protocolName = i.protocolName
        h.measurement.seriesDescription = i.seriesDescription
        h.measurement.frameOfReferenceUID = i.frameOfReferenceUID
        h.measurement.initialSeriesNumber = i.seriesNumber
        h.acquisitionSystem.systemVendor = i.manufacturer
        h.acquisitionSystem.systemModel = i.modelName
        h.acquisitionSystem.institutionName = i.institutionName
        h.sequence.repetitionTimes = i.repetitionTime.map { [$0] } ?? []
        h.sequence.echoTimes = i.echoTime.map { [$0] } ?? []
        h.sequence.inversionTimes = i.inversionTime.map { [$0] } ?? []
        h.sequence.flipAnglesDeg = i.flipAngle.map { [$0] } ?? []
        return h
    }

    /// DICOM DA "YYYYMMDD" → xs:date "YYYY-MM-DD".
    static func isoDate(_ d: String) -> String? {
        let s = Array(d.filter(\.isNumber))
        guard s.count == 8 else { return nil }
        return "\(String(s[0..<4]))-\(String(s[4..<6]))-\(String(s[6..<8]))"
    }

    /// DICOM TM "HHMMSS.frac" → xs:time "HH:MM:SS".
    static func isoTime(_ t: String) -> String? {
        let s = Array(t.prefix { $0 != "." }.filter(\.isNumber))
        guard s.count >= 6 else { return nil }
        return "\(String(s[0..<2])):\(String(s[2..<4])):\(String(s[4..<6]))"
    }
}
