import Foundation
import MRICore
import NeuralPrior
import Testing
import _TestSupport

/// Builds a raw safetensors image from a header JSON text and a data section.
func rawSafetensors(header: String, data: [UInt8]) -> Data {
    var d = Data()
    let h = Array(header.utf8)
    withUnsafeBytes(of: UInt64(h.count).littleEndian) { d.append(contentsOf: $0) }
    d.append(contentsOf: h)
    d.append(contentsOf: data)
    return d
}

@Suite struct SafetensorsFileTests {
    func expectMalformed(_ data: Data, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SafetensorsFile(data: data, name: "bad.safetensors")
            Issue.record("accepted a malformed file (\(fragment))", sourceLocation: sourceLocation)
        } catch let e as NeuralPriorError {
            let text = e.description
            #expect(text.contains("bad.safetensors"), sourceLocation: sourceLocation)
            #expect(text.contains(fragment), "\(text)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("F32 and F16 tensors round-trip with metadata")
    func roundTrip() throws {
        let a = FloatArray(shape: [2, 3], storage: [1, -2, 3.5, 0, 1e-3, 65504])
        let b = FloatArray(shape: [4], storage: [0.25, -0.5, 7, 8])
        let data = try SafetensorsFile.encode(["a": a, "b": b], metadata: ["k": "v"])
        let f = try SafetensorsFile(data: data, name: "t")
        #expect(f.metadata == ["k": "v"])
        #expect(f.tensorNames == ["a", "b"])
        #expect(try f.tensor("a") == a)
        #expect(try f.tensor("b") == b)
        let f16 = try SafetensorsFile(data: try SafetensorsFile.encode(["a": a], dtype: .f16), name: "t16")
        #expect(f16.tensors["a"]?.dtype == .f16)
        let r = try f16.tensor("a").storage
        for (x, y) in zip(r, a.storage) { #expect(abs(x - y) <= abs(y) * 1e-3) }
        #expect(throws: NeuralPriorError.self) { try f.tensor("c") }
    }

    @Test("F16 subnormals, infinities, NaN and signed zero convert exactly")
    func halfSpecials() throws {
        // bits: smallest subnormal, largest subnormal, -0, +inf, -inf, NaN, 1.0, 65504
        let bits: [UInt16] = [0x0001, 0x03FF, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0x3C00, 0x7BFF]
        var bytes: [UInt8] = []
        for b in bits { bytes += [UInt8(b & 0xFF), UInt8(b >> 8)] }
        let header = #"{"h":{"dtype":"F16","shape":[8],"data_offsets":[0,16]}}"#
        let v = try SafetensorsFile(data: rawSafetensors(header: header, data: bytes), name: "h").tensor("h").storage
        #expect(v[0] == 5.960464477539063e-08)
        #expect(v[1] == 6.097555160522461e-05)
        #expect(v[2] == 0 && v[2].sign == .minus)
        #expect(v[3] == .infinity && v[4] == -.infinity && v[5].isNaN)
        #expect(v[6] == 1 && v[7] == 65504)
    }

    @Test("malformed, truncated and inconsistent files are rejected with a named reason")
    func rejectsMalformed() {
        let good = #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let eight = [UInt8](repeating: 0, count: 8)
        // Sanity: the good one loads.
        #expect((try? SafetensorsFile(data: rawSafetensors(header: good, data: eight), name: "ok")) != nil)
        expectMalformed(Data([1, 2, 3]), "shorter than")
        var truncatedHeader = rawSafetensors(header: good, data: eight)
        truncatedHeader.removeLast(8 + 10)
        expectMalformed(truncatedHeader, "exceeds")
        var huge = Data()
        withUnsafeBytes(of: UInt64(200_000_000).littleEndian) { huge.append(contentsOf: $0) }
        huge.append(contentsOf: [UInt8](repeating: 0x20, count: 16))
        expectMalformed(huge, "100 MB")
        expectMalformed(rawSafetensors(header: "{not json", data: eight), "not valid JSON")
        expectMalformed(rawSafetensors(header: "[1, 2]", data: eight), "not a JSON object")
        var invalidUTF8 = Data()
        withUnsafeBytes(of: UInt64(3).littleEndian) { invalidUTF8.append(contentsOf: $0) }
        invalidUTF8.append(contentsOf: [0x7B, 0xFF, 0x7D])
        expectMalformed(invalidUTF8, "UTF-8")
        // Truncated data section: offsets beyond the data.
        expectMalformed(rawSafetensors(header: good, data: [0, 0, 0, 0]), "outside")
        expectMalformed(rawSafetensors(header: #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: eight),
                        "outside")
        expectMalformed(rawSafetensors(header: #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,-8]}}"#, data: eight),
                        "data_offsets")
        expectMalformed(rawSafetensors(header: #"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: eight),
                        "needs 12")
        expectMalformed(rawSafetensors(header: #"{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: eight),
                        "non-negative")
        expectMalformed(rawSafetensors(header: #"{"t":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, data: eight),
                        "non-negative")
        expectMalformed(rawSafetensors(header: #"{"t":{"dtype":"F32","data_offsets":[0,8]}}"#, data: eight), "shape")
        expectMalformed(
            rawSafetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                           data: eight), "overlapping")
        expectMalformed(
            rawSafetensors(header: #"{"__metadata__":{"n":3},"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                           data: eight), "not a string")
    }

    @Test("dtypes other than F32/F16 are rejected naming the tensor and dtype")
    func rejectsDType() {
        let h = #"{"t":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]}}"#
        #expect(throws: NeuralPriorError.unsupportedDType(file: "x.safetensors", tensor: "t", dtype: "BF16")) {
            try SafetensorsFile(data: rawSafetensors(header: h, data: [UInt8](repeating: 0, count: 8)), name: "x.safetensors")
        }
        let i = #"{"t":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#
        #expect(throws: NeuralPriorError.self) {
            try SafetensorsFile(data: rawSafetensors(header: i, data: [UInt8](repeating: 0, count: 8)), name: "x")
        }
    }

    @Test("a file on disk that is truncated is rejected")
    func truncatedOnDisk() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var data = try SafetensorsFile.encode(["w": FloatArray(shape: [16], storage: Array(repeating: 1, count: 16))])
        data.removeLast(4)
        let url = dir.appendingPathComponent("cut.safetensors")
        try data.write(to: url)
        #expect {
            try SafetensorsFile(contentsOf: url)
        } throws: { e in (e as? NeuralPriorError)?.description.contains("cut.safetensors") == true }
    }
}
