import Foundation
import MRICore
import MRIIO

/// Siemens TWIX scans → the acquisitions `ISMRMRDConversion.assemble` places on the grid.
///
/// Counters map one to one (line → k1, partition → k2, slice, average, echo → contrast, phase,
/// repetition, set); `NOISEADJSCAN` → noise measurement (prewhitening), `REFLECT` → reverse,
/// `PATREFSCAN`/`PATREFANDIMASCAN` → calibration lines, phase-correction, stabilisation and
/// feedback scans are left out. The encoded matrix is taken from the scans (samples × lines),
/// with the k-space centre line from the MDH when it is set, else the middle line. The field of
/// view and slice thickness come from `MeasYaps` (`sSliceArray.asSlice[0].dReadoutFOV`,
/// `dPhaseFOV`, `dThickness`; the readout FOV doubled when the scans hold twice
/// `sKSpace.lBaseResolution` samples), else 1 mm per sample. Each line's slice position and
/// orientation come from its MDH slice data (position; quaternion → read, phase and slice
/// directions as siemens_to_ismrmrd computes them). Identity and acquisition facts (`Dicom`,
/// `Config` and `MeasYaps` sections) fill the ISMRMRD header: patient name (`tPatientName`),
/// ID (`PatientID`), birth date (`PatientBirthDay`), sex (`lPatientSex` 1 F, 2 M, else O),
/// patient position, Frame of Reference UID (`FrameOfReference`), institution, vendor, model,
/// field strength, protocol name, TR/TE (`alTR[0]`, `alTE[0]`, µs) and flip angle. TWIX holds no
/// Study Instance UID, so its DICOM output is a new study of that patient. An echo train with
/// more than two image lines in one 2.5 ms time-stamp tick is an EPI readout, which is refused.
enum TWIXConversion {
    static func acquisitions(_ file: TWIXFile, measurement: Int?) throws
        -> (acquisitions: [ISMRMRDFile.Acquisition], header: ISMRMRDHeader)
    {
        let path = file.url.path
        let scans = try file.scans(measurement: measurement)
        let skipped: TWIXFile.EvalInfo = [.rtFeedback, .hpFeedback, .refPhaseStabScan, .phaseStabScan, .phaseCorrection]
        let image = scans.filter { $0.evalInfo.isDisjoint(with: skipped) && !$0.evalInfo.contains(.noiseAdjScan) }
        guard let first = image.first else {
            throw PipelineError.unusableInput(file: path, reason: "has no image scans")
        }
        var perTick = [UInt32: Int]()
        for s in image where s.partition == 0 && s.repetition == 0 && s.slice == 0 { perTick[s.timeStamp, default: 0] += 1 }
        if let most = perTick.values.max(), most > 2 {
            throw PipelineError.unusableInput(file: path, reason: "is an echo-planar (EPI) acquisition (\(most) lines within 2.5 ms); EPI is not supported")
        }
        let lines = (image.map(\.line).max() ?? 0) + 1
        let acquisitions = scans.filter { $0.evalInfo.isDisjoint(with: skipped) }.map { s -> ISMRMRDFile.Acquisition in
            let d = directions(s.quaternion)
            var flags: ISMRMRDFile.Flags = []
            if s.evalInfo.contains(.noiseAdjScan) { flags.insert(.noiseMeasurement) }
            if s.evalInfo.contains(.reflect) { flags.insert(.reverse) }
            if s.evalInfo.contains(.patRefScan) { flags.insert(.parallelCalibration) }
            if s.evalInfo.contains(.patRefAndImaScan) { flags.insert(.parallelCalibrationAndImaging) }
            return ISMRMRDFile.Acquisition(
                flags: flags, samples: s.samples, channels: s.channels, centerSample: s.centreColumn, discardPre: 0,
                discardPost: 0, trajectoryDimensions: 0, k1: s.line, k2: s.partition, average: s.average, slice: s.slice,
                contrast: s.echo, phase: s.phase, repetition: s.repetition, set: s.set, sampleTimeMicroseconds: 0,
                position: s.slicePosition, readDirection: d.read, phaseDirection: d.phase, sliceDirection: d.slice,
                data: s.data)
        }
        let text = file.header(measurement: measurement)
        let matrix = ISMRMRDHeader.MatrixSize(x: first.samples, y: lines, z: 1)
        var header = ISMRMRDHeader.minimal(encodedMatrix: matrix, encodedFOV: fieldOfView(text, samples: first.samples, lines: lines),
                                           reconMatrix: matrix, reconFOV: fieldOfView(text, samples: first.samples, lines: lines))
        let centre = first.centreLine > 0 ? first.centreLine : lines / 2
        header.kspaceEncodingStep1 = ISMRMRDHeader.Limit(minimum: 0, maximum: lines - 1, center: centre)
        describe(&header, from: text)
        return (acquisitions, header)
    }

    /// Read, phase and slice directions of an MDH quaternion (w, x, y, z): the columns of its
    /// rotation matrix R are (phase, read, slice), as siemens_to_ismrmrd passes them to
    /// `ismrmrd_quaternion_to_directions`. Computed in double precision from the normalised
    /// quaternion; components below 1e-6 (the float32 quaternion's rounding) are set to 0. A zero
    /// quaternion gives zero vectors (no geometry).
    static func directions(_ quaternion: [Float]) -> (read: [Float], phase: [Float], slice: [Float]) {
        let q = quaternion.map(Double.init)
        let norm = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard q.count == 4, norm > 0, norm.isFinite else { return ([0, 0, 0], [0, 0, 0], [0, 0, 0]) }
        let (w, x, y, z) = (q[0] / norm, q[1] / norm, q[2] / norm, q[3] / norm)
        let phase = [1 - 2 * (y * y + z * z), 2 * (x * y + z * w), 2 * (x * z - y * w)]
        let read = [2 * (x * y - z * w), 1 - 2 * (x * x + z * z), 2 * (y * z + x * w)]
        let slice = [2 * (x * z + y * w), 2 * (y * z - x * w), 1 - 2 * (x * x + y * y)]
        let clean = { (v: [Double]) in v.map { Float(abs($0) < 1e-6 ? 0 : $0) } }
        return (clean(read), clean(phase), clean(slice))
    }

    /// The encoded field of view (mm) from `MeasYaps`, else 1 mm per sample.
    static func fieldOfView(_ h: TWIXHeader, samples: Int, lines: Int) -> ISMRMRDHeader.FieldOfView {
        let slice = "sSliceArray.asSlice[0]."
        guard let read = h.yapsNumber(slice + "dReadoutFOV", missing: nil), let phase = h.yapsNumber(slice + "dPhaseFOV", missing: nil),
              read > 0, phase > 0, read.isFinite, phase.isFinite else {
            return ISMRMRDHeader.FieldOfView(x: Double(samples), y: Double(lines), z: 1)
        }
        let base = h.yapsNumber("sKSpace.lBaseResolution", missing: nil) ?? 0
        let oversampling = base > 0 && Double(samples) == 2 * base ? 2.0 : 1.0
        let thickness = h.yapsNumber(slice + "dThickness", missing: nil).flatMap { $0 > 0 && $0.isFinite ? $0 : nil } ?? 1
        return ISMRMRDHeader.FieldOfView(x: read * oversampling, y: phase, z: thickness)
    }

    /// Identity and acquisition facts of the text header (see the type's documentation).
    static func describe(_ header: inout ISMRMRDHeader, from h: TWIXHeader) {
        header.subject.patientName = h.parameter("tPatientName", in: "Dicom")
        header.subject.patientID = h.parameter("PatientID", in: "Config")
        if let b = h.parameter("PatientBirthDay", in: "Config"), b.count == 8, b.allSatisfy(\.isNumber) {
            header.subject.patientBirthdate = "\(b.prefix(4))-\(b.dropFirst(4).prefix(2))-\(b.suffix(2))"
        }
        header.subject.patientGender = h.parameter("lPatientSex", in: "Dicom").map { $0 == "1" ? "F" : $0 == "2" ? "M" : "O" }
        header.measurement.patientPosition = h.parameter("tPatientPosition", in: "Dicom")
        header.measurement.frameOfReferenceUID = h.parameter("FrameOfReference", in: "Config")
        header.measurement.protocolName = h.parameter("tProtocolName", in: "Dicom")
        let system = ("InstitutionName", "Manufacturer", "ManufacturersModelName")
        header.acquisitionSystem.institutionName = h.parameter(system.0, in: "Dicom")
        header.acquisitionSystem.systemVendor = h.parameter(system.1, in: "Dicom")
        header.acquisitionSystem.systemModel = h.parameter(system.2, in: "Dicom")
        header.acquisitionSystem.systemFieldStrengthT = h.parameter("flMagneticFieldStrength", in: "Dicom").flatMap(Double.init)
        if let tr = h.yapsNumber("alTR[0]", missing: nil), tr > 0 { header.sequence.repetitionTimes = [tr / 1000] }
        if let te = h.yapsNumber("alTE[0]", missing: nil), te > 0 { header.sequence.echoTimes = [te / 1000] }
        if let flip = h.parameter("adFlipAngleDegree", in: "Dicom").flatMap(Double.init) { header.sequence.flipAnglesDeg = [flip] }
    }
}
