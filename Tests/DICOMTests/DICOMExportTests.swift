import Foundation
import MRICore
import MRIIO
import MRIPipeline
import Testing
import _TestSupport

/// Writes the three series from `DICOMFixture` and checks them with dicom3tools and pydicom.
@Suite struct DICOMExportTests {
    /// One export into a fresh temporary directory; returns (study dir, scratch dir, summary).
    static func export(options: DICOMExport.Options = DICOMExport.Options(), withStd: Bool = true) throws
        -> (dir: URL, scratch: URL, summary: DICOMExport.Summary)
    {
        let scratch = try Fixtures.temporaryDirectory()
        let dir = scratch.appendingPathComponent("study")
        let summary = try DICOMExport.export(
            mean: DICOMFixture.mean, standardDeviation: withStd ? DICOMFixture.std : nil,
            attributes: DICOMFixture.attributes, header: DICOMFixture.header, to: dir, options: options)
        try DICOMFixture.writeRaw(DICOMFixture.mean.storage, to: scratch.appendingPathComponent("mean.f32"))
        if withStd { try DICOMFixture.writeRaw(DICOMFixture.std.storage, to: scratch.appendingPathComponent("std.f32")) }
        return (dir, scratch, summary)
    }

    /// pydicom's report of a study (see Tests/Fixtures/dicom/read_back_dicom.py).
    static func readBack(_ dir: URL, scratch: URL) throws -> [String: [String: Any]] {
        let script = Fixtures.url("dicom/read_back_dicom.py").path
        let variance = scratch.appendingPathComponent("variance.f32")
        let r = try Fixtures.run("/usr/bin/python3", [
            script, dir.path, scratch.appendingPathComponent("mean.f32").path, scratch.appendingPathComponent("std.f32").path,
            "\(DICOMFixture.slices)", "\(DICOMFixture.rows)", "\(DICOMFixture.columns)",
        ] + (FileManager.default.fileExists(atPath: variance.path) ? [variance.path] : []))
        #expect(r.status == 0, "read_back_dicom.py failed: \(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return try #require(json?["series"] as? [String: [String: Any]])
    }

    @Test("every written object passes dciodvfy with 0 errors", .enabled(if: Fixtures.executable("dciodvfy") != nil))
    func dciodvfyClean() throws {
        let (dir, scratch, summary) = try Self.export()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let files = DICOMFixture.dicomFiles(in: dir)
        #expect(files.count == 2 * DICOMFixture.slices + 1)
        #expect(summary.fileCount == files.count)
        let dciodvfy = try #require(Fixtures.executable("dciodvfy"))
        for f in files {
            let r = try Fixtures.run(dciodvfy, [f.path])
            let report = r.stdout + r.stderr
            let errors = report.split(separator: "\n").filter { $0.hasPrefix("Error") }
            #expect(errors.isEmpty, "\(f.lastPathComponent): \(errors.joined(separator: " | "))")
            let iod = f.path.contains("STDMAP") ? "ParametricMap" : "MRImage"
            #expect(report.contains(iod), "dciodvfy did not recognise \(f.path) as \(iod): \(report)")
        }
    }

    @Test("pixels round-trip (12-bit MR within slope/2, float map exactly); one study, three series, one frame of reference; geometry from the header",
          .enabled(if: DICOMFixture.hasPydicom))
    func readBackWithPydicom() throws {
        let (dir, scratch, summary) = try Self.export()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let series = try Self.readBack(dir, scratch: scratch)
        #expect(Set(series.keys) == ["MEAN", "STD", "STDMAP"])
        var studies = Set<String>(), frames = Set<String>(), seriesUIDs = Set<String>()
        for (label, s) in series {
            studies.formUnion(s["study"] as? [String] ?? [])
            frames.formUnion(s["frame"] as? [String] ?? [])
            let uids = s["series"] as? [String] ?? []
            #expect(uids.count == 1, "\(label): \(uids.count) series UIDs")
            seriesUIDs.formUnion(uids)
            #expect(s["transfer_syntax"] as? String == "1.2.840.10008.1.2.1")
            #expect(s["pixel_spacing"] as? [Double] == [2.0, 1.5], "\(label)")
            #expect(s["slice_thickness"] as? Double == 3.0, "\(label)")
            // CORPD → coronal: rows along +x, columns along −z; slices step along the normal +y by 3 mm, centred.
            #expect(s["orientation"] as? [Double] == [1, 0, 0, 0, 0, -1], "\(label)")
            let positions = try #require(s["positions"] as? [[Double]])
            #expect(positions == [[-14.25, -3, 23], [-14.25, 0, 23], [-14.25, 3, 23]], "\(label): \(positions)")
            #expect((s["derivation"] as? String ?? "").contains("acceleration R=4.00"))
            #expect((s["derivation"] as? String ?? "").contains("8 posterior draws"))
            #expect((s["derivation"] as? String ?? "").contains("prior knee-pd"))
        }
        #expect(studies == [summary.result.studyInstanceUID])
        #expect(frames == [summary.result.frameOfReferenceUID])
        #expect(seriesUIDs.count == 3)

        for label in ["MEAN", "STD"] {
            let s = try #require(series[label])
            #expect(s["sop_class"] as? String == DICOMWriter.mrImageStorage)
            #expect(s["files"] as? Int == DICOMFixture.slices)
            #expect(s["bits_stored"] as? Int == 12)
            #expect(s["max_stored"] as? Int == 4095)
            #expect(s["last_mapped"] as? Int == 4095)
            #expect(s["image_type"] as? [String] == ["DERIVED", "SECONDARY", "OTHER"])
            #expect(s["units"] as? String == "1")
            let slope = try #require(s["slope"] as? Double)
            let maxError = try #require(s["max_error"] as? Double)
            // Half a quantisation step plus float32 rounding of the reference.
            #expect(maxError <= slope / 2 * 1.0001 + 1e-12, "\(label): max error \(maxError) > slope/2 = \(slope / 2)")
            #expect(s["patient_position"] as? String == "FFS")
            #expect(s["tr"] as? Double == 2750)
            #expect(s["te"] as? Double == 27)
            #expect((s["window_width"] as? Double ?? 0) >= 1, "MR window is in stored units")
        }
        #expect(series["MEAN"]?["quantity"] as? String == "113049")
        #expect(series["STD"]?["quantity"] as? String == "113061")

        let map = try #require(series["STDMAP"])
        #expect(map["sop_class"] as? String == DICOMWriter.parametricMapStorage)
        #expect(map["files"] as? Int == 1)
        #expect(map["frames"] as? Int == DICOMFixture.slices)
        #expect(map["exact"] as? Bool == true, "float32 values must round-trip exactly")
        #expect(map["image_type"] as? [String] == ["DERIVED", "PRIMARY", "VOLUME", "STD_DEVIATION"])
        #expect(map["rescale"] as? [Double] == [1, 0])
        #expect(map["rwv"] as? [Double] == [1, 0])
        #expect(map["quantity"] as? String == "113061")
        // The standard deviations are ≈ 1e-5: the window is below 1 and must be LINEAR_EXACT.
        #expect((map["window_width"] as? Double ?? 1) < 1)
        #expect(map["voi_function"] as? String == "LINEAR_EXACT")
    }

    @Test("identity: fastMRI patient_id by default, overrides win, --anonymize empties identity (explicit name/ID kept as pseudonyms)", .enabled(if: DICOMFixture.hasPydicom))
    func identity() throws {
        let plain = try Self.export()
        defer { try? FileManager.default.removeItem(at: plain.scratch) }
        let a = try Self.readBack(plain.dir, scratch: plain.scratch)
        #expect(a["MEAN"]?["patient_id"] as? String == "file1000_pid")

        var o = DICOMExport.Options()
        o.patientName = "Doe^Jane"
        o.patientID = "P-42"
        let overridden = try Self.export(options: o)
        defer { try? FileManager.default.removeItem(at: overridden.scratch) }
        let b = try Self.readBack(overridden.dir, scratch: overridden.scratch)
        #expect(b["STDMAP"]?["patient_name"] as? String == "Doe^Jane")
        #expect(b["STD"]?["patient_id"] as? String == "P-42")

        // --anonymize: the name and ID given are written as pseudonyms; without them both are empty.
        o.anonymize = true
        let pseudonymous = try Self.export(options: o)
        defer { try? FileManager.default.removeItem(at: pseudonymous.scratch) }
        for s in try Self.readBack(pseudonymous.dir, scratch: pseudonymous.scratch).values {
            #expect(s["patient_name"] as? String == "Doe^Jane")
            #expect(s["patient_id"] as? String == "P-42")
            #expect(s["identity_removed"] as? String == "YES")
        }
        var plainAnonymous = DICOMExport.Options()
        plainAnonymous.anonymize = true
        let anonymous = try Self.export(options: plainAnonymous)
        defer { try? FileManager.default.removeItem(at: anonymous.scratch) }
        for s in try Self.readBack(anonymous.dir, scratch: anonymous.scratch).values {
            #expect(s["patient_name"] as? String == "")
            #expect(s["patient_id"] as? String == "")
            #expect(s["identity_removed"] as? String == "YES")
        }
    }

    @Test("all UIDs sit under --uid-root and stay within 64 characters", .enabled(if: DICOMFixture.hasPydicom))
    func uidRoot() throws {
        var o = DICOMExport.Options()
        o.uidRoot = "1.2.826.0.1.3680043.10.999"
        let r = try Self.export(options: o)
        defer { try? FileManager.default.removeItem(at: r.scratch) }
        let uids = [r.summary.result.studyInstanceUID, r.summary.result.frameOfReferenceUID] + r.summary.result.series.map(\.seriesInstanceUID)
        for u in uids {
            #expect(u.hasPrefix("1.2.826.0.1.3680043.10.999."), "\(u)")
            #expect(u.count <= 64)
        }
        #expect(Set(uids).count == uids.count)
    }

    @Test("a failure in the third series leaves no directory and no temporary files")
    func failureLeavesNothing() throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dir = scratch.appendingPathComponent("study")
        let n = DICOMFixture.slices * DICOMFixture.rows * DICOMFixture.columns
        let good = DICOMSeries(number: 1, description: "ok", quantity: .mean, label: "MEAN", imageFlavor: "OTHER",
                               derivationDescription: "test", slices: DICOMFixture.slices, rows: DICOMFixture.rows,
                               columns: DICOMFixture.columns,
                               content: .mrImage(stored: [UInt16](repeating: 7, count: n), bitsStored: 12, slope: 1, intercept: 0,
                                                 window: DICOMWindow(center: 2048, width: 4096)))
        var bad = good
        bad.number = 3
        bad.label = "STDMAP"
        bad.content = .parametricMap(values: [Float](repeating: 1, count: n - 1), window: DICOMWindow(center: 1, width: 1))
        let writer = DICOMWriter(uids: try DICOMUIDGenerator())
        #expect(throws: MRIIOError.self) {
            _ = try writer.write(study: DICOMStudyInfo(), geometry: DICOMGeometry(), series: [good, bad], to: dir)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "partial output left behind")
    }

    @Test("an unwritable --dicom DIR gives a one-line error and writes nothing")
    func unwritableDirectory() throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let recon = scratch.appendingPathComponent("recon.h5")
        try DICOMFixture.writeReconstruction(to: recon)
        // The parent of DIR is a regular file: no directory can be made there, even as root.
        let blocker = scratch.appendingPathComponent("blocker")
        try Data("x".utf8).write(to: blocker)
        let r = try Fixtures.run(DICOMFixture.binary, ["export", recon.path, "--dicom", blocker.appendingPathComponent("out").path])
        #expect(r.status != 0)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.hasPrefix("mri-daps: error: ") && r.stderr.contains("blocker/out"), "stderr: \(r.stderr)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: scratch.path)) == ["recon.h5", "blocker"])
    }

    @Test("--dicom-variance: a fourth series VARMAP, the variance as a float32 Parametric Map (exact, quantity Variance C1711260 UMLS), dciodvfy-clean; not written without the option",
          .enabled(if: DICOMFixture.hasPydicom))
    func varianceMap() throws {
        var options = DICOMExport.Options()
        options.includeVariance = true
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dir = scratch.appendingPathComponent("study")
        let summary = try DICOMExport.export(mean: DICOMFixture.mean, standardDeviation: DICOMFixture.std, variance: DICOMFixture.variance,
                                             attributes: DICOMFixture.attributes, header: DICOMFixture.header, to: dir, options: options)
        #expect(summary.wroteVariance && summary.result.series.count == 4)
        try DICOMFixture.writeRaw(DICOMFixture.mean.storage, to: scratch.appendingPathComponent("mean.f32"))
        try DICOMFixture.writeRaw(DICOMFixture.std.storage, to: scratch.appendingPathComponent("std.f32"))
        try DICOMFixture.writeRaw(DICOMFixture.variance.storage, to: scratch.appendingPathComponent("variance.f32"))
        let series = try Self.readBack(dir, scratch: scratch)
        #expect(Set(series.keys) == ["MEAN", "STD", "STDMAP", "VARMAP"])
        let v = try #require(series["VARMAP"])
        #expect(v["sop_class"] as? String == DICOMWriter.parametricMapStorage)
        #expect(v["exact"] as? Bool == true)
        #expect(v["quantity"] as? String == "C1711260")
        #expect(v["image_type"] as? [String] == ["DERIVED", "PRIMARY", "VOLUME", "VARIANCE"])
        #expect(v["series_number"] as? Int == 4 && v["study"] as? [String] == [summary.result.studyInstanceUID])
        if let dciodvfy = Fixtures.executable("dciodvfy") {
            for f in DICOMFixture.dicomFiles(in: dir) where f.path.contains("VARMAP") {
                let report = try Fixtures.run(dciodvfy, [f.path])
                let text = report.stdout + report.stderr
                #expect(!text.split(separator: "\n").contains { $0.hasPrefix("Error") }, "\(text)")
                #expect(text.contains("ParametricMap"))
            }
        }
        // Without the option a given variance is not written.
        let plain = try DICOMExport.export(mean: DICOMFixture.mean, standardDeviation: DICOMFixture.std, variance: DICOMFixture.variance,
                                           attributes: DICOMFixture.attributes, header: DICOMFixture.header,
                                           to: scratch.appendingPathComponent("plain"), options: DICOMExport.Options())
        #expect(!plain.wroteVariance && plain.result.series.count == 3)
    }

    @Test("export CLI: three series with posterior_std (four with --dicom-variance); only the mean series (and a note) without it")
    func exportCommand() throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let full = scratch.appendingPathComponent("full.h5"), meanOnly = scratch.appendingPathComponent("mean.h5")
        try DICOMFixture.writeReconstruction(to: full)
        try DICOMFixture.writeReconstruction(to: meanOnly, withStd: false)

        let a = try Fixtures.run(DICOMFixture.binary, ["export", full.path, "--dicom", scratch.appendingPathComponent("a").path])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("a").path).sorted()
                == [".mri-daps-study", "S001_MEAN", "S002_STD", "S003_STDMAP"])
        #expect(a.stdout.contains("3 series, 7 files"))
        let v = try Fixtures.run(DICOMFixture.binary, ["export", full.path, "--dicom", scratch.appendingPathComponent("v").path, "--dicom-variance"])
        #expect(v.status == 0 && v.stdout.contains("4 series, 8 files"), "\(v.stdout) \(v.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("v").path).sorted()
                == [".mri-daps-study", "S001_MEAN", "S002_STD", "S003_STDMAP", "S004_VARMAP"])

        let b = try Fixtures.run(DICOMFixture.binary, ["export", meanOnly.path, "--dicom", scratch.appendingPathComponent("b").path])
        #expect(b.status == 0, "\(b.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("b").path).sorted()
                == [".mri-daps-study", "S001_MEAN"])
        #expect(b.stderr.contains("no posterior_std"))

        // A second export into the same, now non-empty, directory is refused without --force.
        let c = try Fixtures.run(DICOMFixture.binary, ["export", full.path, "--dicom", scratch.appendingPathComponent("a").path])
        #expect(c.status != 0 && c.stderr.contains("output exists"), "\(c.stderr)")
        let d = try Fixtures.run(DICOMFixture.binary, ["export", full.path, "--dicom", scratch.appendingPathComponent("a").path, "--force"])
        #expect(d.status == 0, "\(d.stderr)")
    }
}
