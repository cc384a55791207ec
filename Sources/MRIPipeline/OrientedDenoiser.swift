import DAPS
import Foundation
import MRICore

/// A denoiser that sees batch item b in one of `orientations` orientations (o = b mod n: as is,
/// flipped left–right, flipped up–down, both; for o = 4…7 the same flips, then transposed — the
/// 8 symmetries of the square, which the priors were trained with), denoises, and maps the result
/// back. With the draws of a DAPS batch as the items, each draw runs with its own orientation of
/// the prior. Transposed items (H × W becomes W × H) go to the base denoiser as a second batch.
public struct OrientedDenoiser: Denoiser {
    public let base: any Denoiser
    public let orientations: Int

    /// The orientation counts a protocol may ask for.
    public static let supported = [1, 2, 4, 8]

    public init(_ base: any Denoiser, orientations: Int) {
        precondition(Self.supported.contains(orientations), "OrientedDenoiser: 1, 2, 4 or 8 orientations")
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
        let (batch, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var y = x
        for b in 0..<batch { Self.flip(&y, item: b, orientation: b % orientations) }
        let transposed = (0..<batch).filter { ($0 % orientations) & 4 != 0 }
        var d: FloatArray
        if transposed.isEmpty {
            d = try base.denoise(y, sigma: sigma)
        } else {
            let plain = (0..<batch).filter { ($0 % orientations) & 4 == 0 }
            let plane = h * w, item = c * plane
            var out = [Float](repeating: 0, count: x.count)
            if !plain.isEmpty {
                var part = [Float](); part.reserveCapacity(plain.count * item)
                for b in plain { part += y.storage[(b * item)..<((b + 1) * item)] }
                let r = try base.denoise(FloatArray(shape: [plain.count, c, h, w], storage: part), sigma: plain.map { sigma[$0] })
                for (i, b) in plain.enumerated() { out.replaceSubrange((b * item)..<((b + 1) * item), with: r.storage[(i * item)..<((i + 1) * item)]) }
            }
            var part = [Float](repeating: 0, count: transposed.count * item)
            for (i, b) in transposed.enumerated() {
                for ch in 0..<c {
                    let src = (b * c + ch) * plane, dst = (i * c + ch) * plane
                    for r in 0..<h { for j in 0..<w { part[dst + j * h + r] = y.storage[src + r * w + j] } }
                }
            }
            let t = try base.denoise(FloatArray(shape: [transposed.count, c, w, h], storage: part), sigma: transposed.map { sigma[$0] })
            for (i, b) in transposed.enumerated() {
                for ch in 0..<c {
                    let src = (i * c + ch) * plane, dst = (b * c + ch) * plane
                    for r in 0..<h { for j in 0..<w { out[dst + r * w + j] = t.storage[src + j * h + r] } }
                }
            }
            d = FloatArray(shape: x.shape, storage: out)
        }
        for b in 0..<batch { Self.flip(&d, item: b, orientation: b % orientations) }
        return d
    }
}
