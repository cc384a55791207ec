import MRICore

/// A k-space sampling pattern: either a 1-D column mask over the phase-encode axis W (fastMRI's
/// Cartesian masks, shape `[W]`) or a 2-D mask over the trailing plane (shape `[H, W]`, e.g. a
/// variable-density Poisson-disc pattern).
///
/// A column mask keeps every readout sample of a sampled column: applied to k-space of shape
/// `[..., H, W]` it multiplies each row by m_w ∈ {0, 1}. A 2-D mask multiplies each `[H, W]`
/// plane element-wise. `numLowFrequencies` is the width of the fully sampled centre (fastMRI's
/// `num_low_frequencies`), for coil calibration.
public struct SamplingMask: Sendable, Equatable {
    /// `[W]` for a column mask, `[H, W]` for a 2-D mask.
    public let shape: [Int]
    /// Sampled flags in row-major order, `count == shape.reduce(1, *)`.
    public let sampled: [Bool]
    /// Number of fully sampled centre columns (for a 2-D mask: the calibration width).
    public let numLowFrequencies: Int
    /// The nominal (requested) acceleration R the mask was generated for.
    public let acceleration: Double

    /// A 1-D column mask of length W = `columns.count`.
    public init(columns: [Bool], numLowFrequencies: Int, acceleration: Double) {
        self.shape = [columns.count]
        self.sampled = columns
        self.numLowFrequencies = numLowFrequencies
        self.acceleration = acceleration
    }

    /// A 2-D mask over `[height, width]`; `sampled` is row-major with `height·width` entries.
    public init(height: Int, width: Int, sampled: [Bool], numLowFrequencies: Int, acceleration: Double) {
        precondition(sampled.count == height * width, "mask storage \(sampled.count) ≠ \(height)×\(width)")
        self.shape = [height, width]
        self.sampled = sampled
        self.numLowFrequencies = numLowFrequencies
        self.acceleration = acceleration
    }

    /// The fully sampled centre columns of a width-W mask with centre fraction cf (fastMRI):
    /// num_low = round(W·cf) (half to even, Python's `round`), start (W − num_low + 1)//2.
    public static func centerColumns(width: Int, centerFraction: Double) -> Range<Int> {
        let numLow = MaskMath.numLowFrequencies(width: width, centerFraction: centerFraction)
        let start = MaskMath.centerStart(width: width, numLow: numLow)
        return start..<(start + numLow)
    }

    /// This mask's centre columns, `(W − numLowFrequencies + 1)//2 ..< + numLowFrequencies`
    /// (the ACS region for coil calibration).
    public var centerRange: Range<Int> {
        let start = MaskMath.centerStart(width: width, numLow: numLowFrequencies)
        return start..<(start + numLowFrequencies)
    }

    /// True for a 2-D `[H, W]` mask, false for a column mask.
    public var isTwoDimensional: Bool { shape.count == 2 }
    /// Number of phase-encode columns W.
    public var width: Int { shape[shape.count - 1] }
    /// The column flags of a 1-D mask (for a 2-D mask: whether any row samples the column).
    public var columns: [Bool] {
        if !isTwoDimensional { return sampled }
        let h = shape[0], w = shape[1]
        var c = [Bool](repeating: false, count: w)
        for i in 0..<h { for j in 0..<w where sampled[i * w + j] { c[j] = true } }
        return c
    }
    /// The mask as 0/1 floats, row-major (fastMRI returns the mask as float32).
    public var values: [Float] { sampled.map { $0 ? 1 : 0 } }
    /// Indices of the sampled entries (columns for a 1-D mask, row-major offsets for 2-D).
    public var sampledIndices: [Int] { sampled.indices.filter { sampled[$0] } }
    /// Number of sampled entries.
    public var sampledCount: Int { sampled.reduce(0) { $0 + ($1 ? 1 : 0) } }
    /// Achieved acceleration: entries / sampled entries (∞ when nothing is sampled).
    public var effectiveAcceleration: Double { Double(sampled.count) / Double(sampledCount) }

    /// The mask broadcast to an `[height, W]` float plane (a column mask repeats every row;
    /// a 2-D mask must already have `height` rows).
    public func plane(height: Int) throws -> FloatArray {
        if isTwoDimensional {
            guard shape[0] == height else {
                throw AcquisitionError.shapeMismatch(what: "SamplingMask.plane height", expected: "[\(shape[0]), W]",
                                                     actual: [height, width])
            }
            return FloatArray(shape: shape, storage: values)
        }
        let v = values
        var s = [Float]()
        s.reserveCapacity(height * width)
        for _ in 0..<height { s.append(contentsOf: v) }
        return FloatArray(shape: [height, width], storage: s)
    }

    /// Zeroes the unsampled k-space entries of `kspace` (shape `[..., H, W]`) in place:
    /// y[..., h, w] = m_w · x[..., h, w] (column mask) or m_{h,w} · x[..., h, w] (2-D mask).
    public func apply(toInPlace kspace: inout ComplexArray) throws {
        let s = kspace.shape
        let w = width
        if isTwoDimensional {
            guard s.count >= 2, s[s.count - 2] == shape[0], s[s.count - 1] == w else {
                throw AcquisitionError.shapeMismatch(what: "SamplingMask.apply (2-D mask)", expected: "[..., \(shape[0]), \(w)]",
                                                     actual: s)
            }
        } else {
            guard s.count >= 1, s[s.count - 1] == w else {
                throw AcquisitionError.shapeMismatch(what: "SamplingMask.apply (column mask)", expected: "[..., H, \(w)]",
                                                     actual: s)
            }
        }
        let plane = isTwoDimensional ? shape[0] * w : w
        let zeroed = sampled.indices.filter { !sampled[$0] }
        if zeroed.isEmpty || kspace.count == 0 { return }
        let blocks = kspace.count / plane
        kspace.withUnsafeMutableBufferPointer { p in
            for b in 0..<blocks {
                let base = b * plane
                for j in zeroed { p[base + j] = .zero }
            }
        }
    }

    /// A copy of `kspace` (shape `[..., H, W]`) with the unsampled entries set to zero.
    public func apply(to kspace: ComplexArray) throws -> ComplexArray {
        var y = kspace
        try apply(toInPlace: &y)
        return y
    }
}

extension SamplingMask {
    /// Width of the contiguous sampled block of `columns` around the centre column W/2 (0 when
    /// that column is not sampled): the calibration region of a mask read from a file that
    /// does not state `num_low_frequency`.
    public static func centerBlockWidth(_ columns: [Bool]) -> Int {
        let c = columns.count / 2
        guard c < columns.count, columns[c] else { return 0 }
        var lo = c, hi = c
        while lo > 0 && columns[lo - 1] { lo -= 1 }
        while hi + 1 < columns.count && columns[hi + 1] { hi += 1 }
        return hi - lo + 1
    }
}
