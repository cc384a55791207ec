import DAPS
import MRICore

/// A denoiser for images whose size is not a multiple of what the wrapped network accepts:
/// x `[B, C, H, W]` is zero-padded (centred) to `[B, C, H′, W′]` with H′, W′ the next multiples
/// of `multiple`, denoised, and the centre `[H, W]` returned. Sizes that are already multiples
/// pass straight through.
public struct PaddedDenoiser: Denoiser {
    public let base: any Denoiser
    public let multiple: Int

    public init(_ base: any Denoiser, multiple: Int) {
        precondition(multiple >= 1, "PaddedDenoiser: multiple must be ≥ 1")
        self.base = base
        self.multiple = multiple
    }

    public var channels: Int { base.channels }

    public func denoise(_ x: FloatArray, sigma: [Float]) throws -> FloatArray {
        guard x.shape.count == 4 else { return try base.denoise(x, sigma: sigma) }
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let ph = (h + multiple - 1) / multiple * multiple, pw = (w + multiple - 1) / multiple * multiple
        if ph == h && pw == w { return try base.denoise(x, sigma: sigma) }
        let top = (ph - h) / 2, left = (pw - w) / 2
        var padded = FloatArray(zeros: [b, c, ph, pw])
        for plane in 0..<(b * c) {
            for i in 0..<h {
                let src = (plane * h + i) * w, dst = (plane * ph + top + i) * pw + left
                for j in 0..<w { padded[linear: dst + j] = x.storage[src + j] }
            }
        }
        let d = try base.denoise(padded, sigma: sigma)
        var out = FloatArray(zeros: x.shape)
        for plane in 0..<(b * c) {
            for i in 0..<h {
                let dst = (plane * h + i) * w, src = (plane * ph + top + i) * pw + left
                for j in 0..<w { out[linear: dst + j] = d.storage[src + j] }
            }
        }
        return out
    }
}
