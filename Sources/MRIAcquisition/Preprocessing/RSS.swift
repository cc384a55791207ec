import MRICore

/// Root-sum-of-squares coil combination (fastMRI `rss`, `bart rss 8`):
/// ρ(h, w) = √(Σ_c |x_c(h, w)|²).
public enum RSS {
    /// Combines coil images `[..., coils, H, W]` (rank ≥ 3; the coil axis is third from last)
    /// into magnitudes `[..., H, W]`. Sums in single precision per pixel.
    public static func combine(_ coilImages: ComplexArray) throws -> FloatArray {
        let s = coilImages.shape
        guard s.count >= 3 else {
            throw AcquisitionError.shapeMismatch(what: "RSS.combine", expected: "[..., coils, H, W]", actual: s)
        }
        let coils = s[s.count - 3], plane = s[s.count - 2] * s[s.count - 1]
        let outer = s.dropLast(3).reduce(1, *)
        var out = [Float](repeating: 0, count: outer * plane)
        coilImages.storage.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                for b in 0..<outer {
                    let ob = o.baseAddress! + b * plane
                    for c in 0..<coils {
                        let xb = x.baseAddress! + (b * coils + c) * plane
                        for p in 0..<plane { ob[p] += xb[p].re * xb[p].re + xb[p].im * xb[p].im }
                    }
                    for p in 0..<plane { ob[p] = ob[p].squareRoot() }
                }
            }
        }
        return FloatArray(shape: Array(s.dropLast(3)) + [s[s.count - 2], s[s.count - 1]], storage: out)
    }
}
