import Foundation
import MRICore
import MRIIO

/// Siemens TWIX scans → the acquisitions `ISMRMRDConversion.assemble` places on the grid.
///
/// Counters map one to one (line → k1, partition → k2, slice, average, echo → contrast, phase,
/// repetition, set); `NOISEADJSCAN` → noise measurement (prewhitening), `REFLECT` → reverse,
/// `PATREFSCAN`/`PATREFANDIMASCAN` → calibration lines, phase-correction, stabilisation and
/// feedback scans are left out. The encoded matrix is taken from the scans (samples × lines),
/// with the k-space centre line from the MDH when it is set, else the middle line; the header
/// carries no field of view (1 mm per sample). An echo train with more than two image lines in
/// one 2.5 ms time-stamp tick is an EPI readout, which is refused.
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
            var flags: ISMRMRDFile.Flags = []
            if s.evalInfo.contains(.noiseAdjScan) { flags.insert(.noiseMeasurement) }
            if s.evalInfo.contains(.reflect) { flags.insert(.reverse) }
            if s.evalInfo.contains(.patRefScan) { flags.insert(.parallelCalibration) }
            if s.evalInfo.contains(.patRefAndImaScan) { flags.insert(.parallelCalibrationAndImaging) }
            return ISMRMRDFile.Acquisition(
                flags: flags, samples: s.samples, channels: s.channels, centerSample: s.centreColumn, discardPre: 0,
                discardPost: 0, trajectoryDimensions: 0, k1: s.line, k2: s.partition, average: s.average, slice: s.slice,
                contrast: s.echo, phase: s.phase, repetition: s.repetition, set: s.set, sampleTimeMicroseconds: 0,
                position: [0, 0, 0], readDirection: [0, 0, 0], phaseDirection: [0, 0, 0], sliceDirection: [0, 0, 0],
                data: s.data)
        }
        let matrix = ISMRMRDHeader.MatrixSize(x: first.samples, y: lines, z: 1)
        let fov = ISMRMRDHeader.FieldOfView(x: Double(first.samples), y: Double(lines), z: 1)
        var header = ISMRMRDHeader.minimal(encodedMatrix: matrix, encodedFOV: fov, reconMatrix: matrix, reconFOV: fov)
        let centre = first.centreLine > 0 ? first.centreLine : lines / 2
        header.kspaceEncodingStep1 = ISMRMRDHeader.Limit(minimum: 0, maximum: lines - 1, center: centre)
        return (acquisitions, header)
    }
}
