import MRIIO

/// How float intensities become stored DICOM pixels and a display window.
///
/// Quantisation (for MR Image Storage): `stored = round((v − intercept) / slope)` clamped to
/// `0 … 2^bitsStored − 1`, with `intercept = min(0, min v)` and
/// `slope = (max v − intercept) / (2^bitsStored − 1)` (1 for a constant volume), so
/// `v ≈ slope · stored + intercept` with error ≤ slope / 2 (PS3.3 Real World Value Mapping;
/// REFERENCE §6: BitsStored 12, slope = max/4095).
///
/// Window: centre and width span the robust percentiles `[p_lo, p_hi]` of the values (default
/// 0.5 % and 99.5 %, linear interpolation between order statistics as NumPy's `percentile`),
/// width = max(p_hi − p_lo, 1e-6 · max(|p_hi|, 1)). Below width 1 a window needs VOILUTFunction
/// LINEAR_EXACT, which `DICOMWindow.function` reports.
public struct DICOMPixelMapping: Sendable, Equatable {
    /// Significant bits of a stored value.
    public var bitsStored: Int
    /// Real value per stored step.
    public var slope: Double
    /// Real value of stored 0.
    public var intercept: Double
    /// Window in real-value units.
    public var window: DICOMWindow

    /// The largest stored value, 2^bitsStored − 1.
    public var maxStored: Int { (1 << bitsStored) - 1 }

    /// The window in stored-value units (what an MR image's VOI LUT applies to: it has no Modality LUT).
    public var storedWindow: DICOMWindow {
        DICOMWindow(center: (window.center - intercept) / slope, width: window.width / slope)
    }

    /// Fits a mapping to `values` (finite floats).
    public init(values: [Float], bitsStored: Int = 12, lowerPercentile: Double = 0.5, upperPercentile: Double = 99.5) {
        precondition((1...16).contains(bitsStored) && 0 <= lowerPercentile && lowerPercentile < upperPercentile && upperPercentile <= 100)
        self.bitsStored = bitsStored
        let lo = Double(values.min() ?? 0), hi = Double(values.max() ?? 0)
        intercept = min(0, lo)
        let span = hi - intercept
        slope = span > 0 ? span / Double((1 << bitsStored) - 1) : 1
        window = Self.window(values: values, lowerPercentile: lowerPercentile, upperPercentile: upperPercentile)
    }

    /// The robust-percentile window of `values` in their own units (see the type's comment).
    public static func window(values: [Float], lowerPercentile: Double = 0.5, upperPercentile: Double = 99.5) -> DICOMWindow {
        let sorted = values.sorted()
        let a = percentile(sorted: sorted, lowerPercentile), b = percentile(sorted: sorted, upperPercentile)
        let width = max(b - a, 1e-6 * max(abs(b), 1))
        return DICOMWindow(center: (a + b) / 2, width: width)
    }

    /// The `p`-th percentile (0…100) of ascending `sorted`, interpolating linearly between
    /// order statistics at rank `p/100 · (n − 1)` (NumPy's default method).
    public static func percentile(sorted: [Float], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = p / 100 * Double(sorted.count - 1)
        let i = Int(rank.rounded(.down)), j = min(i + 1, sorted.count - 1)
        let f = rank - Double(i)
        return Double(sorted[i]) + f * (Double(sorted[j]) - Double(sorted[i]))
    }

    /// Stored values for `values` (same order).
    public func quantize(_ values: [Float]) -> [UInt16] {
        let top = Double(maxStored), s = slope, c = intercept
        return values.map { v in UInt16(min(top, max(0, ((Double(v) - c) / s).rounded()))) }
    }

    /// The real value a stored value stands for.
    public func realValue(_ stored: UInt16) -> Double { slope * Double(stored) + intercept }
}
