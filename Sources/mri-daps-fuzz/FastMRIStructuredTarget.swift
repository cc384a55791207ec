import Foundation
import MRICore
import MRIIO

/// Fuzz target `fastmri`: the input is a recipe for a structurally valid HDF5 file, written with
/// `HDF5File` and read back by `FastMRITarget` (`FastMRIFile` and its slices).
///
/// Mutating raw HDF5 bytes (target `hdf5`) mostly exercises libhdf5's own parser, which crashes
/// on some corrupt files (docs/reliability.md); this target keeps the file valid and fuzzes what
/// mri-daps decides from it: the rank, extents and element type of `kspace`, a `mask` (type,
/// length, values), a target image, the numeric and string attributes (any Double or Int64,
/// NaN and ±∞ included) and an `ismrmrd_header` whose numbers come from the input.
enum FastMRIStructuredTarget {
    static func run(_ data: Data) throws {
        var r = ByteReader(data)
        let url = try ScratchFile.write(Data(), ext: "h5")
        try? FileManager.default.removeItem(at: url)
        let f = try HDF5File(creating: url, truncate: true)
        // kspace: rank 2…5, extents mostly small, sometimes huge; complex64 or (rarely) float32.
        let rank = 2 + Int(r.byte() % 4)
        let shape = (0..<rank).map { _ in r.extent() }
        let complex = r.byte() % 8 != 0
        try f.createDataset("kspace", shape: shape, type: complex ? .complex64 : .float32)
        let count = FastMRITarget.product(shape) ?? .max
        if complex, count > 0, count <= 4096 {
            let values = (0..<count).map { _ in ComplexFloat(r.float(), r.float()) }
            try f.writeComplex("kspace", ComplexArray(shape: shape, storage: values))
        }
        let width = shape.last ?? 0
        // mask: absent, or float32 / uint8 / bool of length W (or another length).
        switch r.byte() % 4 {
        case 1:
            let n = r.byte() % 4 == 0 ? Int(r.byte()) : width
            if n <= 4096 {
                try f.createDataset("mask", shape: [n], type: .float32)
                try f.writeFloat("mask", FloatArray(shape: [n], storage: (0..<n).map { _ in r.float() }))
            }
        case 2, 3:
            let n = r.byte() % 4 == 0 ? Int(r.byte()) : width
            if n <= 4096 {
                try f.createDataset("mask", shape: [n], type: r.byte() % 2 == 0 ? .uint8 : .boolean)
                try f.writeBytes("mask", (0..<n).map { _ in r.byte() % 2 })
            }
        default: break
        }
        // A target image of rank 2…4.
        if r.byte() % 2 == 0 {
            try f.createDataset("reconstruction_rss", shape: (0..<(2 + Int(r.byte() % 3))).map { _ in r.extent() }, type: .float32)
        }
        // Attributes: each of the keys FastMRIFile reads, as a real, an integer or a string.
        for key in ["acceleration", "num_low_frequency", "max", "norm", "acquisition", "patient_id", "other"] {
            switch r.byte() % 4 {
            case 1: try f.setAttribute(key, .real(Double(bitPattern: r.uint64())))
            case 2: try f.setAttribute(key, .integer(Int64(bitPattern: r.uint64())))
            case 3: try f.setAttribute(key, .string(r.string(Int(r.byte() % 16))))
            default: break
            }
        }
        // ismrmrd_header: none, a header with input-chosen numbers, or raw text.
        switch r.byte() % 4 {
        case 1, 2:
            var h = ISMRMRDHeader.minimal(
                encodedMatrix: .init(x: r.int(), y: r.int(), z: r.int()), encodedFOV: .init(x: 1, y: 1, z: 1),
                reconMatrix: .init(x: r.int(), y: r.int()), reconFOV: .init(x: r.double(), y: r.double(), z: r.double()))
            h.kspaceEncodingStep1 = .init(minimum: r.int(), maximum: r.int(), center: r.int())
            try f.writeString("ismrmrd_header", h.xmlString())
        case 3:
            try f.writeString("ismrmrd_header", r.string(r.remaining))
        default: break
        }
        f.close()
        try FastMRITarget.read(url)
    }
}

/// Reads typed values from the fuzzer's bytes; past the end it yields zeros.
struct ByteReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ data: Data) { bytes = [UInt8](data) }

    /// Bytes not read yet.
    var remaining: Int { bytes.count - index }

    mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func uint64() -> UInt64 { (0..<8).reduce(0) { v, i in v | UInt64(byte()) << (8 * UInt64(i)) } }

    /// An integer: mostly small (one byte, signed), else any Int64.
    mutating func int() -> Int {
        let b = byte()
        return b < 240 ? Int(Int8(bitPattern: b)) : Int(Int64(bitPattern: uint64()))
    }

    /// A Double: mostly a small integer value, else any bit pattern (NaN and ±∞ included).
    mutating func double() -> Double { byte() < 200 ? Double(int()) : Double(bitPattern: uint64()) }

    /// A Float from four bytes (any bit pattern).
    mutating func float() -> Float { Float(bitPattern: (0..<4).reduce(0) { v, i in v | UInt32(byte()) << (8 * UInt32(i)) }) }

    /// A dataset extent: 0…16 mostly, sometimes a power of two 2²⁴…2⁵⁵.
    mutating func extent() -> Int {
        let b = byte()
        return b < 224 ? Int(b % 17) : 1 << (Int(b) - 200)
    }

    /// `n` bytes decoded as UTF-8 (invalid sequences repaired).
    mutating func string(_ n: Int) -> String {
        String(decoding: (0..<max(0, n)).map { _ in byte() }, as: UTF8.self)
    }
}
