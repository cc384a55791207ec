import Foundation

extension RandomNumberGenerator {
    /// p[j] (+)= scale·ε_j for j < count, ε_j independent standard normals (Marsaglia's polar
    /// method in single precision: one 64-bit draw gives a candidate pair (u, v) of 24-bit
    /// uniforms on (−1, 1); accepted when 0 < s = u² + v² < 1, then u·√(−2 ln s / s) and
    /// v·√(−2 ln s / s) are two independent N(0, 1) draws). About 1.27 draws and one `logf` per
    /// pair, no trigonometry: the bulk noise generator of the sampler and the operators' noise.
    ///
    /// Reference: Marsaglia & Bray, "A convenient method for generating normal variables",
    /// SIAM Review 6(3), 1964. The tails are cut at |ε| ≈ 5.9 by the 24-bit uniforms.
    @inlinable
    public mutating func fillGaussian(_ p: UnsafeMutablePointer<Float>, count: Int, scale: Float, accumulate: Bool = false) {
        var j = 0
        while j < count {
            let (a, b) = gaussianPairFast()
            if accumulate {
                p[j] += scale * a
                if j + 1 < count { p[j + 1] += scale * b }
            } else {
                p[j] = scale * a
                if j + 1 < count { p[j + 1] = scale * b }
            }
            j += 2
        }
    }

    /// Two independent standard normals by the polar method (see `fillGaussian`).
    @inlinable @inline(__always)
    public mutating func gaussianPairFast() -> (Float, Float) {
        while true {
            let r = next()
            let u = Float(Int32(truncatingIfNeeded: r >> 40) - 0x80_0000) * 0x1p-23 + 0x1p-24
            let v = Float(Int32(truncatingIfNeeded: (r >> 16) & 0xFF_FFFF) - 0x80_0000) * 0x1p-23 + 0x1p-24
            let s = u * u + v * v
            if s < 1, s > 0 {
                let f = (-2 * logf(s) / s).squareRoot()
                return (u * f, v * f)
            }
        }
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box–Muller).
    public mutating func gaussian() -> Double {
        var u = uniform()
        while u <= .leastNormalMagnitude { u = uniform() }
        let v = uniform()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
    }

    /// A circular complex normal draw with E|z|² = 1 (each part has variance ½).
    public mutating func complexGaussian() -> ComplexFloat {
        let s = 0.5.squareRoot()
        return ComplexFloat(Float(gaussian() * s), Float(gaussian() * s))
    }
}
