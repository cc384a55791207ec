import Foundation
import MRICore
import MRIIO
import MRIPipeline
import NeuralPrior

/// The generated part of the seed corpora (Tests/Fuzz/corpus/<target>/, made by
/// scripts/make-fuzz-corpus.sh, which also copies small files of Tests/Fixtures): small valid
/// inputs written by mri-daps's own writers, so the fuzzer starts from files that pass the
/// structure checks. Deterministic except for DICOM UIDs and dates.
enum SeedCorpus {
    /// Writes the seeds into `root/<target>/gen-*.{h5,xml,safetensors,json,dcm}`.
    static func write(to root: URL) throws {
        for t in FuzzTarget.allCases {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(t.rawValue), withIntermediateDirectories: true)
        }
        try fastMRI(root.appendingPathComponent("hdf5"))
        try recipes(root.appendingPathComponent("fastmri"))
        try ismrmrd(root.appendingPathComponent("ismrmrd"))
        try safetensors(root.appendingPathComponent("safetensors"))
        try protocols(root.appendingPathComponent("protocol"))
        try dicom(root.appendingPathComponent("dicom"))
        try twix(root.appendingPathComponent("twix"))
    }

    /// Minimal TWIX files: VB (2 channels, a noise scan, 3 lines of 8 samples, a reflected line)
    /// and VD/VE (one measurement, 2 lines), each ending with ACQEND.
    static func twix(_ dir: URL) throws {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * UInt32($0)) & 0xFF) } }
        func samples(_ n: Int, _ seed: Int) -> [UInt8] {
            (0..<(2 * n)).flatMap { i in u32(Float(Double((i * 7 + seed) % 11) - 5).bitPattern) }
        }
        func header(size: Int, maskAt: Int, countsAt: Int, mask: UInt32, samples n: Int, channels: Int, line: Int) -> [UInt8] {
            var h = [UInt8](repeating: 0, count: size)
            h.replaceSubrange(maskAt..<(maskAt + 4), with: u32(mask))
            h.replaceSubrange(12..<16, with: u32(UInt32(line * 4)))  // ulTimeStamp: one line per 10 ms
            h.replaceSubrange(countsAt..<(countsAt + 4), with: u16(n) + u16(channels))
            h.replaceSubrange((countsAt + 4)..<(countsAt + 6), with: u16(line))
            let centreAt = size == 128 ? 64 : 84
            h.replaceSubrange(centreAt..<(centreAt + 2), with: u16(n / 2))
            return h
        }
        // Measurement header: its length, one parameter buffer named "Config" (empty), padding.
        // A VB file starts with it, so its length must be ≥ 10 000 (VD files start with a
        // smaller raid header size): real ones hold the protocol text and are larger still.
        func measurementHeader(_ length: Int) -> [UInt8] {
            let h = u32(UInt32(length)) + u32(1) + Array("Config".utf8) + [0] + u32(0)
            return h + [UInt8](repeating: 0, count: length - h.count)
        }
        var vb = measurementHeader(10_240)
        for (mask, line) in [(UInt32(1) << 25, 0), (8, 0), (8, 1), (8 | 1 << 24, 2)] {
            for c in 0..<2 {
                vb += header(size: 128, maskAt: 20, countsAt: 28, mask: mask, samples: 8, channels: 2, line: line) + samples(8, line * 2 + c)
            }
        }
        vb += header(size: 128, maskAt: 20, countsAt: 28, mask: 1, samples: 0, channels: 0, line: 0)
        try Data(vb).write(to: dir.appendingPathComponent("gen-vb.dat"))
        var vd = u32(0) + u32(1) + u32(7) + u32(0) + u32(160) + u32(0) + u32(0) + u32(0)
        vd += [UInt8](repeating: 0, count: 160 - vd.count)
        vd += measurementHeader(32)
        for line in 0..<2 {
            vd += header(size: 192, maskAt: 40, countsAt: 48, mask: 8, samples: 4, channels: 1, line: line)
            vd += [UInt8](repeating: 0, count: 32) + samples(4, line)
        }
        vd += header(size: 192, maskAt: 40, countsAt: 48, mask: 1, samples: 0, channels: 0, line: 0)
        try Data(vd).write(to: dir.appendingPathComponent("gen-vd.dat"))
    }

    /// A small header with most of the fields the parser reads.
    static var header: ISMRMRDHeader {
        var h = ISMRMRDHeader.minimal(
            encodedMatrix: .init(x: 8, y: 6), encodedFOV: .init(x: 160, y: 120, z: 3),
            reconMatrix: .init(x: 4, y: 6), reconFOV: .init(x: 80, y: 120, z: 3))
        h.subject.patientName = "Fuzz^Seed"
        h.subject.patientWeightKg = 70
        h.study.accessionNumber = 12
        h.measurement.initialSeriesNumber = 3
        h.measurement.patientPosition = "HFS"
        h.acquisitionSystem.receiverChannels = 2
        h.sliceLimit = .init(minimum: 0, maximum: 1, center: 0)
        h.sequence.repetitionTimes = [2000]
        h.sequence.echoTimes = [30, 60]
        h.sequence.flipAnglesDeg = [90]
        return h
    }

    static func fastMRI(_ dir: URL) throws {
        var k = ComplexArray(zeros: [2, 2, 8, 6])
        for i in 0..<k.count { k[linear: i] = ComplexFloat(Float(i % 7) - 3, Float(i % 5) / 4) }
        let attributes = FastMRIAttributes(acceleration: 4, numLowFrequencies: 2, acquisition: "CORPD_FBK", patientID: "seed")
        try FastMRIWriter.write(
            kspace: k, to: dir.appendingPathComponent("gen-multicoil-test.h5"), layout: .test,
            mask: [1, 0, 1, 1, 0, 1], attributes: attributes, header: header, overwrite: true)
        let target = FloatArray(shape: [2, 4, 6], storage: (0..<48).map(Float.init))
        try FastMRIWriter.write(
            kspace: k, to: dir.appendingPathComponent("gen-multicoil-train.h5"), layout: .train,
            targets: ["reconstruction_rss": target], attributes: attributes, header: header, overwrite: true)
    }

    /// Recipes for `FastMRIStructuredTarget` (any bytes are one; these reach the reads).
    static func recipes(_ dir: URL) throws {
        let recipes: [String: [UInt8]] = [
            // rank 4 (2, 2, 8, 6) complex, no values, bool mask, target, acceleration real, no header
            "gen-recipe-multicoil": [2, 2, 2, 8, 6, 1, 2, 1] + [UInt8](repeating: 1, count: 6) + [0, 2, 8, 8]
                + [1, 0, 0, 0, 0, 0, 0, 0x10, 0x40],
            // rank 3 (1, 4, 4) complex with 16 values and a header with matrix and limits
            "gen-recipe-singlecoil": [1, 1, 4, 4, 1] + [UInt8](repeating: 0x3F, count: 128)
                + [0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 4, 4, 1, 4, 4, 1, 1, 1, 0, 3, 2],
        ]
        for (name, bytes) in recipes { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
    }

    static func ismrmrd(_ dir: URL) throws {
        try Data(header.xmlString().utf8).write(to: dir.appendingPathComponent("gen-header.xml"))
    }

    /// A UNet small enough for a seed (2 channels, one level), in F32 and F16, and a plain tensor file.
    static func safetensors(_ dir: URL) throws {
        let configs = [
            UNetConfiguration(baseChannels: 2, channelMultipliers: [1], groups: 1, embeddingChannels: 2),
            UNetConfiguration(baseChannels: 2, channelMultipliers: [1, 1], attention: true, groups: 2, embeddingChannels: 2),
        ]
        for (i, cfg) in configs.enumerated() {
            var tensors = [String: FloatArray]()
            for (key, shape) in UNet.parameterShapes(for: cfg) {
                let n = shape.reduce(1, *)
                tensors[key] = FloatArray(shape: shape, storage: (0..<n).map { Float(($0 * 7) % 5) / 10 - 0.2 })
            }
            let metadata = [
                "format": "mri-daps-edm-unet", "format_version": "1", "config": cfg.jsonString(),
                "card": #"{"name":"fuzz-seed","anatomy":"knee","training_steps":1}"#,
            ]
            try SafetensorsFile.encode(tensors, metadata: metadata, dtype: .f32)
                .write(to: dir.appendingPathComponent("gen-unet\(i)-f32.safetensors"))
            try SafetensorsFile.encode(tensors, metadata: metadata, dtype: .f16)
                .write(to: dir.appendingPathComponent("gen-unet\(i)-f16.safetensors"))
        }
        let plain = ["a": FloatArray(shape: [2, 3], storage: [1, 2, 3, 4, 5, 6]), "b": FloatArray(shape: [], storage: [7])]
        try SafetensorsFile.encode(plain, metadata: ["note": "tensors only"]).write(to: dir.appendingPathComponent("gen-plain.safetensors"))
    }

    /// The built-in presets in canonical form.
    static func protocols(_ dir: URL) throws {
        for name in ReconProtocol.builtInNames {
            let p = try ReconProtocol.builtIn(named: name)
            try Data(p.jsonString(pretty: true).utf8).write(to: dir.appendingPathComponent("gen-\(name).json"))
        }
    }

    /// An MR Image series (2 slices of 6 × 4, 16-bit) and a Parametric Map (float, 2 frames).
    static func dicom(_ dir: URL) throws {
        let (slices, rows, columns) = (2, 6, 4)
        let n = slices * rows * columns
        let mr = DICOMSeries(
            number: 1, description: "seed", quantity: .mrSignalIntensity, label: "MEAN", imageFlavor: "OTHER",
            derivationDescription: "fuzz seed", slices: slices, rows: rows, columns: columns,
            content: .mrImage(stored: (0..<n).map { UInt16($0 * 97 % 4096) }, bitsStored: 12, slope: 0.5, intercept: 1,
                              window: DICOMWindow(center: 2048, width: 4096)))
        var map = mr
        map.number = 2
        map.label = "STD"
        map.quantity = .standardDeviation
        map.imageFlavor = "STD_DEVIATION"
        map.content = .parametricMap(values: (0..<n).map { Float($0) / 8 }, window: DICOMWindow(center: 1, width: 2))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mri-daps-fuzz-seeds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var study = DICOMStudyInfo()
        study.patientName = "Fuzz^Seed"
        study.patientID = "seed"
        study.echoTime = 30
        let result = try DICOMWriter(uids: try DICOMUIDGenerator()).write(
            study: study, geometry: DICOMGeometry(pixelSpacing: (0.5, 0.5), sliceThickness: 3, firstPosition: [0, 0, 0]),
            series: [mr, map], to: scratch)
        for s in result.series {
            for (i, f) in s.files.enumerated() {
                let to = dir.appendingPathComponent("gen-series\(s.number)-\(i).dcm")
                try? FileManager.default.removeItem(at: to)
                try FileManager.default.copyItem(at: f, to: to)
            }
        }
    }
}
