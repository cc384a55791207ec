/// A seeded, reproducible pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Every stochastic API in mri-daps takes `inout some RandomNumberGenerator`; the CLI's `--seed`
/// creates one of these, so the same seed on the same machine gives identical output.
/// Reference: Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021.
public struct SeededRNG: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose whole stream is a function of `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

import Foundation

extension RandomNumberGenerator {
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
