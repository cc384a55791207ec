import MRICore

/// Everything `FastMRIFile` learns about a file when it opens it (no sample data): the facts a
/// CLI `info` command prints. The library never prints.
public struct FastMRIFileInfo: Sendable, Equatable {
    /// Which fastMRI split layout the file follows.
    public enum Layout: String, Sendable, Equatable {
        /// Train or validation: fully sampled `kspace` plus `reconstruction_rss`/`reconstruction_esc` targets.
        case train
        /// Test/challenge: undersampled `kspace` plus a 1-D `mask` (and usually `acceleration`).
        case test
        /// Only `kspace` (no targets, no mask), e.g. a raw conversion.
        case kspaceOnly
    }

    /// A target image dataset and its shape `(slices, H_t, W_t)`.
    public struct Target: Sendable, Equatable {
        /// Dataset name, e.g. "reconstruction_rss".
        public var name: String
        /// Shape on disk.
        public var shape: [Int]
        /// Creates a target description.
        public init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }
    }

    /// Path of the file.
    public var path: String
    /// Split layout.
    public var layout: Layout
    /// Number of slices (first axis of `kspace`).
    public var slices: Int
    /// Shape of one slice `(coils, H = readout, W = phase encode)`; single-coil files have 1 coil.
    public var sliceShape: SliceShape
    /// True when `kspace` is rank 3 (single-coil), treated as one coil.
    public var isSingleCoil: Bool
    /// On-disk element type of `kspace` (complex64, or complex128 read as complex64).
    public var kspaceType: HDF5ElementType
    /// The sampling mask as 0/1 floats (nil when absent): over the W columns (a Cartesian
    /// column mask), or row-major over the (H, W) plane (a 2-D mask, e.g. the ky–kz plane of an
    /// undersampled 3-D acquisition: one readout position per sample).
    public var mask: [Float]?
    /// True when `mask` is a 2-D (H, W) mask.
    public var maskIsTwoDimensional: Bool { (mask?.count ?? 0) > sliceShape.width }
    /// Number of sampled columns of a column `mask` (non-zero entries); nil for a 2-D mask.
    public var sampledColumns: Int? {
        maskIsTwoDimensional ? nil : mask.map { $0.reduce(0) { $1 != 0 ? $0 + 1 : $0 } }
    }
    /// Number of sampled positions of `mask` (non-zero entries).
    public var maskSamples: Int? { mask.map { $0.reduce(0) { $1 != 0 ? $0 + 1 : $0 } } }
    /// The root attributes (`acceleration`, `num_low_frequency`, `acquisition`, `max`, `norm`,
    /// `patient_id`; every other one in `extra`), as `FastMRIWriter` takes them.
    public var attributes: FastMRIAttributes
    /// Attribute `acceleration`.
    public var acceleration: Double? { attributes.acceleration }
    /// Attribute `num_low_frequency` (fully sampled centre columns).
    public var numLowFrequencies: Int? { attributes.numLowFrequencies }
    /// Attribute `acquisition` (e.g. CORPD_FBK, AXT2).
    public var acquisition: String? { attributes.acquisition }
    /// Attribute `max`: maximum of the target volume.
    public var max: Double? { attributes.max }
    /// Attribute `norm`: L2 norm of the target volume.
    public var norm: Double? { attributes.norm }
    /// Attribute `patient_id` (hashed).
    public var patientID: String? { attributes.patientID }
    /// All other root attributes, by name.
    public var otherAttributes: [String: HDF5AttributeValue] { attributes.extra }
    /// Target datasets present (`reconstruction_rss`, `reconstruction_esc`), in that order.
    public var targets: [Target]
    /// The parsed `ismrmrd_header` (nil when absent).
    public var header: ISMRMRDHeader?
    /// Every dataset in the root group with its shape and type.
    public var datasets: [String: HDF5DatasetInfo]

    /// Creates an info record (used by `FastMRIFile`).
    public init(
        path: String, layout: Layout, slices: Int, sliceShape: SliceShape, isSingleCoil: Bool,
        kspaceType: HDF5ElementType, mask: [Float]?, attributes: FastMRIAttributes, targets: [Target], header: ISMRMRDHeader?,
        datasets: [String: HDF5DatasetInfo]
    ) {
        self.path = path
        self.layout = layout
        self.slices = slices
        self.sliceShape = sliceShape
        self.isSingleCoil = isSingleCoil
        self.kspaceType = kspaceType
        self.mask = mask
        self.attributes = attributes
        self.targets = targets
        self.header = header
        self.datasets = datasets
    }
}
