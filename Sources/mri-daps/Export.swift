import ArgumentParser
import Foundation
import MRIPipeline

/// Identity and UID flags shared by `export` and (later) `recon --dicom`.
struct DICOMIdentityOptions: ParsableArguments {
    @Option(help: "PatientName to write (DICOM PN, e.g. 'Doe^Jane'); default from the source header, else empty.")
    var patientName: String?
    @Option(help: "PatientID to write; default from the source header or the fastMRI patient_id attribute.")
    var patientId: String?
    @Option(help: "StudyDescription to write; default 'mri-daps reconstruction of <acquisition>'.")
    var studyDescription: String?
    @Flag(help: "Apply the DICOM PS3.15 Basic Application Level Confidentiality Profile to what is written (identity, dates, descriptions removed or replaced; all UIDs new). --patient-name/--patient-id, if given, are written as pseudonyms.")
    var anonymize = false
    @Option(help: "Root for new UIDs (digits and dots); default 2.25, the UUID arc (ISO/IEC 9834-8).")
    var uidRoot: String = "2.25"
    @Flag(help: "Also write the posterior variance (posterior_variance: the across-draw variance, image units squared, not calibrated) as a Parametric Map series (VARMAP) beside the standard deviation.")
    var dicomVariance = false

    func options(overwrite: Bool) -> DICOMExport.Options {
        var o = DICOMExport.Options()
        o.patientName = patientName
        o.patientID = patientId
        o.studyDescription = studyDescription
        o.anonymize = anonymize
        o.uidRoot = uidRoot
        o.overwrite = overwrite
        o.includeVariance = dicomVariance
        return o
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a reconstruction file as one DICOM study: mean (MR), std (MR) and std (Parametric Map).")

    @Argument(help: "Reconstruction file written by `mri-daps recon` (datasets reconstruction, optional posterior_std).")
    var reconstruction: String
    @Option(help: "Output directory for the study (must be absent or empty unless --force).")
    var dicom: String
    @Option(help: "The fastMRI file the reconstruction came from: its ISMRMRD header gives geometry and identity.")
    var source: String?
    @OptionGroup var identity: DICOMIdentityOptions
    @Flag(help: "Replace a non-empty output directory.") var force = false

    func run() throws {
        try HDF5Probe.check([reconstruction] + (source.map { [$0] } ?? []))
        let s = try DICOMExport.export(
            reconstructionFile: URL(fileURLWithPath: reconstruction), source: source.map { URL(fileURLWithPath: $0) },
            to: URL(fileURLWithPath: dicom), options: identity.options(overwrite: force))
        if !s.wroteStandardDeviation {
            status("\(reconstruction): no posterior_std dataset: wrote only the mean series (no uncertainty series)")
        }
        if identity.dicomVariance && !s.wroteVariance {
            status("\(reconstruction): no posterior_variance dataset: no variance series written")
        }
        emit("\(reconstruction) → \(s.result.directory.path): study \(s.result.studyInstanceUID), "
             + "\(s.result.series.count) series, \(s.fileCount) files")
    }
}
