import CKernels
import Foundation

/// Elementwise and normalisation kernels of the UNet on NCHW Float32 planes (raw pointers, no
/// allocation). Planes of one batch item are contiguous: element (b, c, y, x) of a
/// [B, C, H, W] tensor is at ((b·C + c)·H + y)·W + x.
public enum TensorOps {
    /// Work below this many elements runs on the calling thread.
    static let parallelThreshold = 1 << 15

    /// Runs `body(i)` for i in 0..<n, concurrently when `work` (total elements) is large.
    /// Callers that already run one item per core pass `work: 0` (via their `parallel: false`).
    @inline(__always)
    static func forEach(_ n: Int, work: Int, _ body: (Int) -> Void) {
        if n > 1 && work >= parallelThreshold {
            withoutActuallyEscaping(body) { escaping in
                nonisolated(unsafe) let run = escaping
                DispatchQueue.concurrentPerform(iterations: n) { run($0) }
            }
        } else {
            for i in 0..<n { body(i) }
        }
    }

    /// eˣ for 8 lanes (Cephes `expf`: x = n·ln2 + r with n rounded by the 1.5·2²³ trick,
    /// degree-6 polynomial for eʳ, 2ⁿ built in the exponent bits; relative error ≈ 2e-7,
    /// input clamped to [−87.3, 88.3]). Pure lane arithmetic so it compiles to vector code.
    @inline(__always)
    static func exp8(_ v: SIMD8<Float>) -> SIMD8<Float> {
        let x0 = v.replacing(with: SIMD8(repeating: -87.3), where: v .< -87.3)
            .replacing(with: SIMD8(repeating: 88.3), where: v .> 88.3)
        let magic = SIMD8<Float>(repeating: 12_582_912)  // 1.5·2²³
        let t = x0 * 1.442_695_04 + magic
        let fx = t - magic
        var x = x0 - fx * 0.693_359_375
        x = x + fx * 2.121_944_4e-4
        let z = x * x
        var y: SIMD8<Float> = SIMD8(repeating: 1.987_569_150_0e-4)
        y = y * x + 1.398_199_950_7e-3
        y = y * x + 8.333_451_907_3e-3
        y = y * x + 4.166_579_589_4e-2
        y = y * x + 1.666_666_545_9e-1
        y = y * x + 5.000_000_120_1e-1
        y = y * z + x + 1
        let n = unsafeBitCast(t, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let scale = unsafeBitCast((n &+ 127) &<< 23, to: SIMD8<Float>.self)
        return y * scale
    }

    /// SiLU(x) = x·σ(x) = x/(1 + e⁻ˣ), scalar.
    @inline(__always)
    public static func silu(_ x: Float) -> Float { x / (1 + Foundation.exp(-x)) }

    /// The CPU has AVX2 + FMA: `affineSiLU` runs `ck_affine_silu` (same polynomial, 8 lanes
    /// in one register instead of two SSE halves).
    static let vectorKernelsAvailable: Bool = Convolution.directKernelAvailable

    /// y[i] = SiLU(a·x[i] + b) for i < n (in place allowed).
    @inline(__always)
    static func affineSiLU(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ a: Float, _ b: Float) {
        if vectorKernelsAvailable {
            ck_affine_silu(x, y, n, a, b)
            return
        }
        var i = 0
        let one = SIMD8<Float>(repeating: 1)
        while i + 8 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) * a + b
            let r = v / (one + exp8(-v))
            UnsafeMutableRawPointer(y + i).storeBytes(of: r, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            y[i] = silu(a * x[i] + b)
            i += 1
        }
    }

    /// y = SiLU(x) elementwise over n values (in place allowed).
    public static func silu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        let chunk = 1 << 14
        let parts = (n + chunk - 1) / chunk
        forEach(parts, work: n) { p in
            let s = p * chunk
            affineSiLU(x + s, y + s, min(chunk, n - s), 1, 0)
        }
    }

    /// Per-(item, group) mean and 1/√(var + eps) of a [batch, channels, planeSize] tensor,
    /// groups of channels/groups consecutive channels (biased variance, two-pass, Double sums).
    /// `mean` and `rstd` hold batch·groups values.
    public static func groupStatistics(
        _ x: UnsafePointer<Float>, batch: Int, channels: Int, planeSize: Int, groups: Int, epsilon: Float = 1e-5,
        mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, parallel: Bool = true
    ) {
        let cpg = channels / groups
        let n = cpg * planeSize
        // Each group's sums are a chain of dependent vector additions, so up to four groups run
        // interleaved (independent chains, the same arithmetic per group as one at a time).
        let total = batch * groups
        let concurrent = parallel && total > 1 && batch * channels * planeSize >= parallelThreshold
        let per = concurrent ? max(1, min(4, (total + 1) / 2)) : 4
        forEach((total + per - 1) / per, work: concurrent ? Int.max : 0) { chunk in
            let first = chunk * per, count = min(per, total - first)
            var at = first
            while at < first + count {
                let k = min(4, first + count - at)
                let b0 = x + at * n
                let b1 = k > 1 ? b0 + n : b0, b2 = k > 2 ? b0 + 2 * n : b0, b3 = k > 3 ? b0 + 3 * n : b0
                let (m0, m1, m2, m3) = groupMeans(b0, b1, b2, b3, n: n)
                let (v0, v1, v2, v3) = groupVariances(b0, b1, b2, b3, means: (m0, m1, m2, m3), n: n)
                for (g, (m, v)) in [(m0, v0), (m1, v1), (m2, v2), (m3, v3)].prefix(k).enumerated() {
                    mean[at + g] = Float(m)
                    rstd[at + g] = Float(1 / (v / Double(n) + Double(epsilon)).squareRoot())
                }
                at += k
            }
        }
    }

    /// Means of four groups of n values (blocks of ≤ 4096 values in Float lanes, accumulated in
    /// Double), computed as four interleaved chains.
    @inline(__always)
    static func groupMeans(
        _ p0: UnsafePointer<Float>, _ p1: UnsafePointer<Float>, _ p2: UnsafePointer<Float>, _ p3: UnsafePointer<Float>,
        n: Int
    ) -> (Double, Double, Double, Double) {
        var d0 = 0.0, d1 = 0.0, d2 = 0.0, d3 = 0.0
        var i = 0
        while i < n {
            let e = min(n, i + 4096)
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
            var j = i
            while j + 8 <= e {
                s0 += UnsafeRawPointer(p0 + j).loadUnaligned(as: SIMD8<Float>.self)
                s1 += UnsafeRawPointer(p1 + j).loadUnaligned(as: SIMD8<Float>.self)
                s2 += UnsafeRawPointer(p2 + j).loadUnaligned(as: SIMD8<Float>.self)
                s3 += UnsafeRawPointer(p3 + j).loadUnaligned(as: SIMD8<Float>.self)
                j += 8
            }
            var t0 = Double(s0.sum()), t1 = Double(s1.sum()), t2 = Double(s2.sum()), t3 = Double(s3.sum())
            while j < e {
                t0 += Double(p0[j]); t1 += Double(p1[j]); t2 += Double(p2[j]); t3 += Double(p3[j])
                j += 1
            }
            d0 += t0; d1 += t1; d2 += t2; d3 += t3
            i = e
        }
        let nd = Double(n)
        return (d0 / nd, d1 / nd, d2 / nd, d3 / nd)
    }

    /// Σ (x − mean)² of four groups (the mean rounded to Float in the vector part, in Double in the tail).
    @inline(__always)
    static func groupVariances(
        _ p0: UnsafePointer<Float>, _ p1: UnsafePointer<Float>, _ p2: UnsafePointer<Float>, _ p3: UnsafePointer<Float>,
        means: (Double, Double, Double, Double), n: Int
    ) -> (Double, Double, Double, Double) {
        let (m0, m1, m2, m3) = means
        let f0 = Float(m0), f1 = Float(m1), f2 = Float(m2), f3 = Float(m3)
        var d0 = 0.0, d1 = 0.0, d2 = 0.0, d3 = 0.0
        var i = 0
        while i < n {
            let e = min(n, i + 4096)
            var q0 = SIMD8<Float>(), q1 = SIMD8<Float>(), q2 = SIMD8<Float>(), q3 = SIMD8<Float>()
            var j = i
            while j + 8 <= e {
                let a0 = UnsafeRawPointer(p0 + j).loadUnaligned(as: SIMD8<Float>.self) - f0
                let a1 = UnsafeRawPointer(p1 + j).loadUnaligned(as: SIMD8<Float>.self) - f1
                let a2 = UnsafeRawPointer(p2 + j).loadUnaligned(as: SIMD8<Float>.self) - f2
                let a3 = UnsafeRawPointer(p3 + j).loadUnaligned(as: SIMD8<Float>.self) - f3
                q0 += a0 * a0; q1 += a1 * a1; q2 += a2 * a2; q3 += a3 * a3
                j += 8
            }
            var t0 = Double(q0.sum()), t1 = Double(q1.sum()), t2 = Double(q2.sum()), t3 = Double(q3.sum())
            while j < e {
                let a0 = Double(p0[j]) - m0, a1 = Double(p1[j]) - m1, a2 = Double(p2[j]) - m2, a3 = Double(p3[j]) - m3
                t0 += a0 * a0; t1 += a1 * a1; t2 += a2 * a2; t3 += a3 * a3
                j += 1
            }
            d0 += t0; d1 += t1; d2 += t2; d3 += t3
            i = e
        }
        return (d0, d1, d2, d3)
    }

    /// y[b, c, :] = x[b, c, :]·scale[b·C + c] + shift[b·C + c], followed by SiLU when `silu`.
    /// In place allowed.
    public static func channelAffine(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, channels: Int, planeSize: Int,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, silu: Bool, parallel: Bool = true
    ) {
        forEach(batch * channels, work: parallel ? batch * channels * planeSize : 0) { bc in
            let o = bc * planeSize
            if silu {
                affineSiLU(x + o, y + o, planeSize, scale[bc], shift[bc])
            } else {
                let a = scale[bc], b = shift[bc]
                for i in 0..<planeSize { y[o + i] = x[o + i] * a + b }
            }
        }
    }

    /// GroupNorm (eps 1e-5, affine γ, β) optionally followed by the ResBlock modulation
    /// h·(1 + scale) + shift (per item and channel, `modulation` = [batch, 2·channels], scale
    /// first) and SiLU: y = SiLU(((x − μ_g)/σ_g·γ_c + β_c)·(1 + s_bc) + t_bc).
    /// `coefficients` is scratch for 2·batch·channels + 2·batch·groups floats. In place allowed.
    public static func groupNormSiLU(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, channels: Int, planeSize: Int,
        groups: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, modulation: UnsafePointer<Float>?,
        silu: Bool = true, coefficients: UnsafeMutablePointer<Float>, parallel: Bool = true
    ) {
        let (scale, shift) = groupNormCoefficients(
            x, batch: batch, channels: channels, planeSize: planeSize, groups: groups, gamma: gamma, beta: beta,
            modulation: modulation, coefficients: coefficients, parallel: parallel)
        channelAffine(x, y, batch: batch, channels: channels, planeSize: planeSize, scale: scale, shift: shift, silu: silu,
                      parallel: parallel)
    }

    /// The per-(item, channel) affine (scale, shift) that `groupNormSiLU` applies before its SiLU:
    /// GroupNorm statistics of x folded with γ, β and the modulation. Written to `coefficients`
    /// (scale at [0, B·C), shift at [B·C, 2·B·C), item b's channels at offset b·C); returned as
    /// pointers. For a convolution that applies them itself (`Convolution.apply(inputAffine:)`).
    public static func groupNormCoefficients(
        _ x: UnsafePointer<Float>, batch: Int, channels: Int, planeSize: Int, groups: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, modulation: UnsafePointer<Float>?,
        coefficients: UnsafeMutablePointer<Float>, parallel: Bool = true
    ) -> (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
        let bc = batch * channels
        let scale = coefficients, shift = coefficients + bc
        let mean = coefficients + 2 * bc, rstd = mean + batch * groups
        groupStatistics(x, batch: batch, channels: channels, planeSize: planeSize, groups: groups, mean: mean, rstd: rstd,
                        parallel: parallel)
        let cpg = channels / groups
        for b in 0..<batch {
            for c in 0..<channels {
                let g = b * groups + c / cpg
                var a = rstd[g] * gamma[c]
                var s = beta[c] - mean[g] * a
                if let m = modulation {
                    let sc = 1 + m[b * 2 * channels + c], sh = m[b * 2 * channels + channels + c]
                    a *= sc
                    s = s * sc + sh
                }
                scale[b * channels + c] = a
                shift[b * channels + c] = s
            }
        }
        return (UnsafePointer(scale), UnsafePointer(shift))
    }

    /// 2×2 average pooling, stride 2: [planes, H, W] → [planes, H/2, W/2].
    public static func averagePool2x2(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int, height: Int, width: Int,
        parallel: Bool = true
    ) {
        let ho = height / 2, wo = width / 2
        forEach(planes, work: parallel ? planes * height * width : 0) { p in
            let src = x + p * height * width, dst = y + p * ho * wo
            for r in 0..<ho {
                let a = src + 2 * r * width, b = a + width, d = dst + r * wo
                for c in 0..<wo {
                    d[c] = 0.25 * ((a[2 * c] + a[2 * c + 1]) + (b[2 * c] + b[2 * c + 1]))
                }
            }
        }
    }

    /// Nearest-neighbour 2× upsampling of `planes` planes [h, w] into [2h, 2w]; source plane p
    /// goes to `y + p·4hw + … ` with destination item stride: plane p of item b is written at
    /// y + (b·dstChannels + p % srcChannels)·4hw where b = p / srcChannels.
    public static func upsampleNearest2x(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, channels: Int,
        destinationChannels: Int, height: Int, width: Int, parallel: Bool = true
    ) {
        let wo = 2 * width, hwo = 4 * height * width
        forEach(batch * channels, work: parallel ? batch * channels * hwo : 0) { p in
            let b = p / channels, c = p % channels
            let src = x + p * height * width, dst = y + (b * destinationChannels + c) * hwo
            for r in 0..<height {
                let s = src + r * width, d0 = dst + 2 * r * wo
                for c in 0..<width { let v = s[c]; d0[2 * c] = v; d0[2 * c + 1] = v }
                (d0 + wo).update(from: d0, count: wo)
            }
        }
    }

    /// Copies a [batch, channels, planeSize] tensor into channels offset..<offset+channels of a
    /// [batch, destinationChannels, planeSize] tensor (channel concatenation).
    public static func copyChannels(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, channels: Int, planeSize: Int,
        destinationChannels: Int, offset: Int
    ) {
        for b in 0..<batch {
            (y + (b * destinationChannels + offset) * planeSize).update(from: x + b * channels * planeSize,
                                                                          count: channels * planeSize)
        }
    }

    /// The sinusoidal noise embedding: half = count/2, f_i = 10000^(−i/half),
    /// e = [cos(c·f_0…), sin(c·f_0…)] (cos first), computed in Double.
    public static func sinusoidalEmbedding(_ c: Float, count: Int, into e: UnsafeMutablePointer<Float>) {
        let half = count / 2
        for i in 0..<half {
            let f = Foundation.pow(10000.0, -Double(i) / Double(half))
            let a = Double(c) * f
            e[i] = Float(Foundation.cos(a))
            e[half + i] = Float(Foundation.sin(a))
        }
    }
}
