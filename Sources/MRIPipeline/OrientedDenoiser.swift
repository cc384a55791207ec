import DAPS
import Foundation
import MRICore

/// A denoiser that sees batch item b in one of `orientations` orientations (b mod n: as is,
/// flipped left–right, flipped up–down, both), denoises, and flips the result back. With the
/// draws of a DAPS batch as the items, each draw runs with its own orientation of the prior.
public struct OrientedDenoiser: Denoiser {
    public let base: any Denoiser
    public let orientations: Int

    /// The orientation counts a protocol may ask for.
    public static let supported = [1, 2, 4]

    public init(_ base: any Denoiser, orientations: Int) {
        precondition(Self.supported.contains(orientations), "OrientedDenoiser: 1, 2 or 4 orientations")
        self.base = base
        self.orientations = orientations
    }

    public var channels: Int { base.channels }

    static func flip(_ x: inout FloatArray, item b: Int, orientation o: Int) {
        guard o != 0 else { return }
        let (c, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        let flipW = o & 1 != 0, flipH = o & 2 != 0
        x.withUnsafeMutableBufferPointer { p in
            for ch in 0..<c {
                let plane = p.baseAddress! + (b * c + ch) * h * w
                if flipW { for i in 0..<h { let row = plane + i * w; for j in 0..<(w / 2) { swap(&row[j], &row[w - 1 - j]) } } }
                if flipH { for i in 0..<(h / 2) { for j in 0..<w { swap(&plane[i * w + j], &plane[(h - 1 - i) * w + j]) } } }
            }
        }
    }

    public func denoise(_ x: FloatArray, sigma: [Float]) throws -> FloatArray {
        guard orientations > 1, x.shape.count == 4 else { return try base.denoise(x, sigma: sigma) }
        var y = x
        for b in 0..<x.shape[0] { Self.flip(&y, item: b, orientation: b % orientations) }
        var d = try base.denoise(y, sigma: sigma)
        for b in 0..<x.shape[0] { Self.flip(&d, item: b, orientation: b % orientations) }
        return d
    }
}
