/// The root attributes of a fastMRI file that `FastMRIWriter` writes.
///
/// `acceleration` and `num_low_frequency` are written as integers when integral (as in the
/// fastMRI test files), `max` and `norm` as float64, `acquisition` and `patient_id` as strings.
public struct FastMRIAttributes: Sendable, Equatable {
    /// Nominal acceleration R (test layout).
    public var acceleration: Double?
    /// Number of fully sampled centre columns (test layout).
    public var numLowFrequencies: Int?
    /// Acquisition/contrast name, e.g. "CORPD_FBK".
    public var acquisition: String?
    /// Maximum of the target volume; computed from the first target when nil.
    public var max: Double?
    /// L2 norm of the target volume; computed from the first target when nil.
    public var norm: Double?
    /// Patient identifier (hashed in fastMRI).
    public var patientID: String?
    /// Further attributes, written as given.
    public var extra: [String: HDF5AttributeValue]

    /// Creates attributes (all optional).
    public init(
        acceleration: Double? = nil, numLowFrequencies: Int? = nil, acquisition: String? = nil,
        max: Double? = nil, norm: Double? = nil, patientID: String? = nil,
        extra: [String: HDF5AttributeValue] = [:]
    ) {
        self.acceleration = acceleration
        self.numLowFrequencies = numLowFrequencies
        self.acquisition = acquisition
        self.max = max
        self.norm = norm
        self.patientID = patientID
        self.extra = extra
    }
}
