/// Shape of one multi-coil slice: `(coils, readout H, phase-encode W)`.
///
/// The one fixed axis order of mri-daps is the fastMRI on-disk order: multi-coil k-space and
/// coil images are `(slice, coil, readout, phaseEncode)`, i.e. fastMRI's `(slices, coils, H, W)`:
/// H is the readout (frequency-encode) direction, W the phase-encode columns that a Cartesian
/// mask selects. A single slice drops the leading axis; a single image is `(H, W)`. Arrays are
/// row-major (C order): the last axis varies fastest, as in NumPy. BART orders the same data
/// `(readout, phaseEncode, 1, coil)` column-major; `CFLFile` converts at the file boundary.
public struct SliceShape: Sendable, Hashable, CustomStringConvertible {
    public var coils: Int
    public var height: Int
    public var width: Int
    public init(coils: Int, height: Int, width: Int) {
        self.coils = coils
        self.height = height
        self.width = width
    }
    /// Pixels per coil image, H·W.
    public var pixels: Int { height * width }
    /// Shape as an array `[coils, H, W]`.
    public var dimensions: [Int] { [coils, height, width] }
    public var description: String { "\(coils)×\(height)×\(width)" }
}
