import Foundation
import MRICore

/// A reconstruction file as `ReconstructionWriter` writes it, read back whole: `reconstruction`
/// float32 `(slices, H, W)`, the optional `posterior_std` and `posterior_variance` of the same shape, the root
/// attributes, and an `ismrmrd_header` string dataset when one was stored.
public struct ReconstructionFile: Sendable {
    /// The posterior mean (or the classical reconstruction), `(slices, H, W)`.
    public var reconstruction: FloatArray
    /// The posterior standard deviation, same shape (nil when absent).
    public var posteriorStd: FloatArray?
    /// The unbiased across-draw variance, same shape (nil when absent).
    public var posteriorVariance: FloatArray?
    /// Root attributes (method, acceleration, input_file, patient_id, …).
    public var attributes: [String: HDF5AttributeValue]
    /// The ISMRMRD header of the source acquisition, when the file carries one.
    public var header: ISMRMRDHeader?

    /// Reads `url`.
    /// - Throws: `MRIIOError.notFound`, `.notHDF5`, `.missingDataset` (no `reconstruction`),
    ///   `.wrongShape` (not rank 3, or `posterior_std` of another shape), `.malformedHeader`.
    public init(contentsOf url: URL) throws {
        let file = try HDF5File(readingFrom: url)
        defer { file.close() }
        let info = try file.datasetInfo("reconstruction")
        guard info.rank == 3, info.shape.allSatisfy({ $0 > 0 }) else {
            throw MRIIOError.wrongShape(file: file.path, dataset: "reconstruction", expected: "(slices, H, W)", actual: info.shape)
        }
        reconstruction = try file.readFloat("reconstruction")
        if file.contains("posterior_std") {
            let std = try file.readFloat("posterior_std")
            guard std.shape == info.shape else {
                throw MRIIOError.wrongShape(file: file.path, dataset: "posterior_std", expected: "\(info.shape)", actual: std.shape)
            }
            posteriorStd = std
        }
        if file.contains("posterior_variance") {
            let v = try file.readFloat("posterior_variance")
            guard v.shape == info.shape else {
                throw MRIIOError.wrongShape(file: file.path, dataset: "posterior_variance", expected: "\(info.shape)", actual: v.shape)
            }
            posteriorVariance = v
        }
        attributes = try file.attributes()
        if file.contains("ismrmrd_header") {
            header = try ISMRMRDHeader(xml: try file.readString("ismrmrd_header"), file: file.path)
        }
    }
}
