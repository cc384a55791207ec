/// Where the voxels of a volume `(slices, rows, columns)` lie in the patient coordinate system
/// (LPS, millimetres; PS3.3 C.7.6.2).
///
/// Slice `k` has ImagePositionPatient `firstPosition + k · spacingBetweenSlices · n`, with
/// n = rowDirection × columnDirection. Defaults when the source says nothing: 1 mm square
/// pixels, 1 mm slices, axial orientation (1,0,0 / 0,1,0) and the volume centred on the origin.
public struct DICOMGeometry: Sendable, Equatable {
    /// PixelSpacing (0028,0030): [distance between rows, distance between columns] in mm.
    public var pixelSpacing: (row: Double, column: Double) {
        get { (pixelSpacingValues[0], pixelSpacingValues[1]) }
        set { pixelSpacingValues = [newValue.row, newValue.column] }
    }
    private var pixelSpacingValues: [Double]
    /// SliceThickness (0018,0050) in mm.
    public var sliceThickness: Double
    /// SpacingBetweenSlices (0018,0088) in mm (centre to centre).
    public var spacingBetweenSlices: Double
    /// ImageOrientationPatient (0020,0037): direction cosines of a row (increasing column index),
    /// then of a column (increasing row index).
    public var rowDirection: [Double], columnDirection: [Double]
    /// ImagePositionPatient of the first slice's first voxel centre (nil = centre the volume on the origin).
    public var firstPosition: [Double]?
    /// ImagePositionPatient of every slice, when the source states each (e.g. raw data); overrides
    /// `firstPosition` and the regular spacing for the positions.
    public var slicePositions: [[Double]]?

    /// Creates a geometry; see the type's defaults.
    public init(
        pixelSpacing: (row: Double, column: Double) = (1, 1), sliceThickness: Double = 1,
        spacingBetweenSlices: Double? = nil, rowDirection: [Double] = [1, 0, 0],
        columnDirection: [Double] = [0, 1, 0], firstPosition: [Double]? = nil
    ) {
        pixelSpacingValues = [pixelSpacing.row, pixelSpacing.column]
        self.sliceThickness = sliceThickness
        self.spacingBetweenSlices = spacingBetweenSlices ?? sliceThickness
        self.rowDirection = rowDirection
        self.columnDirection = columnDirection
        self.firstPosition = firstPosition
    }

    /// The slice normal n = rowDirection × columnDirection.
    public var normal: [Double] {
        let r = rowDirection, c = columnDirection
        return [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]]
    }

    /// ImagePositionPatient of slice `k` in a volume of `rows × columns × slices`.
    public func position(slice k: Int, rows: Int, columns: Int, slices: Int) -> [Double] {
        if let p = slicePositions, p.indices.contains(k) { return p[k] }
        let n = normal
        var first = [Double](repeating: 0, count: 3)
        if let p = firstPosition {
            first = p
        } else {
            let halfColumns = Double(columns - 1) / 2 * pixelSpacing.column
            let halfRows = Double(rows - 1) / 2 * pixelSpacing.row
            let halfSlices = Double(slices - 1) / 2 * spacingBetweenSlices
            for i in 0..<3 {
                let offset: Double = halfColumns * rowDirection[i] + halfRows * columnDirection[i] + halfSlices * n[i]
                first[i] = -offset
            }
        }
        return (0..<3).map { first[$0] + Double(k) * spacingBetweenSlices * n[$0] }
    }

    /// SliceLocation (0020,1041): the position's component along the normal.
    public func sliceLocation(slice k: Int, rows: Int, columns: Int, slices: Int) -> Double {
        let p = position(slice: k, rows: rows, columns: columns, slices: slices), n = normal
        return p[0] * n[0] + p[1] * n[1] + p[2] * n[2]
    }

    public static func == (a: DICOMGeometry, b: DICOMGeometry) -> Bool {
        a.pixelSpacingValues == b.pixelSpacingValues && a.sliceThickness == b.sliceThickness
            && a.spacingBetweenSlices == b.spacingBetweenSlices && a.rowDirection == b.rowDirection
            && a.columnDirection == b.columnDirection && a.firstPosition == b.firstPosition
            && a.slicePositions == b.slicePositions
    }
}
