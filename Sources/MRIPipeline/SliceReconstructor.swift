import Foundation
import MRICore
import MRIIO

/// One method family's part of `ReconPipeline.run`: what it adds to the output file, how it
/// reconstructs one raw slice, and what it records once every slice is done. `run` itself only
/// reads, calls `reconstruct`, writes, and keeps progress and timing.
protocol SliceReconstructor: AnyObject {
    /// Datasets `(slices, H, W)` written beside `reconstruction`.
    var extraNames: [String] { get }
    /// Datasets `(slices, …shape)` written per slice.
    var perSliceShapes: [String: [Int]] { get }
    /// Root attributes known before the first slice.
    var attributes: [String: HDF5AttributeValue] { get }
    /// Steps within one slice, for progress (0: the slice is one step).
    var stepsPerSlice: Int { get }
    /// The DAPS protocol (its coil-map and compression defaults), nil for classical methods.
    var reconProtocol: ReconProtocol? { get }
    /// Reconstructs slice `index` (absolute in the file) of raw k-space `[coils, H, W]`;
    /// `onStep` receives the step within the slice.
    func reconstruct(_ raw: ComplexArray, index: Int, timings: inout StageTimings,
                     onStep: (@Sendable (Int) -> Void)?) throws -> SliceImages
    /// Root attributes recorded after the last slice.
    var finalAttributes: [String: HDF5AttributeValue] { get }
    /// This family's fields of the run report.
    func fill(_ report: inout ReconReport.File)
}

/// What one slice gives the writer.
struct SliceImages {
    var image: FloatArray
    var extras: [String: FloatArray] = [:]
    var perSlice: [String: FloatArray] = [:]
}

/// Zero-filled, MVUE, CG-SENSE and L1-wavelet: one image per slice.
final class ClassicalSliceReconstructor: SliceReconstructor {
    let pipeline: ReconPipeline
    let sampling: ReconPipeline.Sampling
    let geometry: ReconPipeline.Geometry
    private var mapsUsed = [String]()

    init(pipeline: ReconPipeline, sampling: ReconPipeline.Sampling, geometry: ReconPipeline.Geometry) {
        (self.pipeline, self.sampling, self.geometry) = (pipeline, sampling, geometry)
    }

    var extraNames: [String] { [] }
    var perSliceShapes: [String: [Int]] { [:] }
    var stepsPerSlice: Int { 0 }
    var reconProtocol: ReconProtocol? { nil }

    var attributes: [String: HDF5AttributeValue] {
        let m = pipeline.options.method
        var a = [String: HDF5AttributeValue]()
        if let l = pipeline.options.lambda ?? m.defaultLambda { a["lambda"] = .real(Double(l)) }
        if let i = pipeline.options.iterations ?? m.defaultIterations { a["iterations"] = .integer(Int64(i)) }
        return a
    }

    func reconstruct(_ raw: ComplexArray, index: Int, timings: inout StageTimings,
                     onStep: (@Sendable (Int) -> Void)?) throws -> SliceImages {
        let t = Date()
        let image = try pipeline.reconstructSlice(raw, sampling: sampling, geometry: geometry, mapsUsed: &mapsUsed)
        timings.reconstruction += Date().timeIntervalSince(t)
        return SliceImages(image: image)
    }

    var finalAttributes: [String: HDF5AttributeValue] { pipeline.coilMapAttributes(mapsUsed, reconProtocol: nil) }

    func fill(_ report: inout ReconReport.File) {}
}

/// DAPS: posterior mean, calibrated standard deviation and (optionally) every draw per slice.
final class DAPSSliceReconstructor: SliceReconstructor {
    let pipeline: ReconPipeline
    let sampling: ReconPipeline.Sampling
    let geometry: ReconPipeline.Geometry
    let setup: ReconPipeline.DAPSSetup
    private var mapsUsed = [String]()
    private var scales = [Float](), seeds = [UInt64](), noise = [Float?](), taus = [Float]()
    private var networkEvaluations = 0

    init(pipeline: ReconPipeline, sampling: ReconPipeline.Sampling, geometry: ReconPipeline.Geometry,
         setup: ReconPipeline.DAPSSetup) {
        (self.pipeline, self.sampling, self.geometry, self.setup) = (pipeline, sampling, geometry, setup)
    }

    var extraNames: [String] { ["posterior_std", "posterior_variance"] }
    var perSliceShapes: [String: [Int]] {
        pipeline.options.saveSamples ? ["samples": [setup.reconProtocol.samples, geometry.outputHeight, geometry.outputWidth]] : [:]
    }
    var attributes: [String: HDF5AttributeValue] { setup.attributes }
    var stepsPerSlice: Int { setup.reconProtocol.daps.annealingSteps }
    var reconProtocol: ReconProtocol? { setup.reconProtocol }

    func reconstruct(_ raw: ComplexArray, index: Int, timings: inout StageTimings,
                     onStep: (@Sendable (Int) -> Void)?) throws -> SliceImages {
        let seed = ReconPipeline.sliceSeed(setup.seed, slice: index)
        let r = try pipeline.reconstructDAPSSlice(raw, sampling: sampling, geometry: geometry, setup: setup, seed: seed,
                                                  timings: &timings, mapsUsed: &self.mapsUsed, onStep: onStep)
        scales.append(r.scale)
        seeds.append(seed)
        noise.append(r.noiseStd)
        taus.append(r.tau)
        networkEvaluations = r.networkEvaluations
        return SliceImages(image: r.mean, extras: ["posterior_std": r.standardDeviation, "posterior_variance": r.variance],
                           perSlice: pipeline.options.saveSamples ? ["samples": r.samples] : [:])
    }

    var finalAttributes: [String: HDF5AttributeValue] {
        var a = pipeline.coilMapAttributes(mapsUsed, reconProtocol: setup.reconProtocol)
        a["normalisation_scales"] = .string(ReconPipeline.jsonArray(scales.map { Double($0) }))
        a["daps_seeds"] = .string("[" + seeds.map(String.init).joined(separator: ",") + "]")
        a["noise_std_estimates"] = .string("[" + noise.map { $0.map { "\($0)" } ?? "null" }.joined(separator: ",") + "]")
        a["taus"] = .string(ReconPipeline.jsonArray(taus.map { Double($0) }))
        a["network_evaluations"] = .integer(Int64(networkEvaluations))
        return a
    }

    func fill(_ report: inout ReconReport.File) {
        report.reconProtocol = setup.reconProtocol
        report.protocolChoice = setup.protocolChoice
        report.prior = setup.prior.identity
        report.priorChoice = setup.priorChoice
        report.seeds = seeds
        report.scales = scales
        report.noiseStd = noise
        report.taus = taus
        report.normalisationEstimate = pipeline.options.normalisationEstimate.rawValue
        report.networkEvaluations = networkEvaluations
    }
}
