import Foundation
import MRICore

/// Writes a reconstruction volume as HDF5, the fastMRI submission layout extended with
/// per-voxel extras: `reconstruction` float32 `(slices, H, W)`, optional further float32
/// datasets of the same shape (e.g. `posterior_std`), optional float32 datasets with their own
/// per-slice shape `(slices, …)` (e.g. `samples` `(slices, draws, H, W)`), and scalar root
/// attributes.
///
/// Slices can be written one at a time (`writeSlice`) or the volume at once (`write`). Output
/// goes to a temporary file in the destination directory and is renamed into place by
/// `finish()`; an existing output is refused unless `overwrite` is true.
public final class ReconstructionWriter {
    /// Destination path.
    public let url: URL
    /// Number of slices.
    public let slices: Int
    /// Image height H and width W.
    public let height: Int, width: Int
    /// Names of the extra datasets (besides `reconstruction`).
    public let extraNames: [String]
    /// Per-slice shapes of the datasets `(slices, …shape)` written beside them (e.g. `samples`).
    public let perSliceShapes: [String: [Int]]

    private let output: AtomicOutput
    private var file: HDF5File?
    private var attributes: [String: HDF5AttributeValue]
    private var written: [Bool]

    /// Starts a file with `reconstruction` and the named extras, each `(slices, height, width)`,
    /// plus one dataset `(slices, …shape)` per entry of `perSliceShapes`.
    public init(
        url: URL, slices: Int, height: Int, width: Int, extraNames: [String] = [],
        perSliceShapes: [String: [Int]] = [:],
        attributes: [String: HDF5AttributeValue] = [:], overwrite: Bool = false
    ) throws {
        let output = try AtomicOutput(url, overwrite: overwrite)
        guard slices > 0, height > 0, width > 0 else {
            throw MRIIOError.wrongShape(file: output.destination.path, dataset: "reconstruction", expected: "positive extents", actual: [slices, height, width])
        }
        let allExtras = extraNames + perSliceShapes.keys.sorted()
        guard !allExtras.contains("reconstruction"), Set(allExtras).count == allExtras.count else {
            throw MRIIOError.wrongShape(file: output.destination.path, dataset: allExtras.joined(separator: ","), expected: "distinct extra names other than 'reconstruction'", actual: [])
        }
        if let (name, shape) = perSliceShapes.first(where: { $0.value.isEmpty || $0.value.contains { $0 <= 0 } }) {
            throw MRIIOError.wrongShape(file: output.destination.path, dataset: name, expected: "positive extents", actual: shape)
        }
        self.url = output.destination
        self.output = output
        self.slices = slices
        self.height = height
        self.width = width
        self.extraNames = extraNames
        self.perSliceShapes = perSliceShapes
        self.attributes = attributes
        written = [Bool](repeating: false, count: slices)
        do {
            let f = try HDF5File(creating: output.temporary)
            file = f
            for name in ["reconstruction"] + extraNames {
                try f.createDataset(name, shape: [slices, height, width], type: .float32)
            }
            for (name, shape) in perSliceShapes.sorted(by: { $0.key < $1.key }) {
                try f.createDataset(name, shape: [slices] + shape, type: .float32)
            }
        } catch {
            file?.close()
            output.discard()
            throw FastMRIWriter.renamed(error, from: output.temporary.path, to: output.destination.path)
        }
    }

    deinit {
        if file != nil {
            file?.close()
            output.discard()
        }
    }

    /// Throws what `init` would throw about the destination itself (it exists without
    /// `overwrite`, it is not an mri-daps output, it is a directory), before any work.
    public static func checkDestination(_ url: URL, overwrite: Bool) throws {
        try AtomicOutput.checkReplaceable(url.standardizedFileURL, overwrite: overwrite, owned: OutputOwnership.isOwnedHDF5)
    }

    /// Sets (or replaces) a root attribute written at `finish()`.
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue) {
        attributes[name] = value
    }

    /// Writes slice `index` of `reconstruction` (`[H, W]`), of every extra (by name) and of every
    /// per-slice dataset (`perSlice[name]` of shape `perSliceShapes[name]`).
    public func writeSlice(_ index: Int, reconstruction: FloatArray, extras: [String: FloatArray] = [:],
                           perSlice: [String: FloatArray] = [:]) throws {
        guard let f = file else { throw MRIIOError.writeFailed(file: url.path, reason: "writer already finished") }
        guard index >= 0 && index < slices else {
            throw MRIIOError.sliceOutOfRange(file: url.path, slice: index, slices: slices)
        }
        let all = [("reconstruction", Optional(reconstruction))] + extraNames.map { ($0, extras[$0]) }
        if let unknown = extras.keys.first(where: { !extraNames.contains($0) }) {
            throw MRIIOError.wrongShape(file: url.path, dataset: unknown, expected: "one of \(extraNames)", actual: [])
        }
        for (name, img) in all {
            guard let img else { throw MRIIOError.missingDataset(file: url.path, dataset: name) }
            guard img.shape == [height, width] else {
                throw MRIIOError.wrongShape(file: url.path, dataset: name, expected: "[\(height), \(width)]", actual: img.shape)
            }
        }
        if let unknown = perSlice.keys.first(where: { perSliceShapes[$0] == nil }) {
            throw MRIIOError.wrongShape(file: url.path, dataset: unknown, expected: "one of \(perSliceShapes.keys.sorted())", actual: [])
        }
        for (name, shape) in perSliceShapes {
            guard let v = perSlice[name] else { throw MRIIOError.missingDataset(file: url.path, dataset: name) }
            guard v.shape == shape else {
                throw MRIIOError.wrongShape(file: url.path, dataset: name, expected: "\(shape)", actual: v.shape)
            }
        }
        do {
            for (name, img) in all { try f.writeFloat(name, img!, start: [index, 0, 0]) }
            for (name, v) in perSlice.sorted(by: { $0.key < $1.key }) {
                try f.writeFloat(name, v.reshaped([1] + v.shape), start: [index] + [Int](repeating: 0, count: v.shape.count))
            }
        } catch {
            throw FastMRIWriter.renamed(error, from: output.temporary.path, to: url.path)
        }
        written[index] = true
    }

    /// Writes the attributes, closes the file and renames it into place.
    public func finish() throws {
        guard let f = file else { throw MRIIOError.writeFailed(file: url.path, reason: "writer already finished") }
        try output.finish(f, written: written, attributes: attributes.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) })
        file = nil
    }

    /// Writes a whole volume: `reconstruction` `[slices, H, W]` and extras of the same shape.
    public static func write(
        reconstruction: FloatArray, extras: [String: FloatArray] = [:],
        attributes: [String: HDF5AttributeValue] = [:], to url: URL, overwrite: Bool = false
    ) throws {
        let s = reconstruction.shape
        guard s.count == 3 else {
            throw MRIIOError.wrongShape(file: url.path, dataset: "reconstruction", expected: "(slices, H, W)", actual: s)
        }
        for (name, e) in extras where e.shape != s {
            throw MRIIOError.wrongShape(file: url.path, dataset: name, expected: "\(s)", actual: e.shape)
        }
        let names = extras.keys.sorted()
        let w = try ReconstructionWriter(
            url: url, slices: s[0], height: s[1], width: s[2], extraNames: names,
            attributes: attributes, overwrite: overwrite)
        for i in 0..<s[0] {
            try w.writeSlice(i, reconstruction: reconstruction.item(i), extras: extras.mapValues { $0.item(i) })
        }
        try w.finish()
    }
}
