import MRICore

/// BART's automatic data scaling (`estimate_scaling`, `src/sense/optcom.c`), so that
/// regularisation weights such as λ = 0.01 mean the same on any data.
///
/// The largest centred fully-sampled block of k-space of at most 32×32 (BART `extract_calib`
/// with cal_size 32; sampled = non-zero in some coil) is transformed with a unitary inverse FFT
/// on its own grid and RSS-combined. With the sorted magnitudes' median m, 90th percentile p90
/// (index ⌊0.9·n⌋) and maximum M, the scale is p90 if M − p90 < 2·(p90 − m), else M, divided by
/// √(H/h_cal)·√(W/w_cal). BART `pics` divides k-space by it and, with `-S`, multiplies the image back.
public enum IntensityScaling {
    /// The scale of k-space `[coils, H, W]` (1 when the data is zero).
    public static func estimate(kspace: ComplexArray) -> Float {
        precondition(kspace.rank == 3, "IntensityScaling: expects [coils, H, W]")
        let nc = kspace.shape[0], h = kspace.shape[1], w = kspace.shape[2]
        var colSampled = [Bool](repeating: false, count: w)
        var rowSampled = [Bool](repeating: false, count: h)
        kspace.storage.withUnsafeBufferPointer { p in
            for c in 0..<nc { for i in 0..<h { for j in 0..<w {
                let z = p[(c * h + i) * w + j]
                if z.re != 0 || z.im != 0 { colSampled[j] = true; rowSampled[i] = true }
            } } }
        }
        func extent(_ sampled: [Bool], _ n: Int) -> Int {
            var s = min(32, n)
            while s > 1 {
                let lo = n / 2 - s / 2
                if (lo..<(lo + s)).allSatisfy({ sampled[$0] }) { break }
                s -= 1
            }
            return s
        }
        let cw = extent(colSampled, w), ch = extent(rowSampled, h)
        let r0 = h / 2 - ch / 2, c0 = w / 2 - cw / 2
        var cal = ComplexArray(zeros: [nc, ch, cw])
        for c in 0..<nc { for i in 0..<ch { for j in 0..<cw {
            cal.storage[(c * ch + i) * cw + j] = kspace.storage[(c * h + r0 + i) * w + c0 + j]
        } } }
        let rss = ZeroFilledRSS.rss(CenteredFFT.inverse(cal)).storage.sorted()
        let n = rss.count
        let rescale = (Float(h) / Float(ch)).squareRoot() * (Float(w) / Float(cw)).squareRoot()
        let median = rss[n / 2] / rescale
        let p90 = rss[Int(Double(n) * 0.9)] / rescale
        let maximum = rss[n - 1] / rescale
        let scale = (maximum - p90) < 2 * (p90 - median) ? p90 : maximum
        return scale > 0 ? scale : 1
    }
}
