import MRICore

/// Peak memory of a reconstruction run, from the header alone, so that a run that cannot fit is
/// refused before anything is allocated.
///
/// Model (bytes), fitted with a margin to measured peaks (docs/reliability.md): a fixed 64 MB
/// (binary, libraries, priors); copies of one raw slice (8·C·H·W: the slice, its masked,
/// cropped and compressed forms, maps, the operator's buffers), 16 for the iterative classical
/// methods (their solver vectors) and 6 otherwise; for DAPS, per lane (`ComputeSettings.lanes`)
/// 600 bytes per image pixel (its UNet workspace) and four multi-coil complex images (the draw it
/// is sampling), plus eight single-coil complex images per draw. Where ESPIRiT may estimate the maps (`auto`, `espirit`; on the whole raw grid, after
/// any coil compression, C′ coils), its peak counts too when it is higher: 64 MB, 6 raw copies,
/// twice the C′(C′ + 1)/2 planes of its image-space operator at full resolution (the planes and
/// their FFT) and four C′-coil images. Overflow saturates.
public struct ResourceEstimate: Sendable {
    public var slice: SliceShape
    public var geometry: ReconPipeline.Geometry
    public var method: ReconMethod
    public var virtualCoils: Int?
    /// Posterior draws (DAPS).
    public var draws: Int
    /// Lanes of the denoiser (each holds its own network workspace).
    public var lanes: Int
    /// How the maps are estimated (ESPIRiT's operator planes dominate the peak where it runs).
    public var coilMaps: CoilMapMethod

    public init(slice: SliceShape, geometry: ReconPipeline.Geometry, method: ReconMethod, virtualCoils: Int?, draws: Int,
                lanes: Int = 2, coilMaps: CoilMapMethod = .auto) {
        self.lanes = max(1, lanes)
        self.slice = slice
        self.geometry = geometry
        self.method = method
        self.virtualCoils = virtualCoils
        self.draws = draws
        self.coilMaps = coilMaps
    }

    /// Estimated peak resident memory in bytes (Int.max when it overflows).
    public var peakBytes: Int {
        let h = geometry.readoutHeight ?? slice.height
        let coils = min(slice.coils, virtualCoils ?? slice.coils)
        let raw = Saturating(8) * slice.coils * slice.height * slice.width
        var total = Saturating(64 << 20)
        let copies = method == .sense || method == .l1Wavelet ? 16 : 6
        total += raw * copies
        if method == .daps {
            let pixels = Saturating(h) * slice.width
            total += pixels * (600 * lanes)
            total += pixels * (8 * 4 * coils * lanes)
            total += Saturating(draws) * (pixels * 8 * 8)
        }
        guard method.needsCoilMaps, coilMaps != .lowres else { return total.value }
        var espirit = Saturating(64 << 20)
        espirit += raw * 6
        let grid = Saturating(8) * slice.height * slice.width
        espirit += grid * (2 * (coils * (coils + 1) / 2) + 4 * coils)
        return max(total.value, espirit.value)
    }
}

/// Int arithmetic that saturates at Int.max instead of trapping.
struct Saturating {
    var value: Int
    init(_ v: Int) { value = v }
    static func * (a: Saturating, b: Int) -> Saturating {
        let (r, o) = a.value.multipliedReportingOverflow(by: b)
        return Saturating(o ? .max : r)
    }
    static func * (a: Saturating, b: Saturating) -> Saturating { a * b.value }
    static func += (a: inout Saturating, b: Saturating) {
        let (r, o) = a.value.addingReportingOverflow(b.value)
        a = Saturating(o ? .max : r)
    }
}
