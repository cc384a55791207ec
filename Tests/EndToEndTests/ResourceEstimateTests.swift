import MRICore
import MRIPipeline
import Testing

/// The memory model against the peaks `scripts/memory-estimate.sh` measured (docs/reliability.md):
/// the estimate must not fall below a measured peak, or `--memory-limit` lets a run through that
/// the machine cannot hold.
@Suite struct ResourceEstimateTests {
    /// fastMRI knee geometry: 15 coils, 640 × 368 with 2× readout oversampling, 320 × 320 output.
    static let knee = SliceShape(coils: 15, height: 640, width: 368)
    static let kneeGeometry = ReconPipeline.Geometry(readoutHeight: 320, outputHeight: 320, outputWidth: 320)

    static func megabytes(_ method: ReconMethod, maps: CoilMapMethod, draws: Int = 0, virtualCoils: Int? = nil) -> Double {
        Double(ResourceEstimate(slice: knee, geometry: kneeGeometry, method: method, virtualCoils: virtualCoils,
                                draws: draws, coilMaps: maps).peakBytes) / 1_048_576
    }

    @Test("ESPIRiT's full-resolution operator planes count: l1-wavelet and SENSE on a fastMRI knee ≥ the measured 730 MiB")
    func espiritPeak() {
        // Measured peak RSS 728–730 MiB (GNU time's maximum RSS / 1024) with `auto` maps, 269 MiB with
        // low-resolution maps (2026-12-06).
        for method in [ReconMethod.l1Wavelet, .sense] {
            let auto = Self.megabytes(method, maps: .auto), lowres = Self.megabytes(method, maps: .lowres)
            #expect(auto >= 730, "\(method): \(auto) MiB")
            #expect(auto <= 1.5 * 730, "\(method): \(auto) MiB errs too high")
            #expect(lowres >= 275 && lowres < auto, "\(method): \(lowres) MiB")
            #expect(Self.megabytes(method, maps: .espirit) == auto)
        }
        // Zero-filled estimates no maps; DAPS with its presets' low-resolution maps is unchanged.
        #expect(Self.megabytes(.zeroFilled, maps: .auto) == Self.megabytes(.zeroFilled, maps: .lowres))
        // DAPS on the same slice (presets: 8 virtual coils, low-resolution maps): measured 332 MiB
        // with 6 draws and 349 MiB with 12 — the draws hold single-coil images only.
        let d6 = Self.megabytes(.daps, maps: .lowres, draws: 6, virtualCoils: 8)
        let d12 = Self.megabytes(.daps, maps: .lowres, draws: 12, virtualCoils: 8)
        #expect(d6 >= 332 && d6 <= 1.6 * 332, "6 draws: \(d6) MiB")
        #expect(d12 >= 349 && d12 <= 1.6 * 349, "12 draws: \(d12) MiB")
    }
}
