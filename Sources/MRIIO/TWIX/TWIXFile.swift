import Foundation
import MRICore

/// Reader for Siemens raw data files (TWIX `.dat`): VB (one measurement, 128-byte MDH per
/// channel) and VD/VE (a multi-raid header listing measurements, each scan a 192-byte scan
/// header followed per channel by a 32-byte channel header and its samples). No maths: the
/// scans are returned with their counters and flags (`TWIXConversion` places them).
///
/// Layout (checked against twixtools 0.24 and BART `twixread`): a VD file starts with
/// (hdSize, count) uint32 with hdSize < 10000 and count ≤ 64, then `count` entries of 152
/// bytes (measId, fileId uint32; offset, length uint64; patient and protocol names); a length of
/// 0 means "to the end of the file". A VB file starts with its measurement header length. Each
/// measurement starts with its header length (uint32); scans follow until one flagged ACQEND,
/// whose payload is not read (files may end right after its header). SYNCDATA scans are
/// skipped by their DMA length. Dimensions come from the scans (the protocol of a Pulseq scan
/// is a placeholder).
public struct TWIXFile {
    public enum Format: String, Sendable { case vb = "VB", vd = "VD/VE" }

    /// One measurement of a VD/VE file (VB: the whole file).
    public struct Measurement: Sendable {
        public var id: Int, offset: Int, length: Int
    }

    /// Siemens `aulEvalInfoMask` bits used here.
    public struct EvalInfo: OptionSet, Sendable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let acqEnd = EvalInfo(rawValue: 1 << 0)
        public static let rtFeedback = EvalInfo(rawValue: 1 << 1)
        public static let hpFeedback = EvalInfo(rawValue: 1 << 2)
        public static let syncData = EvalInfo(rawValue: 1 << 5)
        public static let refPhaseStabScan = EvalInfo(rawValue: 1 << 14)
        public static let phaseStabScan = EvalInfo(rawValue: 1 << 15)
        public static let phaseCorrection = EvalInfo(rawValue: 1 << 21)
        public static let patRefScan = EvalInfo(rawValue: 1 << 22)
        public static let patRefAndImaScan = EvalInfo(rawValue: 1 << 23)
        public static let reflect = EvalInfo(rawValue: 1 << 24)
        public static let noiseAdjScan = EvalInfo(rawValue: 1 << 25)
    }

    /// One ADC readout: flags, loop counters and samples `[channel][sample]`.
    public struct Scan: Sendable {
        public var evalInfo: EvalInfo
        public var samples: Int, channels: Int
        public var line: Int, average: Int, slice: Int, partition: Int, echo: Int, phase: Int, repetition: Int, set: Int
        public var centreColumn: Int, centreLine: Int
        /// `ulTimeStamp` (2.5 ms ticks).
        public var timeStamp: UInt32
        /// MDH `sSliceData`: the slice centre (sagittal, coronal, transverse; mm, patient
        /// coordinates) and the rotation quaternion (w, x, y, z).
        public var slicePosition: [Float], quaternion: [Float]
        public var data: [ComplexFloat]
    }

    /// The text header (protocol sections) of measurement `index` (default: the last one).
    public func header(measurement index: Int? = nil) -> TWIXHeader {
        let chosen = index ?? measurements.count - 1
        guard measurements.indices.contains(chosen) else { return TWIXHeader(bytes: bytes, offset: 0, length: 0) }
        let m = measurements[chosen]
        return TWIXHeader(bytes: bytes, offset: m.offset, length: m.length)
    }

    public let url: URL
    public let format: Format
    public let measurements: [Measurement]
    private let bytes: Data

    /// Whether `url` looks like a TWIX file (a VB measurement header length or a VD raid header,
    /// consistent with the file size). False for HDF5 and anything else.
    public static func isTWIX(_ url: URL) -> Bool {
        (try? TWIXFile(contentsOf: url)) != nil
    }

    /// Opens `url` (memory-mapped) and reads its measurement list.
    public init(contentsOf url: URL) throws {
        self.url = url
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw MRIIOError.notFound(file: path) }
        do { bytes = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw MRIIOError.cannotOpen(file: path, reason: error.localizedDescription)
        }
        guard bytes.count >= 8 else { throw MRIIOError.cannotOpen(file: path, reason: "not a Siemens raw data file (too short)") }
        let x0 = Self.u32(bytes, 0), x1 = Self.u32(bytes, 4)
        if x0 < 10_000 && x1 >= 1 && x1 <= 64 {
            format = .vd
            var list = [Measurement]()
            for e in 0..<Int(x1) {
                let base = 8 + 152 * e
                guard base + 24 <= bytes.count else {
                    throw MRIIOError.truncated(file: path, expectedBytes: base + 24, actualBytes: bytes.count)
                }
                let offset = Int(clamping: Self.u64(bytes, base + 8)), length = Int(clamping: Self.u64(bytes, base + 16))
                guard offset >= 8, offset < bytes.count else {
                    throw MRIIOError.cannotOpen(file: path, reason: "measurement \(e) starts at \(offset), outside the file")
                }
                // 0, or more than the file holds (a corrupt entry): to the end of the file.
                let end = length == 0 || length > bytes.count - offset ? bytes.count : offset + length
                list.append(Measurement(id: Int(Self.u32(bytes, base)), offset: offset, length: end - offset))
            }
            measurements = list
        } else {
            // A VB measurement header: its length, the number of parameter buffers (twixtools:
            // `hdr_len, n_buffer`), then the first buffer's name ("Config"). This also keeps
            // HDF5 files ("\u{89}HDF\r\n\u{1A}\n") and other formats out.
            guard x0 >= 32, Int(x0) < bytes.count, (1...64).contains(x1), Self.isLetter(bytes[bytes.startIndex + 8]) else {
                throw MRIIOError.cannotOpen(file: path, reason: "not a Siemens raw data file (no VB or VD header)")
            }
            format = .vb
            measurements = [Measurement(id: 0, offset: 0, length: bytes.count)]
        }
    }

    /// The scans of measurement `index` (default: the last one, the image scan of a VD/VE file).
    public func scans(measurement index: Int? = nil) throws -> [Scan] {
        let path = url.path
        let chosen = index ?? measurements.count - 1
        guard measurements.indices.contains(chosen) else {
            throw MRIIOError.badValue(file: path, name: "measurement \(chosen)", reason: "does not exist (the file has \(measurements.count))")
        }
        let m = measurements[chosen]
        let end = m.offset + m.length
        guard m.offset + 4 <= end else { throw MRIIOError.truncated(file: path, expectedBytes: m.offset + 4, actualBytes: end) }
        var offset = m.offset + Int(Self.u32(bytes, m.offset))
        var scans = [Scan]()
        let headerSize = format == .vb ? 128 : 192
        while true {
            guard offset + headerSize <= end else {
                throw MRIIOError.cannotOpen(file: path, reason: "ends at byte \(end) inside a scan header, before ACQEND")
            }
            let maskBase = offset + (format == .vb ? 20 : 40)
            let info = EvalInfo(rawValue: UInt64(Self.u32(bytes, maskBase)) | UInt64(Self.u32(bytes, maskBase + 4)) << 32)
            if info.contains(.acqEnd) { break }
            if info.contains(.syncData) {
                let dma = Int(Self.u32(bytes, offset) & 0x1FF_FFFF)
                guard dma > 0 else { throw MRIIOError.cannotOpen(file: path, reason: "SYNCDATA scan at byte \(offset) has no length") }
                offset += dma
                continue
            }
            let (scan, next) = try readScan(at: offset, info: info, end: end)
            scans.append(scan)
            offset = next
        }
        return scans
    }

    /// The scan at `offset` and the offset of the next one.
    private func readScan(at offset: Int, info: EvalInfo, end: Int) throws -> (Scan, Int) {
        let vb = format == .vb
        let countBase = offset + (vb ? 28 : 48)
        let samples = Int(Self.u16(bytes, countBase)), channels = Int(Self.u16(bytes, countBase + 2))
        let lc = offset + (vb ? 32 : 52)
        func counter(_ i: Int) -> Int { Int(Self.u16(bytes, lc + 2 * i)) }
        let centreBase = offset + (vb ? 64 : 84)
        let perChannel = (vb ? 128 : 32) + samples * 8
        let next = offset + (vb ? 0 : 192) + channels * perChannel
        guard channels >= 1, samples >= 1, next <= end else {
            throw MRIIOError.cannotOpen(file: url.path, reason: "scan at byte \(offset) (\(channels) channels × \(samples) samples) runs past the end of the measurement")
        }
        var data = [ComplexFloat](repeating: .zero, count: channels * samples)
        data.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { raw in
                for c in 0..<channels {
                    let start = offset + (vb ? 0 : 192) + c * perChannel + (vb ? 128 : 32)
                    out.baseAddress!.advanced(by: c * samples * 8).copyMemory(from: raw.baseAddress!.advanced(by: start), byteCount: samples * 8)
                }
            }
        }
        let scan = Scan(evalInfo: info, samples: samples, channels: channels,
                        line: counter(0), average: counter(1), slice: counter(2), partition: counter(3), echo: counter(4),
                        phase: counter(5), repetition: counter(6), set: counter(7),
                        centreColumn: Int(Self.u16(bytes, centreBase)), centreLine: Int(Self.u16(bytes, offset + (vb ? 76 : 96))),
                        timeStamp: Self.u32(bytes, offset + 12),
                        slicePosition: (0..<3).map { Self.f32(bytes, offset + (vb ? 96 : 100) + 4 * $0) },
                        quaternion: (3..<7).map { Self.f32(bytes, offset + (vb ? 96 : 100) + 4 * $0) }, data: data)
        return (scan, next)
    }

    static func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }

    static func u16(_ d: Data, _ o: Int) -> UInt16 {
        d.withUnsafeBytes { UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
    }
    static func u32(_ d: Data, _ o: Int) -> UInt32 {
        d.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    }
    static func f32(_ d: Data, _ o: Int) -> Float { Float(bitPattern: u32(d, o)) }
    static func u64(_ d: Data, _ o: Int) -> UInt64 {
        d.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
    }
}
