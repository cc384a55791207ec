import MRICore

/// BART's automatic data scaling (`estimate_scaling`, `src/sense/optcom.c`), so that
/// regularisation weights such as λ = 0.01 mean the same on any data.
///
/// The calibration block of BART `extract_calib` with cal_size 32 (within the centre min(32, W)
/// columns, a block grown one row/column at a time from 1×1 at offset (n − c)/2 while every
/// sample is non-zero in some coil, then moved along the readout to its maximum energy) is
/// transformed with a unitary inverse FFT on its own grid and RSS-combined. With the sorted magnitudes' median m, 90th percentile p90
/// (index ⌊0.9·n⌋) and maximum M, the scale is p90 if M − p90 < 2·(p90 − m), else M, divided by
/// √(H/h_cal)·√(W/w_cal). BART `pics` divides k-space by it and, with `-S`, multiplies the image back.
public enum IntensityScaling {
    /// The scale of k-space `[coils, H, W]` (1 when the data is zero).
    public static func estimate(kspace: ComplexArray) throws -> Float {
        precondition(kspace.rank == 3, "IntensityScaling: expects [coils, H, W]")
        let nc = kspace.shape[0], h = kspace.shape[1], w = kspace.shape[2]
        // BART extract_calib2: restrict to the centre min(32, W) columns (all rows), then grow a
        // fully sampled block from 1×1, one row/column at a time, positioned at (n − c)/2.
        let tw = min(32, w), tpos = (w - tw) / 2
        var sampled = [Bool](repeating: false, count: h * tw)
        kspace.storage.withUnsafeBufferPointer { p in
            for c in 0..<nc { for i in 0..<h { for j in 0..<tw {
                let z = p[(c * h + i) * w + tpos + j]
                if z.re != 0 || z.im != 0 { sampled[i * tw + j] = true }
            } } }
        }
        var cal = [1, 1]
        let limits = [h, tw]
        var pos = [(h - 1) / 2, (tw - 1) / 2]
        var stop = [false, false]
        func full(_ cal: [Int], _ pos: [Int]) -> Bool {
            for i in pos[0]..<(pos[0] + cal[0]) { for j in pos[1]..<(pos[1] + cal[1]) where !sampled[i * tw + j] { return false } }
            return true
        }
        while !(stop[0] && stop[1]) {
            for d in 0..<2 {
                if cal[d] == limits[d] || cal[d] >= 32 { stop[d] = true }
                if stop[d] { continue }
                cal[d] += 1
                pos[d] = (limits[d] - cal[d]) / 2
                if !full(cal, pos) {
                    cal[d] -= 1
                    pos[d] = (limits[d] - cal[d]) / 2
                    stop[d] = true
                }
            }
        }
        // Readout position of maximum energy (BART calib_readout_pos).
        var rowEnergy = [Float](repeating: 0, count: h)
        for c in 0..<nc { for i in 0..<h { for j in 0..<cal[1] {
            rowEnergy[i] += kspace.storage[(c * h + i) * w + tpos + pos[1] + j].magnitudeSquared
        } } }
        var best = 0
        var bestEnergy: Float = 0
        var window = rowEnergy[0..<cal[0]].reduce(0, +)
        for r in 0...(h - cal[0]) {
            if r > 0 { window += rowEnergy[r + cal[0] - 1] - rowEnergy[r - 1] }
            if window > bestEnergy { bestEnergy = window; best = r }
        }
        let ch = cal[0], cw = cal[1], r0 = best, c0 = tpos + pos[1]
        var block = ComplexArray(zeros: [nc, ch, cw])
        for c in 0..<nc { for i in 0..<ch { for j in 0..<cw {
            block[linear: (c * ch + i) * cw + j] = kspace.storage[(c * h + r0 + i) * w + c0 + j]
        } } }
        let rss = try RSS.combine(CenteredFFT.inverse(block)).storage.sorted()
        let n = rss.count
        let rescale = (Float(h) / Float(ch)).squareRoot() * (Float(w) / Float(cw)).squareRoot()
        let median = rss[n / 2] / rescale
        let p90 = rss[Int(Double(n) * 0.9)] / rescale
        let maximum = rss[n - 1] / rescale
        let scale = (maximum - p90) < 2 * (p90 - median) ? p90 : maximum
        return scale > 0 ? scale : 1
    }
}
