import Foundation
import MRICore

/// Writes a fastMRI-layout HDF5 file that fastMRI's `SliceDataset` and h5py read, slice by slice.
///
/// - `.train`: `kspace` complex64 `(slices, coils, H, W)` (or `(slices, H, W)` single-coil),
///   one or more float32 targets `(slices, H_t, W_t)` (default `reconstruction_rss`),
///   attributes and `ismrmrd_header`.
/// - `.test`: `kspace` with the unsampled columns zeroed (`kspace[..., w] = 0` where
///   `mask[w] == 0`), a 1-D h5py-bool `mask` of length W, `acceleration`, `num_low_frequency`.
/// - `.kspaceOnly`: `kspace`, attributes and header.
///
/// complex64 is h5py's compound `{"r": float32, "i": float32}`; the header is a scalar
/// fixed-length byte string. Output goes to a temporary file in the destination directory and
/// is renamed into place by `finish()`; an unfinished writer deletes its temporary file. If
/// `max`/`norm` are not given they are computed from the first target: max over the volume and
/// `sqrt(Σ x²)`, fastMRI's definitions.
public final class FastMRIWriter {
    /// Destination path.
    public let url: URL
    /// Layout being written.
    public let layout: FastMRIFileInfo.Layout
    /// Number of slices.
    public let slices: Int
    /// Slice shape `(coils, H, W)`.
    public let sliceShape: SliceShape
    /// Whether `kspace` is written as rank 3 (requires one coil).
    public let singleCoil: Bool
    /// Target dataset names (train layout).
    public let targetNames: [String]
    /// Target image shape `(H_t, W_t)` (train layout).
    public let targetShape: (height: Int, width: Int)?

    private let output: AtomicOutput
    private var file: HDF5File?
    private let mask: [Float]?
    private var attributes: FastMRIAttributes
    private var written: [Bool]
    private var targetMax = -Double.infinity
    private var targetSumSquares = 0.0

    /// Starts a file. `mask` (length W, or H·W row-major for a 2-D mask) is required for `.test`;
    /// `targetShape` for `.train`.
    /// - Throws: `MRIIOError.exists` (unless `overwrite`), `.writeFailed`, `.wrongShape` for
    ///   inconsistent arguments (named after the output file).
    public init(
        url: URL, layout: FastMRIFileInfo.Layout, slices: Int, sliceShape: SliceShape,
        singleCoil: Bool = false, targetShape: (height: Int, width: Int)? = nil,
        targetNames: [String] = ["reconstruction_rss"], mask: [Float]? = nil,
        attributes: FastMRIAttributes = FastMRIAttributes(), header: ISMRMRDHeader? = nil,
        overwrite: Bool = false
    ) throws {
        let output = try AtomicOutput(url, overwrite: overwrite)
        let path = output.destination.path
        guard slices > 0, sliceShape.coils > 0, sliceShape.height > 0, sliceShape.width > 0 else {
            throw MRIIOError.wrongShape(file: path, dataset: "kspace", expected: "positive extents", actual: [slices] + sliceShape.dimensions)
        }
        if singleCoil && sliceShape.coils != 1 {
            throw MRIIOError.wrongShape(file: path, dataset: "kspace", expected: "one coil for single-coil output", actual: sliceShape.dimensions)
        }
        if layout == .test {
            guard let mask, mask.count == sliceShape.width || mask.count == sliceShape.height * sliceShape.width else {
                throw MRIIOError.maskLengthMismatch(file: path, maskLength: mask?.count ?? 0, width: sliceShape.width)
            }
        }
        if layout == .train {
            guard let t = targetShape, t.height > 0, t.width > 0, !targetNames.isEmpty else {
                throw MRIIOError.wrongShape(file: path, dataset: targetNames.first ?? "reconstruction_rss", expected: "a target shape for the train layout", actual: [])
            }
        }
        self.url = output.destination
        self.output = output
        self.layout = layout
        self.slices = slices
        self.sliceShape = sliceShape
        self.singleCoil = singleCoil
        self.targetNames = layout == .train ? targetNames : []
        self.targetShape = layout == .train ? targetShape : nil
        self.mask = layout == .test ? mask : nil
        self.attributes = attributes
        written = [Bool](repeating: false, count: slices)

        do {
            let f = try HDF5File(creating: output.temporary)
            file = f
            let kShape = singleCoil ? [slices, sliceShape.height, sliceShape.width] : [slices] + sliceShape.dimensions
            try f.createDataset("kspace", shape: kShape, type: .complex64)
            if let t = self.targetShape {
                for name in self.targetNames {
                    try f.createDataset(name, shape: [slices, t.height, t.width], type: .float32)
                }
            }
            if let m = self.mask {
                let maskShape = m.count == sliceShape.width ? [m.count] : [sliceShape.height, sliceShape.width]
                try f.createDataset("mask", shape: maskShape, type: .boolean)
                try f.writeBytes("mask", m.map { $0 != 0 ? 1 : 0 }, shape: maskShape)
            }
            if let header { try f.writeString("ismrmrd_header", header.xmlString()) }
        } catch {
            file?.close()
            output.discard()
            throw Self.renamed(error, from: output.temporary.path, to: output.destination.path)
        }
    }

    deinit {
        if file != nil {
            file?.close()
            output.discard()
        }
    }

    /// Writes slice `index`: `kspace` `[coils, H, W]` (single-coil also `[H, W]`) and, for the
    /// train layout, every target as `[H_t, W_t]` keyed by dataset name.
    public func writeSlice(_ index: Int, kspace: ComplexArray, targets: [String: FloatArray] = [:]) throws {
        guard let f = file else { throw MRIIOError.writeFailed(file: url.path, reason: "writer already finished") }
        guard index >= 0 && index < slices else {
            throw MRIIOError.sliceOutOfRange(file: url.path, slice: index, slices: slices)
        }
        let expected = sliceShape.dimensions
        guard kspace.shape == expected || (singleCoil && kspace.shape == [sliceShape.height, sliceShape.width]) else {
            throw MRIIOError.wrongShape(file: url.path, dataset: "kspace", expected: "\(expected)", actual: kspace.shape)
        }
        var k = kspace.reshaped(singleCoil ? [1, sliceShape.height, sliceShape.width] : expected)
        if let m = mask {
            // A column mask repeats every row; a 2-D mask every coil plane.
            let period = m.count
            k.withUnsafeMutableBufferPointer { p in
                for block in 0..<(p.count / period) {
                    for c in 0..<period where m[c] == 0 { p[block * period + c] = .zero }
                }
            }
        }
        if let t = targetShape {
            guard Set(targets.keys) == Set(targetNames) else {
                throw MRIIOError.missingDataset(file: url.path, dataset: targetNames.filter { targets[$0] == nil }.first ?? targets.keys.sorted().joined(separator: ","))
            }
            for name in targetNames {
                guard let img = targets[name], img.shape == [t.height, t.width] else {
                    throw MRIIOError.wrongShape(file: url.path, dataset: name, expected: "[\(t.height), \(t.width)]", actual: targets[name]?.shape ?? [])
                }
            }
        } else if !targets.isEmpty {
            throw MRIIOError.wrongShape(file: url.path, dataset: targets.keys.sorted()[0], expected: "no targets in the \(layout) layout", actual: [])
        }
        do {
            let start = singleCoil ? [index, 0, 0] : [index, 0, 0, 0]
            try f.writeComplex("kspace", k.reshaped(singleCoil ? [sliceShape.height, sliceShape.width] : expected), start: start)
            for (i, name) in targetNames.enumerated() {
                let img = targets[name]!
                try f.writeFloat(name, img, start: [index, 0, 0])
                if i == 0 {
                    for v in img.storage {
                        targetMax = Swift.max(targetMax, Double(v))
                        targetSumSquares += Double(v) * Double(v)
                    }
                }
            }
        } catch {
            throw Self.renamed(error, from: output.temporary.path, to: url.path)
        }
        written[index] = true
    }

    /// Writes attributes, closes the file and renames it into place.
    /// - Throws: `MRIIOError.writeFailed` when a slice was never written, `.exists` when the
    ///   destination appeared meanwhile (and `overwrite` is false).
    public func finish() throws {
        guard let f = file else { throw MRIIOError.writeFailed(file: url.path, reason: "writer already finished") }
        var a = attributes
        if !targetNames.isEmpty {
            if a.max == nil { a.max = targetMax }
            if a.norm == nil { a.norm = targetSumSquares.squareRoot() }
        }
        func number(_ v: Double) -> HDF5AttributeValue {
            v.rounded() == v && abs(v) < 1e15 ? .integer(Int64(v)) : .real(v)
        }
        var list: [(String, HDF5AttributeValue)] = []
        if let v = a.acceleration { list.append(("acceleration", number(v))) }
        if let v = a.numLowFrequencies { list.append(("num_low_frequency", .integer(Int64(v)))) }
        if let v = a.acquisition { list.append(("acquisition", .string(v))) }
        if let v = a.max { list.append(("max", .real(v))) }
        if let v = a.norm { list.append(("norm", .real(v))) }
        if let v = a.patientID { list.append(("patient_id", .string(v))) }
        list += a.extra.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) }
        try output.finish(f, written: written, attributes: list)
        file = nil
    }

    /// Writes a whole volume at once: `kspace` `[slices, coils, H, W]` (or `[slices, H, W]` with
    /// `singleCoil`), targets `[slices, H_t, W_t]` by name.
    public static func write(
        kspace: ComplexArray, to url: URL, layout: FastMRIFileInfo.Layout, singleCoil: Bool = false,
        targets: [String: FloatArray] = [:], mask: [Float]? = nil,
        attributes: FastMRIAttributes = FastMRIAttributes(), header: ISMRMRDHeader? = nil,
        overwrite: Bool = false
    ) throws {
        let s = kspace.shape
        guard (singleCoil && s.count == 3) || (!singleCoil && s.count == 4) else {
            throw MRIIOError.wrongShape(file: url.path, dataset: "kspace", expected: singleCoil ? "(slices, H, W)" : "(slices, coils, H, W)", actual: s)
        }
        let shape = singleCoil ? SliceShape(coils: 1, height: s[1], width: s[2]) : SliceShape(coils: s[1], height: s[2], width: s[3])
        let names = targets.keys.sorted { a, b in
            // reconstruction_rss first (used for max/norm), then the rest by name.
            (a == "reconstruction_rss" ? "" : a) < (b == "reconstruction_rss" ? "" : b)
        }
        var targetShape: (height: Int, width: Int)? = nil
        if let first = names.first, let t = targets[first] {
            guard t.shape.count == 3 else {
                throw MRIIOError.wrongShape(file: url.path, dataset: first, expected: "(slices, H_t, W_t)", actual: t.shape)
            }
            targetShape = (t.shape[1], t.shape[2])
        }
        let w = try FastMRIWriter(
            url: url, layout: layout, slices: s[0], sliceShape: shape, singleCoil: singleCoil,
            targetShape: targetShape, targetNames: names.isEmpty ? ["reconstruction_rss"] : names, mask: mask,
            attributes: attributes, header: header, overwrite: overwrite)
        for i in 0..<s[0] {
            var slice = [String: FloatArray]()
            for n in names {
                guard let t = targets[n], t.shape.count == 3, t.shape[0] == s[0] else {
                    throw MRIIOError.wrongShape(file: url.path, dataset: n, expected: "(\(s[0]), H_t, W_t)", actual: targets[n]?.shape ?? [])
                }
                slice[n] = t.item(i)
            }
            try w.writeSlice(i, kspace: kspace.item(i), targets: slice)
        }
        try w.finish()
    }

    /// Errors from the temporary file are reported against the destination path.
    static func renamed(_ error: Error, from temporary: String, to destination: String) -> Error {
        guard let e = error as? MRIIOError else { return error }
        switch e {
        case .hdf5(let f, let op) where f == temporary: return MRIIOError.hdf5(file: destination, operation: op)
        case .writeFailed(let f, let r) where f == temporary: return MRIIOError.writeFailed(file: destination, reason: r)
        case .wrongShape(let f, let d, let x, let a) where f == temporary:
            return MRIIOError.wrongShape(file: destination, dataset: d, expected: x, actual: a)
        case .missingDataset(let f, let d) where f == temporary: return MRIIOError.missingDataset(file: destination, dataset: d)
        default: return e
        }
    }
}
