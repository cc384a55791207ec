/// One series of an export: what it holds and how its pixels are stored.
///
/// The writer only stores what it is given: quantisation, rescaling and windows are computed
/// by the caller (MRIPipeline's `DICOMPixelMapping`).
public struct DICOMSeries: Sendable {
    /// How the pixels are stored.
    public enum Content: Sendable {
        /// MR Image Storage (1.2.840.10008.5.1.4.1.1.4), one instance per slice: unsigned
        /// integers `stored` (row-major `(slices, rows, columns)`) with `bitsStored` significant
        /// bits in 16-bit words; real value = `slope · stored + intercept` (Real World Value
        /// Mapping). `window` is in stored-value units.
        case mrImage(stored: [UInt16], bitsStored: Int, slope: Double, intercept: Double, window: DICOMWindow)
        /// Parametric Map Storage (1.2.840.10008.5.1.4.1.1.30), one multi-frame instance:
        /// float32 values (row-major `(slices, rows, columns)`) stored as they are (identity
        /// Pixel Value Transformation, identity Real World Value Mapping). `window` is in value units.
        case parametricMap(values: [Float], window: DICOMWindow)
    }

    /// SeriesNumber (0020,0011).
    public var number: Int
    /// SeriesDescription (0008,103E) (≤ 64 characters).
    public var description: String
    /// The quantity the pixels hold (e.g. `DICOMCode.mean`, `.standardDeviation`): QuantityDefinitionSequence.
    public var quantity: DICOMCode
    /// Short label: LUTLabel of the mapping and ContentLabel of a Parametric Map (≤ 16 characters, e.g. "MEAN", "STD").
    public var label: String
    /// Value 3 and 4 of ImageType: value 3 for MR Image (e.g. "OTHER"), value 4 for a Parametric Map frame type (e.g. "STD_DEVIATION").
    public var imageFlavor: String
    /// DerivationDescription (0008,2111): how the values were made.
    public var derivationDescription: String
    /// Measurement units of the real values (UCUM; default dimensionless "1").
    public var units = DICOMCode.noUnits
    /// Volume extent: slices, rows (H), columns (W).
    public var slices: Int, rows: Int, columns: Int
    /// Pixels.
    public var content: Content

    /// Creates a series description.
    public init(
        number: Int, description: String, quantity: DICOMCode, label: String, imageFlavor: String,
        derivationDescription: String, slices: Int, rows: Int, columns: Int, content: Content
    ) {
        self.number = number
        self.description = description
        self.quantity = quantity
        self.label = label
        self.imageFlavor = imageFlavor
        self.derivationDescription = derivationDescription
        self.slices = slices
        self.rows = rows
        self.columns = columns
        self.content = content
    }
}

/// A VOI window (WindowCenter/WindowWidth, PS3.3 C.11.2.1.2) with its function.
public struct DICOMWindow: Sendable, Equatable {
    /// WindowCenter (0028,1050).
    public var center: Double
    /// WindowWidth (0028,1051); must be > 0, and ≥ 1 unless `function` is LINEAR_EXACT.
    public var width: Double
    /// VOILUTFunction (0028,1056): "LINEAR_EXACT" when width < 1, else nil (LINEAR, the default).
    public var function: String? { width < 1 ? "LINEAR_EXACT" : nil }

    /// Creates a window.
    public init(center: Double, width: Double) {
        self.center = center
        self.width = width
    }
}
