import Foundation
import MRICore

/// Reader for one fastMRI volume file (HDF5; facebookresearch/fastMRI `fastmri/data/README.md`).
///
/// Layout: `kspace` complex64 `(slices, coils, H, W)` (multi-coil) or `(slices, H, W)`
/// (single-coil, returned as one coil); optional targets `reconstruction_rss` /
/// `reconstruction_esc` `(slices, H_t, W_t)` float32; optional `mask` (float, integer or h5py
/// bool), 1-D of length W (fastMRI's column mask) or 2-D `(H, W)` (one readout position per
/// sample of an undersampled ky–kz plane, an mri-daps extension); attributes `acceleration`, `num_low_frequency`, `acquisition`, `max`,
/// `norm`, `patient_id`; the `ismrmrd_header` XML. H is the readout axis, W the phase-encode axis.
///
/// Opening validates the structure and reads only metadata; `readSlice(_:)` reads one slice
/// with an HDF5 hyperslab, so memory grows with one slice, not with the volume.
public final class FastMRIFile {
    /// Target dataset names fastMRI uses, in the order they are reported.
    public static let targetNames = ["reconstruction_rss", "reconstruction_esc"]
    /// Largest slice (coils × H × W samples) a file may declare; larger ones are refused on
    /// opening, before anything is allocated (how much memory a run may use is the pipeline's call).
    public static let maxSliceSamples = Int(Int32.max)

    /// Metadata gathered when opening.
    public let info: FastMRIFileInfo
    private let file: HDF5File

    /// Path of the file.
    public var path: String { info.path }
    /// Number of slices.
    public var slices: Int { info.slices }
    /// Shape `(coils, H, W)` of a slice returned by `readSlice`.
    public var sliceShape: SliceShape { info.sliceShape }
    /// The sampling mask over W (0/1), if the file has one.
    public var mask: [Float]? { info.mask }
    /// The parsed ISMRMRD header, if present.
    public var header: ISMRMRDHeader? { info.header }
    /// Split layout.
    public var layout: FastMRIFileInfo.Layout { info.layout }

    /// Opens and validates a fastMRI file.
    /// - Throws: `MRIIOError.notFound`, `.notHDF5`, `.missingDataset("kspace")`, `.wrongType`
    ///   (k-space not complex, mask not numeric), `.wrongShape` (k-space rank not 3 or 4, a
    ///   target whose slice count differs, a mask that is not 1-D), `.zeroCoils`,
    ///   `.maskLengthMismatch`, `.malformedHeader` (unparsable `ismrmrd_header`),
    ///   `.badValue` (`num_low_frequency` not a whole number in 0…W, `acceleration` not positive,
    ///   a mask with NaN), `.cannotOpen`.
    public init(contentsOf url: URL) throws {
        let f = try HDF5File(readingFrom: url)
        file = f
        let path = f.path
        guard f.contains("kspace") else { throw MRIIOError.missingDataset(file: path, dataset: "kspace") }
        var datasets = [String: HDF5DatasetInfo]()
        for name in try f.rootNames() {
            if let d = try? f.datasetInfo(name) { datasets[name] = d }
        }
        guard let k = datasets["kspace"] else {
            throw MRIIOError.wrongType(file: path, dataset: "kspace", expected: "a dataset")
        }
        guard k.type.isComplex else {
            throw MRIIOError.wrongType(file: path, dataset: "kspace", expected: "complex64")
        }
        let shape: SliceShape
        switch k.rank {
        case 4: shape = SliceShape(coils: k.shape[1], height: k.shape[2], width: k.shape[3])
        case 3: shape = SliceShape(coils: 1, height: k.shape[1], width: k.shape[2])
        default:
            throw MRIIOError.wrongShape(
                file: path, dataset: "kspace", expected: "(slices, coils, H, W) or (slices, H, W)", actual: k.shape)
        }
        if shape.coils == 0 { throw MRIIOError.zeroCoils(file: path) }
        let slices = k.shape[0]
        guard slices > 0 else {
            throw MRIIOError.wrongShape(file: path, dataset: "kspace", expected: "at least one slice", actual: k.shape)
        }
        guard shape.height > 0, shape.width > 0,
              case let (n, o1) = shape.coils.multipliedReportingOverflow(by: shape.height), !o1,
              case let (elements, o2) = n.multipliedReportingOverflow(by: shape.width), !o2, elements <= Self.maxSliceSamples
        else {
            throw MRIIOError.wrongShape(file: path, dataset: "kspace", expected: "a non-empty slice of at most 2^31 samples", actual: k.shape)
        }

        var mask: [Float]? = nil
        if let m = datasets["mask"] {
            guard m.type.isRealNumeric else {
                throw MRIIOError.wrongType(file: path, dataset: "mask", expected: "float, integer or bool")
            }
            guard m.rank == 1 || (m.rank == 2 && m.shape == [shape.height, shape.width]) else {
                throw MRIIOError.wrongShape(file: path, dataset: "mask",
                                            expected: "(W,) = (\(shape.width),) or (H, W) = (\(shape.height), \(shape.width))", actual: m.shape)
            }
            guard m.rank == 2 || m.shape[0] == shape.width else {
                throw MRIIOError.maskLengthMismatch(file: path, maskLength: m.shape[0], width: shape.width)
            }
            mask = try f.readFloat("mask").storage
            if mask?.contains(where: { !$0.isFinite }) == true {
                throw MRIIOError.badValue(file: path, name: "mask", reason: "contains NaN or Inf (expected 0/1 per column)")
            }
        }

        var targets = [FastMRIFileInfo.Target]()
        for name in Self.targetNames {
            guard let t = datasets[name] else { continue }
            guard t.rank == 3, t.shape[0] == slices, t.type.isRealNumeric else {
                throw MRIIOError.wrongShape(
                    file: path, dataset: name, expected: "real (\(slices), H_t, W_t)", actual: t.shape)
            }
            targets.append(.init(name: name, shape: t.shape))
        }

        var header: ISMRMRDHeader? = nil
        if datasets["ismrmrd_header"] != nil {
            header = try ISMRMRDHeader(xml: try f.readString("ismrmrd_header"), file: path)
        }

        var attrs = try f.attributes()
        func take(_ key: String) -> HDF5AttributeValue? { attrs.removeValue(forKey: key) }
        let acceleration = take("acceleration")?.doubleValue
        if let a = acceleration, !(a.isFinite && a > 0) {
            throw MRIIOError.badValue(file: path, name: "acceleration", reason: "is \(a), expected a positive number")
        }
        let numLow = try take("num_low_frequency")?.doubleValue.map { v -> Int in
            guard v.isFinite, v == v.rounded(), v >= 0, v <= Double(shape.width) else {
                throw MRIIOError.badValue(file: path, name: "num_low_frequency", reason: "is \(v), expected an integer in 0…\(shape.width) (the k-space width)")
            }
            return Int(v)
        }
        let acquisition = take("acquisition")?.stringValue
        let maxValue = take("max")?.doubleValue
        let norm = take("norm")?.doubleValue
        let patientID = take("patient_id")?.stringValue

        let layout: FastMRIFileInfo.Layout = !targets.isEmpty ? .train : mask != nil ? .test : .kspaceOnly
        info = FastMRIFileInfo(
            path: path, layout: layout, slices: slices, sliceShape: shape, isSingleCoil: k.rank == 3,
            kspaceType: k.type, mask: mask,
            attributes: FastMRIAttributes(acceleration: acceleration, numLowFrequencies: numLow, acquisition: acquisition,
                                          max: maxValue, norm: norm, patientID: patientID, extra: attrs),
            targets: targets, header: header, datasets: datasets)
    }

    /// Opens, validates and closes a file, returning its metadata (for an `info` command).
    public static func inspect(_ url: URL) throws -> FastMRIFileInfo {
        let f = try FastMRIFile(contentsOf: url)
        defer { f.close() }
        return f.info
    }

    /// Closes the underlying HDF5 file (also done on deinit).
    public func close() { file.close() }

    /// Reads k-space slice `index` as `[coils, H, W]` (single-coil files: `[1, H, W]`), reading
    /// only that slice from disk.
    /// - Throws: `MRIIOError.sliceOutOfRange`, `.nonFinite` when any sample is NaN or ±Inf.
    public func readSlice(_ index: Int) throws -> ComplexArray {
        try checkSlice(index)
        let s = info.sliceShape
        let slab: ComplexArray
        if info.isSingleCoil {
            slab = try file.readComplex("kspace", start: [index, 0, 0], count: [1, s.height, s.width])
        } else {
            slab = try file.readComplex("kspace", start: [index, 0, 0, 0], count: [1, s.coils, s.height, s.width])
        }
        let out = slab.reshaped(s.dimensions)
        guard out.isFinite else { throw MRIIOError.nonFinite(file: path, slice: index) }
        return out
    }

    /// Reads slice `index` of a target image (`reconstruction_rss` by default) as `[H_t, W_t]`.
    /// - Throws: `MRIIOError.missingDataset` when the file has no such target,
    ///   `.sliceOutOfRange`.
    public func readTarget(name: String = "reconstruction_rss", slice index: Int) throws -> FloatArray {
        guard let t = info.targets.first(where: { $0.name == name }) else {
            throw MRIIOError.missingDataset(file: path, dataset: name)
        }
        try checkSlice(index)
        let img = try file.readFloat(name, start: [index, 0, 0], count: [1, t.shape[1], t.shape[2]])
        return img.reshaped([t.shape[1], t.shape[2]])
    }

    private func checkSlice(_ index: Int) throws {
        guard index >= 0 && index < info.slices else {
            throw MRIIOError.sliceOutOfRange(file: path, slice: index, slices: info.slices)
        }
    }
}
