import MRICore

/// An image volume read from a DICOM series: pixels `(slices, rows, columns)`, where it lies in
/// the patient (LPS, mm), and the series' key attributes.
///
/// Pixel values are the Modality LUT output: `RescaleSlope · stored + RescaleIntercept` when the
/// file (or the frame's Pixel Value Transformation functional group) gives them, else the stored
/// values; with `DICOMSeriesReader.realWorldValues`, the first Real World Value Mapping item's
/// slope/intercept instead when present. Rows run along `geometry.columnDirection`, columns
/// along `geometry.rowDirection`, slices along the normal `rowDirection × columnDirection`.
public struct DICOMVolume: Sendable {
    /// How the slices were ordered.
    public enum SliceOrder: String, Sendable {
        /// Ascending ImagePositionPatient · normal (the normal from ImageOrientationPatient).
        case position
        /// Ascending InstanceNumber, then file path and frame (no usable positions).
        case instanceNumber
    }

    /// Pixels, row-major `(slices, rows, columns)`.
    public var pixels: FloatArray
    /// Geometry: `firstPosition` is the first slice's ImagePositionPatient, `spacingBetweenSlices`
    /// the mean step along the normal (SpacingBetweenSlices, else SliceThickness, without positions).
    public var geometry: DICOMGeometry
    /// ImagePositionPatient of every slice, in volume order (nil when the files lack it).
    public var positions: [[Double]]?
    /// How the slices were sorted.
    public var order: SliceOrder
    /// Key attributes.
    public var info: DICOMSeriesInfo

    /// Number of slices.
    public var slices: Int { pixels.shape[0] }
    /// Rows (H) and columns (W) of a slice.
    public var rows: Int { pixels.shape[1] }
    public var columns: Int { pixels.shape[2] }

    /// Creates a volume.
    public init(pixels: FloatArray, geometry: DICOMGeometry, positions: [[Double]]?, order: SliceOrder, info: DICOMSeriesInfo) {
        precondition(pixels.shape.count == 3, "DICOMVolume pixels are (slices, rows, columns)")
        self.pixels = pixels
        self.geometry = geometry
        self.positions = positions
        self.order = order
        self.info = info
    }
}
