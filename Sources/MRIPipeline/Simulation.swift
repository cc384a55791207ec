import Foundation
import MRIAcquisition
import MRICore
import MRIIO

/// `mri-daps simulate`: turns a fully sampled fastMRI file into a fastMRI test-layout file
/// (masked `kspace`, 1-D `mask`, `acceleration`, `num_low_frequency`), slice by slice, written
/// atomically. The mask follows `MaskPlan` (seeded from the file name).
public enum Simulation {
    /// What was written.
    public struct Summary: Sendable {
        public var output: URL
        public var slices: Int
        public var sampledColumns: Int
        public var width: Int
        public var numLowFrequencies: Int
        public var maskKind: String
        /// W / sampled columns.
        public var effectiveAcceleration: Double { Double(width) / Double(max(sampledColumns, 1)) }
    }

    /// Refuses an output that is the input itself (or inside a DICOM input folder).
    static func checkDistinct(input: URL, output: URL) throws {
        let i = OutputOwnership.resolvedPath(input), o = OutputOwnership.resolvedPath(output)
        if o == i || o.hasPrefix(i + "/") {
            throw PipelineError.invalidOption(name: "output", reason: "\(output.path) is the input (or inside it); choose another output")
        }
    }

    /// Undersamples `input` into `output` (a column mask, or a 2-D mask stored as `(H, W)`).
    public static func undersample(input: URL, output: URL, plan: MaskPlan, overwrite: Bool) throws -> Summary {
        try plan.validate()
        try checkDistinct(input: input, output: output)
        guard plan.acceleration != nil else {
            throw PipelineError.invalidOption(name: "accel", reason: "simulate needs an acceleration")
        }
        // Raw scanner data (ISMRMRD, TWIX) is read through its conversion, as recon reads it.
        let raw = RawInputCache()
        defer { raw.removeAll() }
        let file = try FastMRIFile(contentsOf: try raw.readable(input))
        defer { file.close() }
        let info = file.info
        if info.mask != nil {
            throw PipelineError.unusableInput(file: input.path, reason: "already undersampled (has a 'mask' dataset)")
        }
        guard let mask = try plan.mask(height: info.sliceShape.height, width: info.sliceShape.width,
                                       fileName: input.lastPathComponent, acquisition: info.acquisition) else {
            throw PipelineError.invalidOption(name: "accel", reason: "simulate needs an acceleration")
        }
        let kind = (plan.kind ?? MaskPlan.defaultKind(acquisition: info.acquisition)).rawValue
        let columns = mask.values
        var attributes = info.attributes
        attributes.acceleration = mask.acceleration
        attributes.numLowFrequencies = mask.numLowFrequencies
        attributes.extra["mask_type"] = .string(kind)
        attributes.extra["mask_seed"] = .integer(Int64(bitPattern: plan.seed))
        attributes.extra["simulated_from"] = .string(input.lastPathComponent)
        let writer = try FastMRIWriter(
            url: output, layout: .test, slices: info.slices, sliceShape: info.sliceShape,
            singleCoil: info.isSingleCoil, mask: columns, attributes: attributes, header: info.header,
            overwrite: overwrite)
        for s in 0..<info.slices {
            let k = try mask.apply(to: try file.readSlice(s))
            try writer.writeSlice(s, kspace: info.isSingleCoil ? k.reshaped(Array(k.shape.dropFirst())) : k)
        }
        try writer.finish()
        return Summary(output: writer.url, slices: info.slices, sampledColumns: mask.sampledCount / (mask.isTwoDimensional ? mask.shape[0] : 1),
                       width: info.sliceShape.width, numLowFrequencies: mask.numLowFrequencies,
                       maskKind: kind)
    }
}
