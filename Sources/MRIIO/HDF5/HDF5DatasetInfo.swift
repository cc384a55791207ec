/// Shape and element type of one dataset.
public struct HDF5DatasetInfo: Sendable, Equatable {
    /// Extent of each axis, row-major (C order) as h5py reports it; `[]` for a scalar.
    public var shape: [Int]
    /// Element type.
    public var type: HDF5ElementType

    /// Creates a description.
    public init(shape: [Int], type: HDF5ElementType) {
        self.shape = shape
        self.type = type
    }

    /// Number of axes.
    public var rank: Int { shape.count }
}
