import Foundation
import ISMRMRDShim
import MRICore

/// Reader for ISMRMRD HDF5 raw data (ismrmrd.readthedocs.io): the XML header `/dataset/xml`
/// and the acquisitions of `/dataset/data`, through the format's own C library (libismrmrd,
/// which looks the acquisition record's fields up by name, so files written from C, C++ and
/// Python read alike). No maths: `RawVolume` (MRIPipeline) places the lines on the k-space grid.
public final class ISMRMRDFile {
    /// ISMRMRD acquisition flags (bit b of the spec is `1 << (b − 1)`).
    public struct Flags: OptionSet, Sendable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        static func bit(_ b: Int) -> Flags { Flags(rawValue: 1 << UInt64(b - 1)) }
        public static let noiseMeasurement = bit(19)
        public static let parallelCalibration = bit(20)
        public static let parallelCalibrationAndImaging = bit(21)
        public static let reverse = bit(22)
        public static let navigation = bit(23)
        public static let phaseCorrection = bit(24)
        public static let hpFeedback = bit(26)
        public static let dummyScan = bit(27)
        public static let rtFeedback = bit(28)
        public static let surfaceCoilCorrection = bit(29)
        public static let bodyCoilCorrection = bit(30)
        /// Acquisitions that are not image (or calibration) lines of k-space.
        public static let notImaging: Flags = [.noiseMeasurement, .navigation, .phaseCorrection, .hpFeedback, .dummyScan,
                                               .rtFeedback, .surfaceCoilCorrection, .bodyCoilCorrection]
    }

    /// One acquisition: its header fields and samples `[channels][samples]`.
    public struct Acquisition: Sendable {
        public var flags: Flags
        public var samples: Int, channels: Int, centerSample: Int, discardPre: Int, discardPost: Int
        public var trajectoryDimensions: Int
        /// Encoding counters: phase encode (k1), partition (k2), average, slice, contrast, phase,
        /// repetition, set.
        public var k1: Int, k2: Int, average: Int, slice: Int, contrast: Int, phase: Int, repetition: Int, set: Int
        public var sampleTimeMicroseconds: Float
        public var position: [Float], readDirection: [Float], phaseDirection: [Float], sliceDirection: [Float]
        /// Channel-major samples (channel c, sample s at c·samples + s).
        public var data: [ComplexFloat]

        public init(flags: Flags, samples: Int, channels: Int, centerSample: Int, discardPre: Int, discardPost: Int,
                    trajectoryDimensions: Int, k1: Int, k2: Int, average: Int, slice: Int, contrast: Int, phase: Int,
                    repetition: Int, set: Int, sampleTimeMicroseconds: Float, position: [Float], readDirection: [Float],
                    phaseDirection: [Float], sliceDirection: [Float], data: [ComplexFloat]) {
            (self.flags, self.samples, self.channels, self.centerSample) = (flags, samples, channels, centerSample)
            (self.discardPre, self.discardPost, self.trajectoryDimensions) = (discardPre, discardPost, trajectoryDimensions)
            (self.k1, self.k2, self.average, self.slice, self.contrast) = (k1, k2, average, slice, contrast)
            (self.phase, self.repetition, self.set, self.sampleTimeMicroseconds) = (phase, repetition, set, sampleTimeMicroseconds)
            (self.position, self.readDirection, self.phaseDirection, self.sliceDirection) = (position, readDirection, phaseDirection, sliceDirection)
            self.data = data
        }
    }

    public let url: URL
    /// The XML header as stored and as parsed.
    public let xml: String
    public let header: ISMRMRDHeader
    public let acquisitionCount: Int
    private var handle: OpaquePointer?

    /// Opens `url`: checks that it is HDF5 with an ISMRMRD `/dataset`, reads and parses the header.
    public init(contentsOf url: URL) throws {
        self.url = url
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw MRIIOError.notFound(file: path) }
        guard Self.isISMRMRD(url) else {
            throw MRIIOError.cannotOpen(file: path, reason: "not an ISMRMRD file (no /dataset/data and /dataset/xml)")
        }
        var error = [CChar](repeating: 0, count: 512)
        let (h, text): (OpaquePointer?, String?) = HDF5Library.locked {
            guard let h = ims_open(path, &error, error.count) else { return (nil, nil) }
            guard let x = ims_read_header(h, &error, error.count) else { ims_close(h); return (nil, nil) }
            defer { ims_free(x) }
            return (h, String(cString: x))
        }
        guard let h, let text else {
            throw MRIIOError.cannotOpen(file: path, reason: Self.text(error))
        }
        handle = h
        xml = text
        do {
            header = try ISMRMRDHeader(data: Data(text.utf8), file: path)
        } catch {
            HDF5Library.locked { ims_close(h) }
            handle = nil
            throw error
        }
        acquisitionCount = Int(HDF5Library.locked { ims_acquisition_count(h) })
    }

    deinit { close() }

    public func close() {
        guard let h = handle else { return }
        HDF5Library.locked { ims_close(h) }
        handle = nil
    }

    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `url` is HDF5 with `/dataset/data` and `/dataset/xml` (false for anything else).
    public static func isISMRMRD(_ url: URL) -> Bool {
        // The HDF5 signature first: cheap, and libhdf5 is not asked to parse other formats.
        guard let h = FileHandle(forReadingAtPath: url.path) else { return false }
        let signature = (try? h.read(upToCount: 8)).map { [UInt8]($0) }
        try? h.close()
        guard signature == [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A] else { return false }
        guard let f = try? HDF5File(readingFrom: url) else { return false }
        defer { f.close() }
        return f.contains("dataset/data") && f.contains("dataset/xml")
    }

    /// Acquisition `index` (0-based).
    public func acquisition(_ index: Int) throws -> Acquisition {
        guard let h = handle else { throw MRIIOError.cannotOpen(file: url.path, reason: "the file is closed") }
        guard index >= 0 && index < acquisitionCount else {
            throw MRIIOError.badValue(file: url.path, name: "acquisition \(index)", reason: "is outside 0..<\(acquisitionCount)")
        }
        var head = ims_acquisition_header()
        var error = [CChar](repeating: 0, count: 512)
        var data: [ComplexFloat] = []
        let status: Int32 = HDF5Library.locked {
            guard ims_load(h, UInt32(index), &head, &error, error.count) == 0 else { return -1 }
            data = [ComplexFloat](repeating: .zero, count: Int(head.number_of_samples) * Int(head.active_channels))
            data.withUnsafeMutableBytes { ims_copy_data(h, $0.baseAddress!.assumingMemoryBound(to: Float.self)) }
            return 0
        }
        guard status == 0 else {
            throw MRIIOError.badValue(file: url.path, name: "acquisition \(index)", reason: Self.text(error))
        }
        func triple(_ t: (Float, Float, Float)) -> [Float] { [t.0, t.1, t.2] }
        return Acquisition(
            flags: Flags(rawValue: head.flags), samples: Int(head.number_of_samples), channels: Int(head.active_channels),
            centerSample: Int(head.center_sample), discardPre: Int(head.discard_pre), discardPost: Int(head.discard_post),
            trajectoryDimensions: Int(head.trajectory_dimensions), k1: Int(head.k1), k2: Int(head.k2),
            average: Int(head.average), slice: Int(head.slice), contrast: Int(head.contrast), phase: Int(head.phase),
            repetition: Int(head.repetition), set: Int(head.set), sampleTimeMicroseconds: head.sample_time_us,
            position: triple(head.position), readDirection: triple(head.read_dir), phaseDirection: triple(head.phase_dir),
            sliceDirection: triple(head.slice_dir), data: data)
    }
}
