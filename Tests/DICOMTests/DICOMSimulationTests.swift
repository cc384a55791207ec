import Foundation
import MRICore
import MRIIO
import MRIPipeline
import Testing
import _TestSupport

/// `mri-daps simulate SERIES` (a magnitude DICOM series → simulated multi-coil fastMRI file) and `recon` on the result.
@Suite struct DICOMSimulationTests {
    static let slices = 3, size = 64

    /// Magnitude phantom (slices, 64, 64): a disc of 1 with a brighter square, scaled by slice.
    static let phantom: FloatArray = {
        var a = FloatArray(zeros: [slices, size, size])
        for s in 0..<slices {
            for i in 0..<size {
                for j in 0..<size {
                    let y = 2 * (Double(i) + 0.5) / Double(size) - 1, x = 2 * (Double(j) + 0.5) / Double(size) - 1
                    var v = x * x + y * y < 0.55 ? 1.0 : 0.0
                    if abs(x - 0.15) < 0.2 && abs(y + 0.1) < 0.25 { v += 0.6 }
                    if x * x + (y - 0.4) * (y - 0.4) < 0.02 { v = 0.3 }
                    a[s, i, j] = Float(v * (1 + 0.2 * Double(s)) * 1e-3)
                }
            }
        }
        return a
    }()

    /// Writes the phantom as an MR series (2 × 2 mm pixels, 4 mm slices, axial) with an identity.
    static func writeSeries(in scratch: URL) throws -> (folder: URL, study: String) {
        let header = ISMRMRDHeader.minimal(
            encodedMatrix: .init(x: size, y: size), encodedFOV: .init(x: 128, y: 128, z: 4),
            reconMatrix: .init(x: size, y: size), reconFOV: .init(x: 128, y: 128, z: 4))
        var o = DICOMExport.Options()
        o.patientName = "Phantom^Simulated"
        o.patientID = "PH-0001"
        o.studyDescription = "reader simulation test"
        let s = try DICOMExport.export(
            mean: phantom, standardDeviation: nil, attributes: ["acquisition": .string("AXT2"), "method": .string("zero-filled")],
            header: header, to: scratch.appendingPathComponent("dicom"), options: o)
        return (scratch.appendingPathComponent("dicom/S001_MEAN"), s.result.studyInstanceUID)
    }

    @Test("simulate SERIES --coils 8 --accel 4 says SIMULATION, writes a fastMRI test file with geometry and identity; recon (SENSE) recovers the phantom")
    func simulateThenRecon() throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (folder, study) = try Self.writeSeries(in: scratch)
        let scan = scratch.appendingPathComponent("scan.h5")
        let r = try Fixtures.run(DICOMFixture.binary, ["simulate", folder.path, "--coils", "8", "--accel", "4", "-o", scan.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("SIMULATION:"), "\(r.stdout)")

        let file = try FastMRIFile(contentsOf: scan)
        let info = file.info
        file.close()
        #expect(info.slices == Self.slices)
        #expect(info.sliceShape.dimensions == [8, Self.size, Self.size])
        #expect(info.layout == .test)
        #expect(info.otherAttributes["simulated"] == .integer(1))
        // Plane from the slice normal (axial), then the SeriesDescription DICOMExport wrote, "Reconstruction (zero-filled)".
        #expect(info.acquisition == "AXRECONSTRUCTION_ZERO_FILLED")
        #expect(info.acceleration == 4)
        #expect(info.patientID == "PH-0001")
        #expect(info.otherAttributes["dicom_study_instance_uid"] == .string(study))
        let mask = try #require(info.mask)
        #expect(mask.count == Self.size && (16...24).contains(mask.filter { $0 != 0 }.count))
        let h = try #require(info.header)
        #expect(h.reconSpace?.fieldOfView == .init(x: 128, y: 128, z: 4))
        #expect(h.reconSpace?.matrixSize == .init(x: Self.size, y: Self.size, z: 1))
        #expect(h.subject.patientName == "Phantom^Simulated")
        #expect(h.study.studyInstanceUID == study)

        // Refused: the output exists.
        let again = try Fixtures.run(DICOMFixture.binary, ["simulate", folder.path, "--accel", "4", "-o", scan.path])
        #expect(again.status != 0 && again.stderr.split(separator: "\n").count == 1)

        let out = scratch.appendingPathComponent("rec")
        let rec = try Fixtures.run(DICOMFixture.binary, ["recon", scan.path, "--method", "sense", "--out", out.path])
        #expect(rec.status == 0, "\(rec.stderr)")
        let recon = try ReconstructionFile(contentsOf: out.appendingPathComponent("scan.h5")).reconstruction
        #expect(recon.shape == [Self.slices, Self.size, Self.size])
        // Compare with the phantom scaled to maximum 1 (the simulation's intensity scale), per slice after a
        // least-squares gain (coil-map normalisation may scale the magnitude).
        let peak = Self.phantom.storage.max()!
        let plane = Self.size * Self.size
        for s in 0..<Self.slices {
            let truth = Self.phantom.storage[(s * plane)..<((s + 1) * plane)].map { $0 / peak }
            let x = Array(recon.storage[(s * plane)..<((s + 1) * plane)])
            let gain = zip(x, truth).reduce(Float(0)) { $0 + $1.0 * $1.1 } / x.reduce(Float(0)) { $0 + $1 * $1 }
            let nmse = ImageQualityMetrics.nmse(target: FloatArray(shape: [Self.size, Self.size], storage: truth),
                                                prediction: FloatArray(shape: [Self.size, Self.size], storage: x.map { $0 * gain }))
            #expect(nmse < 0.05, "slice \(s): NMSE \(nmse) of the SENSE reconstruction against the DICOM magnitude")
        }
    }
}
