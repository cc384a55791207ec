/// The value range a panel maps onto its colour map: robust percentiles of the finite values,
/// so a few extreme pixels do not wash the picture out.
public struct PreviewWindow: Sendable, Equatable {
    public var lower: Double, upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper > lower ? upper : lower + max(abs(lower), 1) * 1e-6
    }

    /// The `lowerQuantile` and `upperQuantile` of the finite `values` (at most 200 000 of them,
    /// evenly strided); [0, 1] when there is none.
    public static func robust(_ values: [Float], lowerQuantile: Double = 0.005, upperQuantile: Double = 0.995) -> PreviewWindow {
        let stride = max(1, values.count / 200_000)
        var sample = [Float]()
        sample.reserveCapacity(values.count / stride + 1)
        for i in Swift.stride(from: 0, to: values.count, by: stride) where values[i].isFinite { sample.append(values[i]) }
        guard !sample.isEmpty else { return PreviewWindow(lower: 0, upper: 1) }
        sample.sort()
        let at = { (q: Double) in Double(sample[min(sample.count - 1, Int(q * Double(sample.count - 1)))]) }
        return PreviewWindow(lower: at(lowerQuantile), upper: at(upperQuantile))
    }

    /// [0, the upper quantile]: for maps of non-negative quantities (standard deviation, error).
    public static func fromZero(_ values: [Float], upperQuantile: Double = 0.995) -> PreviewWindow {
        PreviewWindow(lower: 0, upper: robust(values, upperQuantile: upperQuantile).upper)
    }

    /// `v` scaled to [0, 1] over the window (not clamped).
    public func unit(_ v: Double) -> Double { (v - lower) / (upper - lower) }
}
