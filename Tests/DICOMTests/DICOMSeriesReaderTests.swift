import Foundation
import MRICore
import MRIIO
import MRIPipeline
import Testing
import _TestSupport

/// `DICOMSeriesReader` against pydicom (with GDCM) on real files in every supported transfer syntax.
@Suite struct DICOMSeriesReaderTests {
    typealias F = DICOMReadFixtures

    @Test("MR_small in explicit/implicit little endian, both big endian variants, RLE and JPEG-LS: pixels, geometry and tags equal pydicom's",
          .enabled(if: F.debianReady))
    func mrSmallTransferSyntaxes() throws {
        let names = ["MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_expb.dcm",
                     "MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm"]
        let files = names.map(F.debian)
        let refs = try F.reference(files)
        let twin = try #require(refs[0].pixels)
        for (f, ref) in zip(files, refs) {
            let v = try DICOMSeriesReader().read(f)
            let expected = try #require(ref.pixels, "\(f.lastPathComponent): pydicom failed: \(ref.json["error"] ?? "")")
            #expect(v.pixels.shape == [1, 64, 64])
            #expect(v.pixels.storage == expected, "\(f.lastPathComponent): max diff \(F.maxDifference(v.pixels.storage, expected))")
            #expect(v.pixels.storage == twin, "\(f.lastPathComponent) differs from MR_small.dcm")
            #expect(v.info.transferSyntaxUIDs == [try #require(ref.transferSyntax)], "\(f.lastPathComponent)")
            #expect(v.positions == ref.positions, "\(f.lastPathComponent)")
            #expect(v.geometry.rowDirection + v.geometry.columnDirection == ref.orientation)
            #expect([v.geometry.pixelSpacing.row, v.geometry.pixelSpacing.column] == ref.json["spacing"] as? [Double])
            #expect([v.geometry.sliceThickness] == ref.json["thickness"] as? [Double])
            #expect(v.info.patientName == "CompressedSamples^MR1")
            #expect(v.info.repetitionTime == 4000 && v.info.echoTime == 240)
            #expect(v.info.sopInstanceUIDs == [ref.json["sop"] as? String])
        }
    }

    @Test("deflated explicit little endian (image_dfl.dcm) equals pydicom's pixels", .enabled(if: F.debianReady))
    func deflated() throws {
        let f = F.debian("image_dfl.dcm")
        let ref = try #require(try F.reference([f]).first)
        let v = try DICOMSeriesReader().read(f)
        #expect(v.info.transferSyntaxUIDs == ["1.2.840.10008.1.2.1.99"])
        #expect(v.pixels.shape == [1, 512, 512])
        #expect(v.pixels.storage == ref.pixels)
    }

    @Test("JPEG baseline (8-bit), extended (12-bit) and lossless (process 14, 8 and 16 bit) decode as pydicom/GDCM does",
          .enabled(if: F.debianReady))
    func jpegProcesses() throws {
        var files = [Fixtures.url("dicom/MR_small_jpeg_baseline.dcm"), F.debian("JPGExtended.dcm")]
        if F.pydicomDataReady { files += [F.data("JPEG-LL.dcm"), F.data("JPGLosslessP14SV1_1s_1f_8b.dcm")] }
        let refs = try F.reference(files)
        for (f, ref) in zip(files, refs) {
            let v = try DICOMSeriesReader().read(f)
            let expected = try #require(ref.pixels, "\(f.lastPathComponent): pydicom failed: \(ref.json["error"] ?? "")")
            #expect(v.pixels.shape == [1, ref.json["rows"] as! Int, ref.json["columns"] as! Int])
            // Lossless: exact. Lossy: both decoders are IJG-based; allow one grey level of IDCT rounding.
            let lossy = f.lastPathComponent.contains("baseline") || f.lastPathComponent.contains("Extended")
            let d = F.maxDifference(v.pixels.storage, expected)
            #expect(d <= (lossy ? 1 : 0), "\(f.lastPathComponent): max diff \(d)")
            #expect(v.info.transferSyntaxUIDs == [try #require(ref.transferSyntax)])
            #expect(v.pixels.storage.max()! > 0)
        }
    }

    @Test("multi-frame MR (pydicom-data emri_small: Enhanced MR, functional groups stripped) in little/big endian, RLE, JPEG-LS: 10 frames in stored order, pixels equal pydicom's",
          .enabled(if: F.pydicomDataReady))
    func multiFrame() throws {
        let names = ["emri_small.dcm", "emri_small_big_endian.dcm", "emri_small_RLE.dcm", "emri_small_jpeg_ls_lossless.dcm"]
        let files = names.map(F.data)
        let refs = try F.reference(files)
        for (f, ref) in zip(files, refs) {
            let v = try DICOMSeriesReader().read(f)
            let expected = try #require(ref.pixels)
            #expect(v.pixels.shape == [10, 64, 64])
            // No positions in these files: frames keep their order (InstanceNumber, then frame index).
            #expect(v.order == .instanceNumber && v.positions == nil)
            #expect(v.info.frameIndices == Array(0..<10))
            #expect(v.pixels.storage == expected, "\(f.lastPathComponent): max diff \(F.maxDifference(v.pixels.storage, expected))")
            #expect(v.geometry.spacingBetweenSlices == 1.2, "SpacingBetweenSlices (0018,0088)")
            #expect(v.info.transferSyntaxUIDs == [try #require(ref.transferSyntax)])
            #expect(v.info.sopClassUID == "1.2.840.10008.5.1.4.1.1.4.1" && v.info.bodyPartExamined == "HEAD")
        }
    }

    @Test("JPEG 2000 is refused: one line 'unsupported transfer syntax <UID> (<name>) in <FILE>'", .enabled(if: F.pydicomTestFiles != nil))
    func jpeg2000Unsupported() throws {
        var files = [(F.debian("MR_small_jp2klossless.dcm"), "1.2.840.10008.1.2.4.90"), (F.debian("JPEG2000.dcm"), "1.2.840.10008.1.2.4.91")]
        if F.pydicomData != nil { files.append((F.data("emri_small_jpeg_2k_lossless.dcm"), "1.2.840.10008.1.2.4.90")) }
        for (f, uid) in files {
            let e = try #require(F.error { _ = try DICOMSeriesReader().read(f) }, "\(f.lastPathComponent) was read")
            guard case .unsupportedTransferSyntax(let file, let u, let name) = e else {
                Issue.record("\(f.lastPathComponent): \(e)")
                continue
            }
            #expect(file == f.path && u == uid && name.contains("JPEG 2000"))
            #expect(e.description == "unsupported transfer syntax \(uid) (\(name)) in \(f.path)")
            #expect(!e.description.contains("\n"))
        }
    }

    @Test("bad input: truncated, not DICOM, colour, missing → one-line errors naming the file", .enabled(if: F.pydicomTestFiles != nil))
    func badInput() throws {
        let tmp = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let text = tmp.appendingPathComponent("notes.dcm")
        try Data("this is not a DICOM file\n".utf8).write(to: text)
        let cases: [(URL, String)] = [
            (F.debian("MR_truncated.dcm"), "truncated"), (text, "not a DICOM file"),
            (F.debian("SC_rgb_rle.dcm"), "colour"), (F.debian("ExplVR_BigEnd.dcm"), "colour"),
            (tmp.appendingPathComponent("absent.dcm"), "file not found"),
        ]
        for (f, phrase) in cases {
            let e = try #require(F.error { _ = try DICOMSeriesReader().read(f) }, "\(f.lastPathComponent) was read")
            #expect(e.description.contains(f.path), "\(e)")
            #expect(e.description.contains(phrase), "\(f.lastPathComponent): \(e)")
            #expect(!e.description.contains("\n"))
        }
    }

    @Test("DICOMDIR: its 13 series are listed; the chosen 5-slice CT series is read in position order and equals pydicom",
          .enabled(if: F.debianReady))
    func dicomdir() throws {
        let dir = F.debian("dicomdirtests/DICOMDIR")
        let series = try DICOMSeriesReader.series(in: dir)
        #expect(series.count == 13)
        let e = try #require(F.error { _ = try DICOMSeriesReader().read(dir) })
        #expect(e.description.contains("13 series found") && e.description.contains("SmartScore"))
        let uid = "1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6"
        #expect(series.first { $0.seriesInstanceUID == uid }?.frames == 5)
        let v = try DICOMSeriesReader(seriesInstanceUID: uid).read(dir)
        let files = ["2062", "2392", "2693", "3023", "3353"].map { F.debian("dicomdirtests/98892001/CT5N/\($0)") }
        let refs = try F.reference(files)
        let o = try #require(refs[0].orientation)
        let order = refs.indices.sorted { F.distance(refs[$0].positions[0], o) < F.distance(refs[$1].positions[0], o) }
        #expect(v.pixels.shape == [5, 16, 16])
        #expect(v.order == .position)
        #expect(v.info.sourceFiles == order.map { files[$0].path })
        #expect(v.positions == order.map { refs[$0].positions[0] })
        #expect(v.pixels.storage == order.flatMap { refs[$0].pixels! }, "CT values (with rescale) differ from pydicom's")
        #expect(v.info.modality == "CT")
    }

    @Test("folder: non-DICOM files ignored, several series listed, --series picks one, mismatched Rows/Columns names the file",
          .enabled(if: F.debianReady))
    func folder() throws {
        let tmp = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let sub = tmp.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: F.debian("MR_small.dcm"), to: tmp.appendingPathComponent("mr1"))
        try FileManager.default.copyItem(at: F.debian("CT_small.dcm"), to: sub.appendingPathComponent("ct1.dcm"))
        try Data("notes\n".utf8).write(to: sub.appendingPathComponent("README.txt"))
        try Data(repeating: 7, count: 300).write(to: tmp.appendingPathComponent("blob.bin"))
        let e = try #require(F.error { _ = try DICOMSeriesReader().read(tmp) })
        #expect(e.description.contains("2 series found") && e.description.contains(tmp.path), "\(e)")
        let refs = try F.reference([F.debian("MR_small.dcm"), F.debian("CT_small.dcm")])
        let mrUID = try #require(refs[0].json["series"] as? String), ctUID = try #require(refs[1].json["series"] as? String)
        #expect(e.description.contains(mrUID) && e.description.contains(ctUID))
        let mr = try DICOMSeriesReader(seriesInstanceUID: mrUID).read(tmp)
        #expect(mr.pixels.storage == refs[0].pixels)
        let ct = try DICOMSeriesReader(seriesInstanceUID: ctUID).read(tmp)
        #expect(ct.pixels.storage == refs[1].pixels, "CT with RescaleSlope/Intercept differs from pydicom's modality LUT")

        // A 32×32 image in the MR series, 5 mm further along the normal.
        let odd = sub.appendingPathComponent("mr2.dcm")
        let code = """
            import pydicom, sys
            d = pydicom.dcmread(sys.argv[1]); a = d.pixel_array[:32, :32].copy()
            d.PixelData = a.tobytes(); d.Rows = d.Columns = 32; d.SOPInstanceUID = d.SOPInstanceUID + '.9'
            d.ImagePositionPatient = [d.ImagePositionPatient[0], d.ImagePositionPatient[1], float(d.ImagePositionPatient[2]) + 5]
            d.save_as(sys.argv[2])
            """
        let r = try Fixtures.run(F.python, ["-c", code, F.debian("MR_small.dcm").path, odd.path])
        #expect(r.status == 0, "\(r.stderr)")
        let e2 = try #require(F.error { _ = try DICOMSeriesReader(seriesInstanceUID: mrUID).read(tmp) })
        #expect(e2.description.contains(odd.path) && e2.description.contains("32×32") && e2.description.contains("64×64"), "\(e2)")
    }

    @Test("round trip: the MR and Parametric Map series DICOMWriter writes read back with their values and geometry")
    func roundTrip() throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dir = scratch.appendingPathComponent("study")
        let summary = try DICOMExport.export(
            mean: DICOMFixture.mean, standardDeviation: DICOMFixture.std, attributes: DICOMFixture.attributes,
            header: DICOMFixture.header, to: dir, options: DICOMExport.Options())
        let positions: [[Double]] = [[-14.25, -3, 23], [-14.25, 0, 23], [-14.25, 3, 23]]
        let shape = [DICOMFixture.slices, DICOMFixture.rows, DICOMFixture.columns]

        let mean = try DICOMSeriesReader(realWorldValues: true).read(dir.appendingPathComponent("S001_MEAN"))
        #expect(mean.pixels.shape == shape)
        let peak = DICOMFixture.mean.storage.max()!
        let d = F.maxDifference(mean.pixels.storage, DICOMFixture.mean.storage)
        #expect(d <= peak / 4095 / 2 * 1.0001, "12-bit round trip error \(d) exceeds slope/2")
        #expect(mean.positions == positions && mean.order == .position)
        #expect(mean.geometry.rowDirection == [1, 0, 0] && mean.geometry.columnDirection == [0, 0, -1])
        #expect(mean.geometry.pixelSpacing == (2, 1.5) && mean.geometry.sliceThickness == 3 && mean.geometry.spacingBetweenSlices == 3)
        #expect(mean.info.studyInstanceUID == summary.result.studyInstanceUID)
        #expect(mean.info.frameOfReferenceUID == summary.result.frameOfReferenceUID)
        #expect(mean.info.instanceNumbers == [1, 2, 3])
        #expect(mean.info.repetitionTime == 2750 && mean.info.echoTime == 27 && mean.info.patientPosition == "FFS")

        let stored = try DICOMSeriesReader().read(dir.appendingPathComponent("S001_MEAN"))
        #expect(stored.pixels.storage.allSatisfy { $0 == $0.rounded() && $0 >= 0 && $0 <= 4095 } && stored.pixels.storage.max() == 4095)

        let map = try DICOMSeriesReader().read(dir.appendingPathComponent("S003_STDMAP"))
        #expect(map.pixels.shape == shape)
        #expect(map.pixels.storage == DICOMFixture.std.storage, "float32 Parametric Map must round-trip exactly")
        #expect(map.positions == positions && map.info.frameIndices == [0, 1, 2])
        #expect(map.geometry.pixelSpacing == (2, 1.5))
        #expect(map.info.sopClassUID == DICOMWriter.parametricMapStorage)

        let e = try #require(F.error { _ = try DICOMSeriesReader().read(dir) })
        #expect(e.description.contains("3 series found"))
    }

    @Test("MPRAGE (shared data): 176 slices of 256×256, sorted and evenly spaced along the normal, pixels equal pydicom's",
          .enabled(if: Fixtures.sharedData.map { FileManager.default.fileExists(atPath: $0.appendingPathComponent("brain/mprage-trio-dicom").path) } ?? false
                   && DICOMReadFixtures.debianReady))
    func mprage() throws {
        let folder = Fixtures.sharedData!.appendingPathComponent("brain/mprage-trio-dicom")
        let v = try DICOMSeriesReader().read(folder)
        #expect(v.pixels.shape == [176, 256, 256])
        #expect(v.order == .position)
        let o = v.geometry.rowDirection + v.geometry.columnDirection
        let d = try #require(v.positions).map { F.distance($0, o) }
        let steps = zip(d.dropFirst(), d).map { $0 - $1 }
        #expect(steps.allSatisfy { abs($0 - v.geometry.spacingBetweenSlices) < 1e-3 && $0 > 0 }, "uneven steps \(steps.min()!)…\(steps.max()!)")
        #expect(abs(v.geometry.spacingBetweenSlices - v.geometry.sliceThickness) < 1e-3)
        let picks = [0, 88, 175]
        let refs = try F.reference(picks.map { URL(fileURLWithPath: v.info.sourceFiles[$0]) })
        let plane = 256 * 256
        for (k, ref) in zip(picks, refs) {
            let slice = Array(v.pixels.storage[(k * plane)..<((k + 1) * plane)])
            #expect(slice == ref.pixels, "slice \(k)")
            #expect(v.positions?[k] == ref.positions[0])
            #expect(v.info.sopInstanceUIDs[k] == ref.json["sop"] as? String)
        }
        #expect(v.info.modality == "MR" && v.info.seriesInstanceUID != nil && v.info.transferSyntaxUIDs.count == 1)
    }
}
