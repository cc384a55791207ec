import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

@Suite struct FastMRIWriterTests {
    private static let header = ISMRMRDHeader.minimal(
        encodedMatrix: .init(x: 12, y: 10), encodedFOV: .init(x: 280, y: 140, z: 4.5),
        reconMatrix: .init(x: 8, y: 8), reconFOV: .init(x: 140, y: 140, z: 3))

    private func targets(slices: Int) -> FloatArray {
        var t = FloatArray(zeros: [slices, 8, 8])
        for s in 0..<slices { for h in 0..<8 { for w in 0..<8 { t[s, h, w] = IOFixtures.targetValue(s, h, w) } } }
        return t
    }

    private func writeTrain(to url: URL, overwrite: Bool = false) throws -> (ComplexArray, FloatArray) {
        let k = IOFixtures.kspaceVolume(slices: 2, coils: 3, height: 12, width: 10)
        let t = targets(slices: 2)
        try FastMRIWriter.write(
            kspace: k, to: url, layout: .train, targets: ["reconstruction_rss": t],
            attributes: FastMRIAttributes(acquisition: "CORPD_FBK", patientID: "p01", extra: ["seed": .integer(42), "note": .string("sim")]),
            header: Self.header, overwrite: overwrite)
        return (k, t)
    }

    @Test("train layout: writer → reader returns identical k-space, targets, attributes, header")
    func trainRoundTrip() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("train.h5")
        let (k, t) = try writeTrain(to: url)
        let f = try FastMRIFile(contentsOf: url)
        #expect(f.layout == .train)
        #expect(f.slices == 2 && f.sliceShape == SliceShape(coils: 3, height: 12, width: 10))
        for s in 0..<2 {
            #expect(try f.readSlice(s) == k.item(s))
            #expect(try f.readTarget(slice: s) == t.item(s))
        }
        #expect(f.info.acquisition == "CORPD_FBK")
        #expect(f.info.patientID == "p01")
        #expect(f.info.max == Double(t.max))
        let norm = t.storage.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(f.info.norm! - norm) < 1e-12 * norm)
        // Every output carries the writer mark that `--force` checks (OutputOwnership).
        #expect(f.info.otherAttributes == ["seed": .integer(42), "note": .string("sim"), "software": .string("mri-daps")])
        #expect(f.header == Self.header)
        // No temporary file is left beside the output.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["train.h5"])
    }

    @Test("single-coil and test layouts round-trip; test k-space is masked, mask is h5py bool")
    func singleCoilAndTestRoundTrip() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let single = dir.appendingPathComponent("single.h5")
        let k1 = IOFixtures.kspaceVolume(slices: 2, coils: 1, height: 12, width: 10).reshaped([2, 12, 10])
        let t = targets(slices: 2)
        var esc = t
        esc = esc.mapElements { 2 * $0 }
        try FastMRIWriter.write(
            kspace: k1, to: single, layout: .train, singleCoil: true,
            targets: ["reconstruction_esc": esc, "reconstruction_rss": t])
        let f1 = try FastMRIFile(contentsOf: single)
        #expect(f1.info.isSingleCoil)
        #expect(f1.info.datasets["kspace"]?.shape == [2, 12, 10])
        #expect(try f1.readSlice(1) == k1.item(1).reshaped([1, 12, 10]))
        #expect(try f1.readTarget(name: "reconstruction_esc", slice: 0) == esc.item(0))
        #expect(f1.info.max == Double(t.max))  // max/norm come from reconstruction_rss

        let test = dir.appendingPathComponent("test.h5")
        let mask: [Float] = [1, 0, 0, 1, 1, 1, 0, 0, 1, 0]
        let k = IOFixtures.kspaceVolume(slices: 1, coils: 3, height: 12, width: 10)
        try FastMRIWriter.write(
            kspace: k, to: test, layout: .test, mask: mask,
            attributes: FastMRIAttributes(acceleration: 4, numLowFrequencies: 2))
        let f = try FastMRIFile(contentsOf: test)
        #expect(f.layout == .test)
        #expect(f.mask == mask)
        #expect(f.info.datasets["mask"]?.type == .boolean)
        #expect(f.info.acceleration == 4 && f.info.numLowFrequencies == 2)
        let r = try f.readSlice(0)
        #expect(r[1, 7, 3] == IOFixtures.kspaceValue(0, 1, 7, 3))
        #expect(r[1, 7, 2] == .zero)
        #expect(f.header == nil)
    }

    @Test("h5py reads our train and test files as fastMRI does (complex64, shapes, values, attrs)",
          .enabled(if: IOFixtures.hasPythonH5py))
    func h5pyReadsOurFiles() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let train = dir.appendingPathComponent("train.h5")
        _ = try writeTrain(to: train)
        let test = dir.appendingPathComponent("test.h5")
        try FastMRIWriter.write(
            kspace: IOFixtures.kspaceVolume(slices: 1, coils: 3, height: 12, width: 10), to: test, layout: .test,
            mask: [1, 0, 0, 1, 1, 1, 0, 0, 1, 0], attributes: FastMRIAttributes(acceleration: 4, numLowFrequencies: 2))
        let script = """
            import json, sys, h5py, numpy as np
            import xml.etree.ElementTree as ET
            out = {}
            with h5py.File(sys.argv[1], "r") as f:
                k = f["kspace"][()]
                s, c, h, w = np.meshgrid(*[np.arange(n) for n in k.shape], indexing="ij")
                v = (s * 10000 + c * 1000 + h * 10 + w).astype(np.float64)
                expect = (v + 1j * (-0.5 * v - 0.25)).astype(np.complex64)
                t = f["reconstruction_rss"][()]
                hdr = f["ismrmrd_header"][()]
                et = ET.fromstring(hdr)
                ns = {"i": "http://www.ismrm.org/ISMRMRD"}
                out["train"] = {"dtype": str(k.dtype), "shape": list(k.shape), "exact": bool((k == expect).all()),
                    "tdtype": str(t.dtype), "tshape": list(t.shape), "t153": float(t[1, 5, 3]),
                    "acq": f.attrs["acquisition"], "pid": f.attrs["patient_id"], "seed": int(f.attrs["seed"]),
                    "max": float(f.attrs["max"]), "norm": float(f.attrs["norm"]),
                    "norm_np": float(np.linalg.norm(t.astype(np.float64))), "max_np": float(t.max()),
                    "hdr_type": type(hdr).__name__,
                    "enc_y": int(et.find("i:encoding/i:encodedSpace/i:matrixSize/i:y", ns).text)}
            with h5py.File(sys.argv[2], "r") as f:
                m = f["mask"][()]
                k = f["kspace"][()]
                out["test"] = {"mdtype": str(m.dtype), "mask": [int(x) for x in m], "kdtype": str(k.dtype),
                    "zeros_ok": bool((k[..., ~m] == 0).all()), "nonzero_ok": bool((k[..., m] != 0).all()),
                    "acc": int(f.attrs["acceleration"]), "nlf": int(f.attrs["num_low_frequency"]),
                    "acc_type": type(f.attrs["acceleration"]).__name__}
            print(json.dumps(out))
            """
        let out = try IOFixtures.python(script, [train.path, test.path])
        let tr = try #require(out["train"] as? [String: Any])
        #expect(tr["dtype"] as? String == "complex64")
        #expect(tr["shape"] as? [Int] == [2, 3, 12, 10])
        #expect(tr["exact"] as? Bool == true)
        #expect(tr["tdtype"] as? String == "float32")
        #expect(tr["tshape"] as? [Int] == [2, 8, 8])
        #expect((tr["t153"] as? Double).map(Float.init) == IOFixtures.targetValue(1, 5, 3))
        #expect(tr["acq"] as? String == "CORPD_FBK")
        #expect(tr["pid"] as? String == "p01")
        #expect(tr["seed"] as? Int == 42)
        #expect(tr["max"] as? Double == tr["max_np"] as? Double)
        let norm = try #require(tr["norm"] as? Double), normNP = try #require(tr["norm_np"] as? Double)
        #expect(abs(norm - normNP) < 1e-12 * normNP)
        // Same Python type as h5py gives for a NumPy-bytes header (how fastMRI files store it).
        #expect(tr["hdr_type"] as? String == "bytes_")
        #expect(tr["enc_y"] as? Int == 10)
        let te = try #require(out["test"] as? [String: Any])
        #expect(te["mdtype"] as? String == "bool")
        #expect(te["mask"] as? [Int] == [1, 0, 0, 1, 1, 1, 0, 0, 1, 0])
        #expect(te["kdtype"] as? String == "complex64")
        #expect(te["zeros_ok"] as? Bool == true)
        #expect(te["nonzero_ok"] as? Bool == true)
        #expect(te["acc"] as? Int == 4)
        #expect(te["nlf"] as? Int == 2)
        #expect(te["acc_type"] as? String == "int64")
    }

    @Test("existing output is refused unless overwrite; an unfinished writer leaves nothing")
    func overwriteAndPartialOutput() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.h5")
        _ = try writeTrain(to: url)
        #expect(throws: MRIIOError.exists(file: url.path)) { _ = try writeTrain(to: url) }
        _ = try writeTrain(to: url, overwrite: true)
        #expect(try FastMRIFile(contentsOf: url).slices == 2)

        let partial = dir.appendingPathComponent("partial.h5")
        do {
            let w = try FastMRIWriter(
                url: partial, layout: .kspaceOnly, slices: 2, sliceShape: SliceShape(coils: 1, height: 4, width: 4))
            try w.writeSlice(0, kspace: ComplexArray(zeros: [1, 4, 4]))
            #expect(throws: MRIIOError.writeFailed(file: partial.path, reason: "slice 1 was never written")) { try w.finish() }
            #expect(throws: MRIIOError.wrongShape(file: partial.path, dataset: "kspace", expected: "[1, 4, 4]", actual: [2, 4, 4])) {
                try w.writeSlice(1, kspace: ComplexArray(zeros: [2, 4, 4]))
            }
            #expect(throws: MRIIOError.sliceOutOfRange(file: partial.path, slice: 2, slices: 2)) {
                try w.writeSlice(2, kspace: ComplexArray(zeros: [1, 4, 4]))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.h5"])
        #expect(throws: MRIIOError.maskLengthMismatch(file: partial.path, maskLength: 3, width: 4)) {
            try FastMRIWriter(
                url: partial, layout: .test, slices: 1, sliceShape: SliceShape(coils: 1, height: 4, width: 4), mask: [1, 0, 1])
        }
        let missingDir = dir.appendingPathComponent("nope/x.h5")
        #expect(throws: MRIIOError.self) { _ = try writeTrain(to: missingDir) }
    }

    @Test("ReconstructionWriter: reconstruction + posterior_std + attributes, read by us and by h5py")
    func reconstructionWriter() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("recon.h5")
        let rec = targets(slices: 3)
        var std = rec
        std = std.mapElements { $0 / 10 }
        try ReconstructionWriter.write(
            reconstruction: rec, extras: ["posterior_std": std],
            attributes: ["method": .string("daps"), "samples": .integer(8), "acceleration": .real(4)], to: url)
        let h = try HDF5File(readingFrom: url)
        #expect(try h.datasetInfo("reconstruction") == HDF5DatasetInfo(shape: [3, 8, 8], type: .float32))
        #expect(try h.readFloat("reconstruction") == rec)
        #expect(try h.readFloat("posterior_std", start: [2, 0, 0], count: [1, 8, 8]) == std.item(2).reshaped([1, 8, 8]))
        #expect(try h.attributes() == ["method": .string("daps"), "samples": .integer(8), "acceleration": .real(4),
                                       "software": .string("mri-daps")])
        h.close()
        #expect(throws: MRIIOError.exists(file: url.path)) { try ReconstructionWriter.write(reconstruction: rec, to: url) }
        guard IOFixtures.hasPythonH5py else { return }
        let out = try IOFixtures.python("""
            import json, sys, h5py
            with h5py.File(sys.argv[1], "r") as f:
                r = f["reconstruction"]; s = f["posterior_std"]
                print(json.dumps({"dtype": str(r.dtype), "shape": list(r.shape), "v": float(r[2, 7, 6]),
                    "s": float(s[1, 2, 3]), "method": f.attrs["method"], "samples": int(f.attrs["samples"])}))
            """, [url.path])
        #expect(out["dtype"] as? String == "float32")
        #expect(out["shape"] as? [Int] == [3, 8, 8])
        // Compare in float32: the values are float32 on disk (JSON decimal → Double may round).
        #expect((out["v"] as? Double).map(Float.init) == rec[2, 7, 6])
        #expect((out["s"] as? Double).map(Float.init) == std[1, 2, 3])
        #expect(out["method"] as? String == "daps")
        #expect(out["samples"] as? Int == 8)
    }

    @Test("HDF5File attributes: string, integer and real values round-trip; replacing works")
    func attributeRoundTrip() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("a.h5")
        do {
            let h = try HDF5File(creating: url)
            try h.setAttribute("s", .string("ünïcode ✓"))
            try h.setAttribute("i", .integer(-9_007_199_254_740_993))
            try h.setAttribute("d", .real(1e-300))
            try h.setAttribute("i", .integer(5))
            try h.createDataset("x", shape: [2], type: .uint8)
            try h.writeBytes("x", [3, 250])
            try h.setAttribute("unit", .string("mm"), on: "x")
        }
        #expect(throws: MRIIOError.exists(file: url.path)) { try HDF5File(creating: url) }
        let h = try HDF5File(readingFrom: url)
        #expect(try h.attributes() == ["s": .string("ünïcode ✓"), "i": .integer(5), "d": .real(1e-300)])
        #expect(try h.attribute("missing") == nil)
        #expect(try h.attribute("unit", of: "x") == .string("mm"))
        #expect(try h.readFloat("x").storage == [3, 250])
        #expect(try h.datasetInfo("x").type == .integer(bytes: 1, signed: false))
        #expect(try h.rootNames() == ["x"])
        #expect(HDF5AttributeValue.string("4").doubleValue == 4)
    }
}
