import Foundation
import MRICore
import MRIIO

/// `mri-daps merge`: assembles slice shards of one input — outputs of `recon --slices a:b` of
/// the same file with the same options — into the file one `recon` over their union writes.
///
/// Every slice of a run is computed from that slice alone (its mask row, coil maps,
/// normalisation and sampler seed `sliceSeed(seed, k)` depend on the absolute index k), so the
/// datasets are concatenated bitwise; the attributes are those of the shards, which must agree
/// on every one except `slice_start` (the merged file takes the first) and the per-slice lists
/// (`coil_maps_per_slice`, `normalisation_scales`, `daps_seeds`, `taus`, `noise_std_estimates`), which are joined in slice
/// order. Shards that overlap, leave a gap, come from different inputs or runs (any other
/// attribute differs), or hold different datasets are refused before anything is written.
public enum ShardMerge {
    /// Per-slice list attributes: comma-separated, or a JSON array.
    static let commaLists: Set<String> = ["coil_maps_per_slice"]
    static let jsonLists: Set<String> = ["normalisation_scales", "daps_seeds", "taus", "noise_std_estimates"]

    public struct Summary: Sendable {
        public var output: URL
        public var slices: Int
        public var sliceStart: Int
        public var shards: Int
    }

    /// One shard: its slice range, datasets (name → shape) and attributes.
    struct Shard {
        let url: URL
        let start: Int, count: Int
        let datasets: [String: [Int]]
        let attributes: [String: HDF5AttributeValue]
    }

    /// Merges `shards` (any order) into `output`.
    public static func merge(_ shards: [URL], into output: URL, overwrite: Bool) throws -> Summary {
        guard !shards.isEmpty else { throw PipelineError.invalidOption(name: "shards", reason: "give at least one shard") }
        for s in shards { try Simulation.checkDistinct(input: s, output: output) }
        try ReconstructionWriter.checkDestination(output, overwrite: overwrite)
        let parts = try shards.map(read).sorted { $0.start < $1.start }
        let attributes = try mergedAttributes(parts)
        let first = parts[0], total = parts.reduce(0) { $0 + $1.count }
        let h = first.datasets["reconstruction"]![1], w = first.datasets["reconstruction"]![2]
        let images = first.datasets.filter { $0.key != "reconstruction" && $0.value == [first.count, h, w] }.keys.sorted()
        var perSlice = [String: [Int]]()
        for (name, shape) in first.datasets where name != "reconstruction" && !images.contains(name) {
            perSlice[name] = Array(shape.dropFirst())
        }
        let writer = try ReconstructionWriter(url: output, slices: total, height: h, width: w, extraNames: images,
                                              perSliceShapes: perSlice, attributes: attributes, overwrite: overwrite)
        var index = 0
        for part in parts {
            let f = try HDF5File(readingFrom: part.url)
            defer { f.close() }
            for k in 0..<part.count {
                func slice(_ name: String) throws -> FloatArray {
                    let shape = part.datasets[name]!
                    let v = try f.readFloat(name, start: [k] + [Int](repeating: 0, count: shape.count - 1),
                                            count: [1] + Array(shape.dropFirst()))
                    return v.reshaped(Array(shape.dropFirst()))
                }
                try writer.writeSlice(index, reconstruction: try slice("reconstruction"),
                                      extras: Dictionary(uniqueKeysWithValues: try images.map { ($0, try slice($0)) }),
                                      perSlice: Dictionary(uniqueKeysWithValues: try perSlice.keys.map { ($0, try slice($0)) }))
                index += 1
            }
        }
        try writer.finish()
        return Summary(output: writer.url, slices: total, sliceStart: first.start, shards: parts.count)
    }

    /// Reads a shard's structure: an mri-daps reconstruction with `slice_start`.
    static func read(_ url: URL) throws -> Shard {
        let f = try HDF5File(readingFrom: url)
        defer { f.close() }
        let attributes = try f.attributes()
        guard case .string(let software)? = attributes["software"], software.hasPrefix("mri-daps"),
              f.contains("reconstruction") else {
            throw PipelineError.unusableInput(file: url.path, reason: "is not a reconstruction written by mri-daps recon")
        }
        var datasets = [String: [Int]]()
        for name in try f.rootNames() { datasets[name] = try f.datasetInfo(name).shape }
        let shape = datasets["reconstruction"]!
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw MRIIOError.wrongShape(file: url.path, dataset: "reconstruction", expected: "(slices, H, W)", actual: shape)
        }
        if let (name, s) = datasets.first(where: { $0.value.first != shape[0] }) {
            throw MRIIOError.wrongShape(file: url.path, dataset: name, expected: "(\(shape[0]), …) like 'reconstruction'", actual: s)
        }
        guard let startValue = attributes["slice_start"]?.doubleValue, let start = Int(exactly: startValue), start >= 0 else {
            throw MRIIOError.badValue(file: url.path, name: "slice_start", reason: "is missing or not a slice index")
        }
        return Shard(url: url, start: start, count: shape[0], datasets: datasets, attributes: attributes)
    }

    /// The merged attributes; throws when shards overlap, leave a gap or come from different runs.
    static func mergedAttributes(_ parts: [Shard]) throws -> [String: HDF5AttributeValue] {
        let first = parts[0]
        var merged = first.attributes
        let lists = commaLists.union(jsonLists)
        for (a, b) in zip(parts, parts.dropFirst()) {
            if b.start < a.start + a.count {
                throw PipelineError.unusableInput(file: b.url.path, reason: "overlaps \(a.url.path) (slices \(b.start)..<\(b.start + b.count) and \(a.start)..<\(a.start + a.count))")
            }
            if b.start > a.start + a.count {
                throw PipelineError.unusableInput(file: b.url.path, reason: "leaves slices \(a.start + a.count)..<\(b.start) missing after \(a.url.path)")
            }
        }
        for part in parts.dropFirst() {
            let names = Set(first.attributes.keys).union(part.attributes.keys).subtracting(lists).subtracting(["slice_start"])
            if let differing = names.sorted().first(where: { first.attributes[$0] != part.attributes[$0] }) {
                throw PipelineError.unusableInput(
                    file: part.url.path,
                    reason: "comes from a different run than \(first.url.path): attribute '\(differing)' is \(part.attributes[differing].map { "\($0)" } ?? "absent") there, \(first.attributes[differing].map { "\($0)" } ?? "absent") here")
            }
            let shapes = part.datasets.mapValues { Array($0.dropFirst()) }
            if shapes != first.datasets.mapValues({ Array($0.dropFirst()) }) {
                throw PipelineError.unusableInput(file: part.url.path, reason: "holds other datasets or shapes than \(first.url.path)")
            }
        }
        for name in lists where first.attributes[name] != nil {
            var items = [String]()
            for part in parts {
                guard case .string(var text)? = part.attributes[name] else {
                    throw MRIIOError.badValue(file: part.url.path, name: name, reason: "is missing or not text")
                }
                if jsonLists.contains(name) { text = String(text.dropFirst().dropLast()) }
                let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == part.count else {
                    throw MRIIOError.badValue(file: part.url.path, name: name, reason: "has \(parts.count) entries for \(part.count) slices")
                }
                items += parts
            }
            let joined = items.joined(separator: ",")
            merged[name] = .string(jsonLists.contains(name) ? "[" + joined + "]" : joined)
        }
        merged["slice_start"] = .integer(Int64(first.start))
        return merged
    }
}
