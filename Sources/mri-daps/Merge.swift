import ArgumentParser
import Foundation
import MRIPipeline

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Assemble slice shards of one input (recon --slices a:b) into the file one recon over their union writes.",
        discussion: """
            Datasets are concatenated bitwise in slice order; the shards must agree on every attribute except \
            slice_start and the per-slice lists (coil_maps_per_slice, normalisation_scales, daps_seeds, taus, noise_std_estimates), which are \
            joined. Shards that overlap, leave a gap, or come from different inputs, methods, protocols, priors or \
            seeds are refused before anything is written.
            """)

    @Argument(help: "Shard files (outputs of recon --slices a:b), in any order.") var shards: [String]
    @Option(name: [.short, .customLong("out")], help: "Merged output file.") var out: String
    @Flag(help: "Replace an existing output written by mri-daps.") var force = false

    func run() throws {
        try HDF5Probe.check(shards)
        let s = try ShardMerge.merge(shards.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: out), overwrite: force)
        emit("merged \(s.shards) shards → \(s.output.path): slices \(s.sliceStart)..<\(s.sliceStart + s.slices)")
    }
}
