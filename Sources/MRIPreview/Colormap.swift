/// Maps values in [0, 1] to colours: `gray` (black → white) for images, `viridis`
/// (matplotlib's perceptually uniform map, CC0; `Colormap+Viridis.swift`) for standard
/// deviations and errors. Values outside [0, 1] are clamped; NaN maps to 0.
public enum Colormap: String, Sendable, CaseIterable {
    case gray, viridis

    /// The colour of `t`.
    public func color(_ t: Double) -> RGB {
        let c = t.isNaN ? 0 : min(1, max(0, t))
        let i = Int((c * 255).rounded())
        switch self {
        case .gray:
            let v = UInt8(i)
            return RGB(v, v, v)
        case .viridis:
            return RGB(Self.viridisTable[3 * i], Self.viridisTable[3 * i + 1], Self.viridisTable[3 * i + 2])
        }
    }
}
