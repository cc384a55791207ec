import Foundation
import MRICore

/// A validated, read-only view of a `.safetensors` file (Hugging Face format): an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON, then the raw little-endian tensor bytes.
///
/// Everything is checked before it is trusted: file size ≥ 8; N ≤ size − 8 and ≤ 100 MB; the
/// header is a JSON object; every tensor entry has dtype F32 or F16, a shape of non-negative
/// integers and `data_offsets` [begin, end] inside the data section with
/// end − begin = ∏shape · sizeof(dtype); tensor byte ranges do not overlap; `__metadata__`
/// values are strings. F16 tensors are converted to Float32 when read (subnormals, ±∞ and NaN
/// exactly as IEEE 754 binary16 defines them).
public struct SafetensorsFile: Sendable {
    /// Element types this reader accepts.
    public enum DType: String, Sendable {
        case f32 = "F32"
        case f16 = "F16"
        /// Bytes per element.
        public var size: Int { self == .f32 ? 4 : 2 }
    }

    /// Where one tensor lives in the file.
    public struct TensorInfo: Sendable, Equatable {
        public let dtype: DType
        public let shape: [Int]
        /// Byte range relative to the start of the data section.
        public let byteRange: Range<Int>
    }

    /// Maximum accepted header length (100 MB).
    public static let maximumHeaderLength = 100_000_000

    /// File name used in error messages.
    public let name: String
    /// `__metadata__` (string → string), empty when absent.
    public let metadata: [String: String]
    /// Tensor entries by name.
    public let tensors: [String: TensorInfo]
    private let data: Data
    private let dataStart: Int

    /// Tensor names, sorted.
    public var tensorNames: [String] { tensors.keys.sorted() }

    /// Reads and validates `url`.
    public init(contentsOf url: URL) throws {
        let name = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw NeuralPriorError.malformedFile(file: name, problem: "cannot read (\(error.localizedDescription))")
        }
        try self.init(data: data, name: name)
    }

    /// Validates an in-memory safetensors image; `name` is used in error messages.
    public init(data: Data, name: String) throws {
        func fail(_ p: String) -> NeuralPriorError { .malformedFile(file: name, problem: p) }
        guard data.count >= 8 else { throw fail("file is \(data.count) bytes, shorter than the 8-byte header length") }
        var n64: UInt64 = 0
        for i in 0..<8 { n64 |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard n64 <= UInt64(Self.maximumHeaderLength) else { throw fail("header length \(n64) exceeds 100 MB") }
        let n = Int(n64)
        guard n <= data.count - 8 else {
            throw fail("header length \(n) exceeds the \(data.count - 8) bytes after the length field (truncated?)")
        }
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + n))
        guard String(data: headerBytes, encoding: .utf8) != nil else { throw fail("header is not valid UTF-8") }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: headerBytes, options: []) } catch {
            throw fail("header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw fail("header is not a JSON object") }
        let dataLength = data.count - 8 - n
        var metadata: [String: String] = [:]
        var tensors: [String: TensorInfo] = [:]
        for (key, value) in header {
            if key == "__metadata__" {
                guard let m = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (mk, mv) in m {
                    guard let s = mv as? String else { throw fail("__metadata__ value '\(mk)' is not a string") }
                    metadata[mk] = s
                }
                continue
            }
            guard let entry = value as? [String: Any] else { throw fail("entry '\(key)' is not an object") }
            guard let dtypeName = entry["dtype"] as? String else { throw fail("tensor '\(key)' has no dtype string") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw NeuralPriorError.unsupportedDType(file: name, tensor: key, dtype: dtypeName)
            }
            guard let shapeAny = entry["shape"] as? [Any] else { throw fail("tensor '\(key)' has no shape array") }
            var shape: [Int] = []
            for s in shapeAny {
                guard let v = Self.nonNegativeInteger(s) else {
                    throw fail("tensor '\(key)' shape \(shapeAny) is not a list of non-negative integers")
                }
                shape.append(v)
            }
            guard let offsAny = entry["data_offsets"] as? [Any], offsAny.count == 2,
                let begin = Self.nonNegativeInteger(offsAny[0]), let end = Self.nonNegativeInteger(offsAny[1])
            else { throw fail("tensor '\(key)' data_offsets is not [begin, end] of non-negative integers") }
            guard begin <= end, end <= dataLength else {
                throw fail("tensor '\(key)' data_offsets [\(begin), \(end)] outside the \(dataLength)-byte data section")
            }
            var count = 1
            for s in shape {
                let (p, o) = count.multipliedReportingOverflow(by: s)
                guard !o else { throw fail("tensor '\(key)' shape \(shape) overflows") }
                count = p
            }
            let (bytes, o) = count.multipliedReportingOverflow(by: dtype.size)
            guard !o, bytes == end - begin else {
                throw fail("tensor '\(key)' has \(end - begin) bytes but shape \(shape) × \(dtype.rawValue) needs \(count * dtype.size)")
            }
            tensors[key] = TensorInfo(dtype: dtype, shape: shape, byteRange: begin..<end)
        }
        let sorted = tensors.sorted { $0.value.byteRange.lowerBound < $1.value.byteRange.lowerBound }
        for i in sorted.indices.dropFirst() {
            let (a, b) = (sorted[i - 1], sorted[i])
            if a.value.byteRange.overlaps(b.value.byteRange) {
                throw fail("tensors '\(a.key)' and '\(b.key)' have overlapping byte ranges")
            }
        }
        self.name = name
        self.metadata = metadata
        self.tensors = tensors
        self.data = data
        self.dataStart = 8 + n
    }

    private static func nonNegativeInteger(_ v: Any) -> Int? {
        guard let num = v as? NSNumber else { return nil }
        let objCType = String(cString: num.objCType)
        if objCType == "c" || objCType == "B" { return nil }
        let d = num.doubleValue
        guard d >= 0, d.rounded() == d, d < 9.0e15 else { return nil }
        return Int(d)
    }

    /// The tensor `name` as Float32 (F16 converted), with its shape.
    public func tensor(_ tensorName: String) throws -> FloatArray {
        guard let info = tensors[tensorName] else { throw NeuralPriorError.noSuchTensor(file: name, tensor: tensorName) }
        let count = info.shape.reduce(1, *)
        var out = [Float](repeating: 0, count: count)
        let start = data.startIndex + dataStart + info.byteRange.lowerBound
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress!.advanced(by: start - data.startIndex)
            out.withUnsafeMutableBufferPointer { o in
                switch info.dtype {
                case .f32:
                    for i in 0..<count {
                        o[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    }
                case .f16:
                    for i in 0..<count {
                        let bits = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                        o[i] = Float(Float16(bitPattern: bits))
                    }
                }
            }
        }
        return FloatArray(shape: info.shape, storage: out)
    }

    /// All tensors as Float32, by name.
    public func allTensors() throws -> [String: FloatArray] {
        var r: [String: FloatArray] = [:]
        for k in tensors.keys { r[k] = try tensor(k) }
        return r
    }

    /// Serialises tensors (as F32, or F16 rounded to nearest) and string metadata into a
    /// safetensors image; tensors are laid out in name order.
    public static func encode(_ tensors: [String: FloatArray], metadata: [String: String] = [:], dtype: DType = .f32) throws
        -> Data
    {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var body = Data()
        for key in tensors.keys.sorted() {
            let t = tensors[key]!
            let begin = body.count
            switch dtype {
            case .f32:
                for v in t.storage { withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            case .f16:
                for v in t.storage { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            }
            header[key] = ["dtype": dtype.rawValue, "shape": t.shape, "data_offsets": [begin, body.count]] as [String: Any]
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(body)
        return out
    }
}
