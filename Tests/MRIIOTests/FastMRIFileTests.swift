import Foundation
import MRICore
import MRIIO
import Testing
import _TestSupport

@Suite struct FastMRIFileTests {
    @Test("multi-coil train file: shape, layout and every k-space value of every slice")
    func multiCoilTrainValues() throws {
        let f = try FastMRIFile(contentsOf: IOFixtures.url("multicoil_train.h5"))
        #expect(f.slices == 2)
        #expect(f.sliceShape == SliceShape(coils: 3, height: 12, width: 10))
        #expect(f.layout == .train)
        #expect(!f.info.isSingleCoil)
        #expect(f.info.kspaceType == .complex64)
        #expect(f.mask == nil)
        for s in 0..<2 {
            let k = try f.readSlice(s)
            #expect(k.shape == [3, 12, 10])
            var mismatches = 0
            for c in 0..<3 {
                for h in 0..<12 {
                    for w in 0..<10 where k[c, h, w] != IOFixtures.kspaceValue(s, c, h, w) { mismatches += 1 }
                }
            }
            #expect(mismatches == 0, "slice \(s)")
        }
    }

    @Test("train file: targets, attributes and header are read")
    func multiCoilTrainMetadata() throws {
        let f = try FastMRIFile(contentsOf: IOFixtures.url("multicoil_train.h5"))
        let i = f.info
        #expect(i.targets == [.init(name: "reconstruction_rss", shape: [2, 8, 8])])
        #expect(i.acquisition == "CORPD_FBK")
        #expect(i.patientID == "a1b2c3d4e5")
        #expect(i.max == 163.5)  // max of 100s + 8h + w + 0.5 over s<2, h,w<8
        // norm = sqrt(Σ target²), computed here from the formula (NumPy wrote a float32 norm).
        var ss = 0.0
        for s in 0..<2 { for h in 0..<8 { for w in 0..<8 { ss += pow(Double(IOFixtures.targetValue(s, h, w)), 2) } } }
        #expect(abs(i.norm! - ss.squareRoot()) < 1e-6 * ss.squareRoot())
        #expect(i.otherAttributes == ["custom_int": .integer(7), "custom_str": .string("hello")])
        #expect(i.acceleration == nil && i.numLowFrequencies == nil)
        #expect(i.header?.encodedSpace?.matrixSize == .init(x: 12, y: 10, z: 1))
        #expect(i.header?.acquiredPhaseEncodeWindow == 1..<9)
        #expect(i.datasets["reconstruction_rss"] == HDF5DatasetInfo(shape: [2, 8, 8], type: .float32))
        #expect(i.datasets["ismrmrd_header"]?.type == .string)
        for s in 0..<2 {
            let t = try f.readTarget(slice: s)
            #expect(t.shape == [8, 8])
            #expect(t[3, 5] == IOFixtures.targetValue(s, 3, 5))
            #expect(t[7, 7] == IOFixtures.targetValue(s, 7, 7))
        }
        #expect(throws: MRIIOError.missingDataset(file: f.path, dataset: "reconstruction_esc")) {
            try f.readTarget(name: "reconstruction_esc", slice: 0)
        }
    }

    @Test("single-coil file: rank-3 kspace read as one coil; esc and rss targets")
    func singleCoil() throws {
        let f = try FastMRIFile(contentsOf: IOFixtures.url("singlecoil_train.h5"))
        #expect(f.info.isSingleCoil)
        #expect(f.sliceShape == SliceShape(coils: 1, height: 12, width: 10))
        #expect(f.info.targets.map(\.name) == ["reconstruction_rss", "reconstruction_esc"])
        let k = try f.readSlice(1)
        #expect(k.shape == [1, 12, 10])
        #expect(k[0, 11, 9] == IOFixtures.kspaceValue(1, 0, 11, 9))
        #expect(k[0, 0, 0] == IOFixtures.kspaceValue(1, 0, 0, 0))
        let esc = try f.readTarget(name: "reconstruction_esc", slice: 1)
        #expect(esc[2, 6] == 2 * IOFixtures.targetValue(1, 2, 6))
        #expect(f.info.acquisition == "CORPDFS_FBK")
    }

    @Test("test layout: bool mask, acceleration, num_low_frequency, masked k-space")
    func testLayout() throws {
        let f = try FastMRIFile(contentsOf: IOFixtures.url("multicoil_test.h5"))
        #expect(f.layout == .test)
        #expect(f.mask == [1, 0, 0, 0, 1, 1, 0, 0, 1, 0])
        #expect(f.info.sampledColumns == 4)
        #expect(f.info.acceleration == 4)
        #expect(f.info.numLowFrequencies == 2)
        #expect(f.info.datasets["mask"]?.type == .boolean)
        let k = try f.readSlice(0)
        #expect(k[2, 5, 4] == IOFixtures.kspaceValue(0, 2, 5, 4))
        #expect(k[2, 5, 3] == .zero)
    }

    @Test("uint8 and float32 masks are accepted and read as 0/1")
    func otherMaskTypes() throws {
        for (name, type) in [("mask_uint8.h5", HDF5ElementType.integer(bytes: 1, signed: false)), ("mask_float32.h5", .float32)] {
            let f = try FastMRIFile(contentsOf: IOFixtures.url(name))
            #expect(f.mask == [1, 0, 1, 1, 0, 1], "\(name)")
            #expect(f.info.datasets["mask"]?.type == type)
            #expect(f.layout == .test)
        }
    }

    @Test("complex128 k-space is converted to complex64")
    func complex128() throws {
        let f = try FastMRIFile(contentsOf: IOFixtures.url("complex128.h5"))
        #expect(f.info.kspaceType == .complex128)
        #expect(f.layout == .kspaceOnly)
        let k = try f.readSlice(0)
        #expect(k[1, 3, 5] == IOFixtures.kspaceValue(0, 1, 3, 5))
    }

    @Test("slice indices outside 0..<slices throw sliceOutOfRange")
    func sliceOutOfRange() throws {
        let f = try FastMRIFile(contentsOf: IOFixtures.url("multicoil_train.h5"))
        #expect(throws: MRIIOError.sliceOutOfRange(file: f.path, slice: 2, slices: 2)) { try f.readSlice(2) }
        #expect(throws: MRIIOError.sliceOutOfRange(file: f.path, slice: -1, slices: 2)) { try f.readSlice(-1) }
        #expect(throws: MRIIOError.sliceOutOfRange(file: f.path, slice: 5, slices: 2)) { try f.readTarget(slice: 5) }
    }

    @Test("NaN in a slice: that slice throws nonFinite, the clean slice reads")
    func nonFinite() throws {
        let f = try FastMRIFile(contentsOf: IOFixtures.url("nan_kspace.h5"))
        let k0 = try f.readSlice(0)
        #expect(k0[1, 2, 3] == IOFixtures.kspaceValue(0, 1, 2, 3))
        #expect(throws: MRIIOError.nonFinite(file: f.path, slice: 1)) { try f.readSlice(1) }
    }

    @Test("bad files throw the matching MRIIOError naming the file")
    func badFiles() throws {
        let cases: [(String, MRIIOError)] = [
            ("does_not_exist.h5", .notFound(file: IOFixtures.path("does_not_exist.h5"))),
            ("not_hdf5.h5", .notHDF5(file: IOFixtures.path("not_hdf5.h5"))),
            ("no_kspace.h5", .missingDataset(file: IOFixtures.path("no_kspace.h5"), dataset: "kspace")),
            ("wrong_rank.h5", .wrongShape(
                file: IOFixtures.path("wrong_rank.h5"), dataset: "kspace",
                expected: "(slices, coils, H, W) or (slices, H, W)", actual: [4, 6])),
            ("real_kspace.h5", .wrongType(file: IOFixtures.path("real_kspace.h5"), dataset: "kspace", expected: "complex64")),
            ("mask_wrong_length.h5", .maskLengthMismatch(file: IOFixtures.path("mask_wrong_length.h5"), maskLength: 7, width: 10)),
            ("zero_coils.h5", .zeroCoils(file: IOFixtures.path("zero_coils.h5"))),
        ]
        for (name, expected) in cases {
            #expect(throws: expected, "\(name)") { try FastMRIFile(contentsOf: IOFixtures.url(name)) }
            #expect(expected.description.hasPrefix(IOFixtures.path(name)))
            #expect(!expected.description.contains("\n"))
        }
        // A broken ismrmrd_header makes the file unreadable, naming the file.
        let e = #expect(throws: MRIIOError.self) { try FastMRIFile(contentsOf: IOFixtures.url("bad_header.h5")) }
        guard case .malformedHeader(let file, _) = e else {
            Issue.record("expected malformedHeader, got \(String(describing: e))")
            return
        }
        #expect(file == IOFixtures.path("bad_header.h5"))
    }

    @Test("inspect returns the same facts as opening")
    func inspect() throws {
        let info = try FastMRIFile.inspect(IOFixtures.url("multicoil_test.h5"))
        let f = try FastMRIFile(contentsOf: IOFixtures.url("multicoil_test.h5"))
        #expect(info == f.info)
        #expect(Set(info.datasets.keys) == ["kspace", "mask", "ismrmrd_header"])
        #expect(info.header?.acquisitionSystem.systemModel == "Skyra")
    }

    @Test("HDF5File hyperslab reads select exactly the requested block")
    func hyperslab() throws {
        let h = try HDF5File(readingFrom: IOFixtures.url("multicoil_train.h5"))
        let block = try h.readComplex("kspace", start: [1, 2, 3, 4], count: [1, 1, 2, 3])
        #expect(block.shape == [1, 1, 2, 3])
        #expect(block[0, 0, 0, 0] == IOFixtures.kspaceValue(1, 2, 3, 4))
        #expect(block[0, 0, 1, 2] == IOFixtures.kspaceValue(1, 2, 4, 6))
        #expect(throws: MRIIOError.self) { try h.readComplex("kspace", start: [1, 2, 3, 4], count: [2, 1, 1, 1]) }
        #expect(throws: MRIIOError.wrongType(file: h.path, dataset: "reconstruction_rss", expected: "complex64")) {
            try h.readComplex("reconstruction_rss")
        }
        h.close()
        #expect(throws: MRIIOError.self) { try h.datasetInfo("kspace") }
    }
}
