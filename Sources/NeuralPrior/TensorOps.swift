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
        if n > 1 && work >= parallelThreshold && LaneTeam.isLeading {
            // On the evaluation's lane team: iterations alternate between its two lanes.
            LaneTeam.perform(2) { lane in
                for i in stride(from: lane, to: n, by: 2) { body(i) }
            }
        } else if n > 1 && work >= parallelThreshold {
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
    ///
    /// Each group's n values are summed in blocks of 4096: a block's sum runs in 8 Float lanes
    /// and is then taken to Double (`blockSums`), and the group's sum adds the blocks' sums in
    /// block order. Blocks are independent chains, so they are computed four at a time and split
    /// between the lanes (every block of every group, not whole groups: a batch-1 tensor has only
    /// a few groups); the per-block arithmetic and the order of the block additions are fixed, so
    /// the results do not depend on the split.
    public static func groupStatistics(
        _ x: UnsafePointer<Float>, batch: Int, channels: Int, planeSize: Int, groups: Int, epsilon: Float = 1e-5,
        mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, parallel: Bool = true
    ) {
        let cpg = channels / groups
        let n = cpg * planeSize
        let total = batch * groups
        let blocksPerGroup = (n + statisticsBlock - 1) / statisticsBlock
        let blockCount = total * blocksPerGroup
        guard blockCount > 0 else { return }
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: blockCount)
        defer { partial.deallocate() }
        let concurrent = parallel && blockCount > 1 && batch * channels * planeSize >= parallelThreshold
        let lanes = concurrent ? 2 : 1
        let perLane = (blockCount + lanes - 1) / lanes
        // The pointer and length of global block `k` (group k / blocksPerGroup).
        func block(_ k: Int) -> (UnsafePointer<Float>, Int) {
            let g = k / blocksPerGroup, i = (k % blocksPerGroup) * statisticsBlock
            return (x + g * n + i, min(statisticsBlock, n - i))
        }
        func pass(_ body: @escaping (Int, Int) -> Void) {
            forEach(lanes, work: concurrent ? Int.max : 0) { lane in
                var k = lane * perLane
                let end = min(blockCount, k + perLane)
                while k < end {
                    let c = min(4, end - k)
                    body(k, c)
                    k += c
                }
            }
        }
        // Pass 1: block sums, then each group's mean.
        nonisolated(unsafe) let out = partial
        pass { k, c in
            let (p0, n0) = block(k)
            let (p1, n1) = c > 1 ? block(k + 1) : (p0, n0), (p2, n2) = c > 2 ? block(k + 2) : (p0, n0)
            let (p3, n3) = c > 3 ? block(k + 3) : (p0, n0)
            let t = blockSums(p0, n0, p1, n1, p2, n2, p3, n3)
            out[k] = t.0
            if c > 1 { out[k + 1] = t.1 }
            if c > 2 { out[k + 2] = t.2 }
            if c > 3 { out[k + 3] = t.3 }
        }
        let means = UnsafeMutablePointer<Double>.allocate(capacity: total)
        defer { means.deallocate() }
        for g in 0..<total {
            var d = 0.0
            for j in 0..<blocksPerGroup { d += partial[g * blocksPerGroup + j] }
            means[g] = d / Double(n)
        }
        // Pass 2: block sums of squared deviations, then each group's 1/√(var + eps).
        nonisolated(unsafe) let m = UnsafePointer(means)
        pass { k, c in
            let (p0, n0) = block(k)
            let (p1, n1) = c > 1 ? block(k + 1) : (p0, n0), (p2, n2) = c > 2 ? block(k + 2) : (p0, n0)
            let (p3, n3) = c > 3 ? block(k + 3) : (p0, n0)
            let g0 = m[k / blocksPerGroup], g1 = m[(k + (c > 1 ? 1 : 0)) / blocksPerGroup]
            let g2 = m[(k + (c > 2 ? 2 : 0)) / blocksPerGroup], g3 = m[(k + (c > 3 ? 3 : 0)) / blocksPerGroup]
            let t = blockSquaredDeviations(p0, n0, p1, n1, p2, n2, p3, n3, means: (g0, g1, g2, g3))
            out[k] = t.0
            if c > 1 { out[k + 1] = t.1 }
            if c > 2 { out[k + 2] = t.2 }
            if c > 3 { out[k + 3] = t.3 }
        }
        for g in 0..<total {
            var v = 0.0
            for j in 0..<blocksPerGroup { v += partial[g * blocksPerGroup + j] }
            mean[g] = Float(means[g])
            rstd[g] = Float(1 / (v / Double(n) + Double(epsilon)).squareRoot())
        }
    }

    /// Values per block of `groupStatistics`' sums.
    static let statisticsBlock = 4096

    /// Sums of four blocks (each ≤ 4096 values): 8 Float lanes over the whole vectors, the lanes'
    /// sum taken to Double, then the tail values added in Double. Four interleaved chains. With
    /// AVX2 `ck_block_sums4` does the same arithmetic in 8-lane registers (Swift builds this code
    /// for SSE: two halves per vector), so the same bits.
    @inline(__always)
    static func blockSums(
        _ p0: UnsafePointer<Float>, _ n0: Int, _ p1: UnsafePointer<Float>, _ n1: Int,
        _ p2: UnsafePointer<Float>, _ n2: Int, _ p3: UnsafePointer<Float>, _ n3: Int
    ) -> (Double, Double, Double, Double) {
        if vectorKernelsAvailable {
            return fourSums { ck_block_sums4(p0, n0, p1, n1, p2, n2, p3, n3, $0) }
        }
        return portableBlockSums(p0, n0, p1, n1, p2, n2, p3, n3)
    }

    /// `blockSums` in Swift SIMD (CPUs without AVX2 + FMA; the reference of its test).
    static func portableBlockSums(
        _ p0: UnsafePointer<Float>, _ n0: Int, _ p1: UnsafePointer<Float>, _ n1: Int,
        _ p2: UnsafePointer<Float>, _ n2: Int, _ p3: UnsafePointer<Float>, _ n3: Int
    ) -> (Double, Double, Double, Double) {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        let v = min(n0, n1, n2, n3) & ~7
        var j = 0
        while j < v {
            s0 += UnsafeRawPointer(p0 + j).loadUnaligned(as: SIMD8<Float>.self)
            s1 += UnsafeRawPointer(p1 + j).loadUnaligned(as: SIMD8<Float>.self)
            s2 += UnsafeRawPointer(p2 + j).loadUnaligned(as: SIMD8<Float>.self)
            s3 += UnsafeRawPointer(p3 + j).loadUnaligned(as: SIMD8<Float>.self)
            j += 8
        }
        func finish(_ s: SIMD8<Float>, _ p: UnsafePointer<Float>, _ n: Int) -> Double {
            var s = s, j = v
            while j + 8 <= n { s += UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self); j += 8 }
            var t = Double(s.sum())
            while j < n { t += Double(p[j]); j += 1 }
            return t
        }
        return (finish(s0, p0, n0), finish(s1, p1, n1), finish(s2, p2, n2), finish(s3, p3, n3))
    }

    /// Runs a `ck_block_*4` kernel, which writes four Double results.
    @inline(__always)
    static func fourSums(_ kernel: (UnsafeMutablePointer<Double>) -> Void) -> (Double, Double, Double, Double) {
        var sums = (0.0, 0.0, 0.0, 0.0)
        withUnsafeMutablePointer(to: &sums) { $0.withMemoryRebound(to: Double.self, capacity: 4, kernel) }
        return sums
    }

    /// Σ (x − mean)² of four blocks, as `blockSums` (the mean rounded to Float in the vector
    /// part, in Double in the tail).
    @inline(__always)
    static func blockSquaredDeviations(
        _ p0: UnsafePointer<Float>, _ n0: Int, _ p1: UnsafePointer<Float>, _ n1: Int,
        _ p2: UnsafePointer<Float>, _ n2: Int, _ p3: UnsafePointer<Float>, _ n3: Int,
        means: (Double, Double, Double, Double)
    ) -> (Double, Double, Double, Double) {
        if vectorKernelsAvailable {
            let (m0, m1, m2, m3) = means
            return fourSums { ck_block_squared_deviations4(p0, n0, p1, n1, p2, n2, p3, n3, m0, m1, m2, m3, $0) }
        }
        return portableBlockSquaredDeviations(p0, n0, p1, n1, p2, n2, p3, n3, means: means)
    }

    /// `blockSquaredDeviations` in Swift SIMD (CPUs without AVX2 + FMA; the reference of its test).
    static func portableBlockSquaredDeviations(
        _ p0: UnsafePointer<Float>, _ n0: Int, _ p1: UnsafePointer<Float>, _ n1: Int,
        _ p2: UnsafePointer<Float>, _ n2: Int, _ p3: UnsafePointer<Float>, _ n3: Int,
        means: (Double, Double, Double, Double)
    ) -> (Double, Double, Double, Double) {
        let (m0, m1, m2, m3) = means
        let f0 = Float(m0), f1 = Float(m1), f2 = Float(m2), f3 = Float(m3)
        var q0 = SIMD8<Float>(), q1 = SIMD8<Float>(), q2 = SIMD8<Float>(), q3 = SIMD8<Float>()
        let v = min(n0, n1, n2, n3) & ~7
        var j = 0
        while j < v {
            let a0 = UnsafeRawPointer(p0 + j).loadUnaligned(as: SIMD8<Float>.self) - f0
            let a1 = UnsafeRawPointer(p1 + j).loadUnaligned(as: SIMD8<Float>.self) - f1
            let a2 = UnsafeRawPointer(p2 + j).loadUnaligned(as: SIMD8<Float>.self) - f2
            let a3 = UnsafeRawPointer(p3 + j).loadUnaligned(as: SIMD8<Float>.self) - f3
            q0 += a0 * a0; q1 += a1 * a1; q2 += a2 * a2; q3 += a3 * a3
            j += 8
        }
        func finish(_ q: SIMD8<Float>, _ p: UnsafePointer<Float>, _ n: Int, _ f: Float, _ m: Double) -> Double {
            var q = q, j = v
            while j + 8 <= n {
                let a = UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self) - f
                q += a * a
                j += 8
            }
            var t = Double(q.sum())
            while j < n { let a = Double(p[j]) - m; t += a * a; j += 1 }
            return t
        }
        return (finish(q0, p0, n0, f0, m0), finish(q1, p1, n1, f1, m1), finish(q2, p2, n2, f2, m2),
                finish(q3, p3, n3, f3, m3))
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
        destinationChannels: Int, offset: Int, parallel: Bool = true
    ) {
        forEach(batch * channels, work: parallel ? batch * channels * planeSize : 0) { p in
            let b = p / channels, c = p % channels
            (y + (b * destinationChannels + offset + c) * planeSize).update(from: x + p * planeSize, count: planeSize)
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
