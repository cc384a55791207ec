import Foundation
import MRIAcquisition
import MRICore
import MRIIO

extension NormalisationScale {
    /// One slice of `compare`: the q-quantile of |x| of the fully sampled MVUE (what training
    /// divides by) and of each initial estimate from the undersampled data.
    public struct Comparison: Sendable, Codable {
        public var slice: Int
        public var fullySampled: Float
        /// Keyed by `Estimate.rawValue`.
        public var estimates: [String: Float]

        /// estimate / fully sampled.
        public func ratio(_ e: Estimate) -> Double { Double(estimates[e.rawValue] ?? .nan) / Double(fullySampled) }
    }

    /// Measures how well each `Estimate` predicts the training scale on a fully sampled file:
    /// the reference is quantile_q(|MVUE|) of the fully sampled k-space with ESPIRiT maps from it;
    /// the estimates use the k-space undersampled by `plan` and the maps `recon` would use.
    public static func compare(input: URL, plan: MaskPlan, quantile q: Double = ReconProtocol.defaultQuantile,
                               slices: Range<Int>? = nil) throws -> [Comparison] {
        let file = try FastMRIFile(contentsOf: input)
        defer { file.close() }
        let info = file.info
        guard info.mask == nil else {
            throw PipelineError.unusableInput(file: input.path, reason: "already undersampled; the comparison needs fully sampled data")
        }
        var options = ReconOptions()
        options.mask = plan
        let pipeline = ReconPipeline(options: options)
        let sampling = try ReconPipeline.sampling(info: info, plan: plan, fileName: input.lastPathComponent)
        let geometry = ReconPipeline.geometry(info: info)
        let full = ReconPipeline.Sampling(mask: nil, numLowFrequencies: sampling.numLowFrequencies, sampledColumns: info.sliceShape.width,
                                          source: "none", kind: "none", centerFraction: nil, nominalAcceleration: 1)
        var out = [Comparison]()
        for s in slices ?? 0..<info.slices {
            let raw = try file.readSlice(s)
            var used = [String]()
            let kf = try pipeline.prepare(raw, sampling: full, geometry: geometry, virtualCoils: nil)
            let mapsFull = try pipeline.sensitivityMaps(kf, sampling: full, method: .auto, mapsUsed: &used)
            let reference = quantile(try MVUECombination.reconstruct(kspace: kf, sensitivityMaps: mapsFull).magnitude.storage, q)
            let k = try pipeline.prepare(raw, sampling: sampling, geometry: geometry, virtualCoils: nil)
            let maps = try pipeline.sensitivityMaps(k, sampling: sampling, method: .auto, mapsUsed: &used)
            let op = try ReconPipeline.senseOperator(maps: maps, sampling: sampling, compute: options.compute)
            var estimates = [String: Float]()
            for e in Estimate.allCases {
                estimates[e.rawValue] = quantile(try initialImage(kspace: k, operator: op, estimate: e).magnitude.storage, q)
            }
            out.append(Comparison(slice: s, fullySampled: reference, estimates: estimates))
        }
        return out
    }
}
