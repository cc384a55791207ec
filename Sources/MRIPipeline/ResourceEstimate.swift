import MRICore

/// Peak memory of a reconstruction run, from the header alone, so that a run that cannot fit is
/// refused before anything is allocated.
///
/// Model (bytes), fitted with a margin to measured peaks (docs/reliability.md): a fixed 64 MB
/// (binary, libraries, priors); copies of one raw slice (8·C·H·W: the slice, its masked,
/// cropped and compressed forms, maps, the operator's buffers), 16 for the iterative classical
/// methods (their solver vectors) and 6 otherwise; for DAPS, 600 bytes per image pixel and lane
/// (the UNet workspace of each lane, `ComputeSettings.lanes`) plus, per draw, four multi-coil and eight single-coil complex
/// images. Overflow saturates.
public struct ResourceEstimate: Sendable {
    public var slice: SliceShape
    public var geometry: ReconPipeline.Geometry
    public var method: ReconMethod
    public var virtualCoils: Int?
    /// Posterior draws (DAPS).
    public var draws: Int
    /// Lanes of the denoiser (each holds its own network workspace).
    public var lanes: Int

    public init(slice: SliceShape, geometry: ReconPipeline.Geometry, method: ReconMethod, virtualCoils: Int?, draws: Int,
                lanes: Int = 2) {
        self.lanes = max(1, lanes)
        self.slice = slice
        self.geometry = geometry
        self.method = method
        self.virtualCoils = virtualCoils
        self.draws = draws
    }

    /// Estimated peak resident memory in bytes (Int.max when it overflows).
    public var peakBytes: Int {
        let h = geometry.readoutHeight ?? slice.height
        let coils = min(slice.coils, virtualCoils ?? slice.coils)
        var total = Saturating(64 << 20)
        let copies = method == .sense || method == .l1Wavelet ? 16 : 6
        total += Saturating(copies * 8) * slice.coils * slice.height * slice.width
        if method == .daps {
            let pixels = Saturating(h) * slice.width
            total += pixels * (600 * lanes)
            total += Saturating(draws) * (pixels * 8 * (4 * coils + 8))
        }
        return total.value
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
