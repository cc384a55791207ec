import Foundation
import CKernels
import MRICore
@testable import NeuralPrior
import Testing

func randomArray(_ shape: [Int], seed: UInt64, scale: Double = 1) -> FloatArray {
    var rng = SeededRNG(seed: seed)
    let n = shape.reduce(1, *)
    return FloatArray(shape: shape, storage: (0..<n).map { _ in Float(rng.gaussian() * scale) })
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Direct-loop convolution (zero padding k/2), Double accumulation.
func naiveConvolution(_ x: FloatArray, weight w: FloatArray, bias: FloatArray) -> FloatArray {
    let (cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2])
    let (cout, k) = (w.shape[0], w.shape[2])
    let p = k / 2
    var y = FloatArray(zeros: [cout, h, wd])
    for o in 0..<cout {
        for i in 0..<h {
            for j in 0..<wd {
                var s = Double(bias.storage[o])
                for c in 0..<cin {
                    for u in 0..<k {
                        for v in 0..<k {
                            let (ii, jj) = (i + u - p, j + v - p)
                            if ii < 0 || ii >= h || jj < 0 || jj >= wd { continue }
                            s += Double(w.storage[((o * cin + c) * k + u) * k + v]) * Double(x.storage[(c * h + ii) * wd + jj])
                        }
                    }
                }
                y[linear: (o * h + i) * wd + j] = Float(s)
            }
        }
    }
    return y
}

/// Convolution cases: (kernel, Cin, Cout, H, W, im2col band floats).
let convolutionCases: [(Int, Int, Int, Int, Int, Int)] = [
    (3, 5, 3, 7, 9, 1 << 20), (1, 6, 4, 5, 8, 1 << 20), (3, 40, 8, 30, 32, 1 << 20), (3, 7, 5, 11, 6, 200),
    (3, 12, 2, 20, 46, 1 << 20), (3, 3, 13, 17, 23, 1 << 20), (3, 96, 48, 40, 40, 1 << 20), (3, 2, 12, 64, 64, 1 << 20),
    // 2-channel tiles (48 pixels + a tail) over many bands per lane; a last block of 2 in a wider convolution.
    (3, 64, 2, 40, 100, 1 << 20), (3, 24, 14, 45, 61, 1 << 20),
    // Row tails: 12 pixels (a 16-pixel tile, 4 lanes unstored), 6 pixels (rows paired, the last row alone).
    (3, 48, 12, 9, 92, 1 << 20), (3, 13, 7, 15, 38, 1 << 20),
]

@Suite struct TensorOpsTests {
    /// The statistics' documented arithmetic, one group after the other: blocks of 4096 values
    /// summed in 8 Float lanes, each block's lane sum taken to Double, tail values in Double,
    /// blocks added in order; the same for Σ (x − Float(mean))².
    static func referenceGroupStatistics(_ x: [Float], groups total: Int, n: Int, epsilon: Float = 1e-5) -> ([Float], [Float]) {
        var means: [Float] = [], rstds: [Float] = []
        for g in 0..<total {
            let p = Array(x[(g * n)..<((g + 1) * n)])
            func blocks(_ value: (Int) -> SIMD8<Float>, _ tail: (Int) -> Double) -> Double {
                var d = 0.0, i = 0
                while i < n {
                    let e = min(n, i + 4096)
                    var s = SIMD8<Float>(), j = i
                    while j + 8 <= e { s += value(j); j += 8 }
                    var t = Double(s.sum())
                    while j < e { t += tail(j); j += 1 }
                    d += t
                    i = e
                }
                return d
            }
            let m = blocks({ j in SIMD8<Float>(p[j..<(j + 8)]) }, { Double(p[$0]) }) / Double(n)
            let f = Float(m)
            let v = blocks({ j in let a = SIMD8<Float>(p[j..<(j + 8)]) - f; return a * a },
                           { let a = Double(p[$0]) - m; return a * a })
            means.append(Float(m))
            rstds.append(Float(1 / (v / Double(n) + Double(epsilon)).squareRoot()))
        }
        return (means, rstds)
    }

    @Test("GroupNorm statistics: the plain per-group loop's bits, on one lane or two",
          arguments: [(1, 12, 3001, 4), (2, 24, 8199, 4), (1, 48, 1600, 4), (3, 8, 100, 2), (1, 4, 20000, 1)])
    func groupStatisticsBits(batch: Int, channels: Int, plane: Int, groups: Int) {
        let x = randomArray([batch, channels, plane], seed: 41, scale: 3).storage.map { $0 + 0.5 }
        let (refMean, refRstd) = Self.referenceGroupStatistics(x, groups: batch * groups, n: channels / groups * plane)
        for parallel in [false, true] {
            var mean = [Float](repeating: .nan, count: batch * groups), rstd = mean
            TensorOps.groupStatistics(x, batch: batch, channels: channels, planeSize: plane, groups: groups,
                                      mean: &mean, rstd: &rstd, parallel: parallel)
            #expect(mean == refMean, "parallel \(parallel)")
            #expect(rstd == refRstd, "parallel \(parallel)")
        }
    }

    @Test("GroupNorm block sums: the AVX2 kernel gives the bits of the Swift SIMD code (vector parts of unequal length, tails, −0, magnitudes from 1e-30 to 1e3)",
          .enabled(if: Convolution.directKernelAvailable, "CPU without AVX2 + FMA: the kernel is not used here"),
          arguments: [[4096, 4096, 4096, 4096], [4096, 1000, 17, 3], [5, 8, 9, 4095], [1, 2, 3, 4], [4095, 4094, 4093, 4089]])
    func blockSumKernelBits(counts: [Int]) {
        var x = randomArray([4 * 4096], seed: 5, scale: 3).storage.enumerated().map { i, v -> Float in
            switch i % 97 { case 0: -0.0; case 1: 1e-30 * v; case 2: 100 * v; default: v * v * 0.5 - 1 }
        }
        x[4096 + 3] = -0.0
        let means: (Double, Double, Double, Double) = (0.3, -1.7, 1e3, 0)
        x.withUnsafeBufferPointer { b in
            let p = (0..<4).map { b.baseAddress! + $0 * 4096 }
            let (n0, n1, n2, n3) = (counts[0], counts[1], counts[2], counts[3])
            let kernel = TensorOps.blockSums(p[0], n0, p[1], n1, p[2], n2, p[3], n3)
            let swift = TensorOps.portableBlockSums(p[0], n0, p[1], n1, p[2], n2, p[3], n3)
            #expect([kernel.0, kernel.1, kernel.2, kernel.3].map(\.bitPattern)
                    == [swift.0, swift.1, swift.2, swift.3].map(\.bitPattern))
            let kq = TensorOps.blockSquaredDeviations(p[0], n0, p[1], n1, p[2], n2, p[3], n3, means: means)
            let sq = TensorOps.portableBlockSquaredDeviations(p[0], n0, p[1], n1, p[2], n2, p[3], n3, means: means)
            #expect([kq.0, kq.1, kq.2, kq.3].map(\.bitPattern) == [sq.0, sq.1, sq.2, sq.3].map(\.bitPattern))
        }
    }

    @Test("3×3 and 1×1 convolution match direct loops (also accumulating, multi-band im2col and the direct AVX2 kernel)",
          arguments: convolutionCases)
    func convolution(k: Int, cin: Int, cout: Int, h: Int, w: Int, band: Int) {
        let x = randomArray([cin, h, w], seed: 1)
        let weight = randomArray([cout, cin, k, k], seed: 2, scale: 0.3)
        let bias = randomArray([cout], seed: 3)
        let reference = naiveConvolution(x, weight: weight, bias: bias)
        let tol: Float = 1e-4 * (reference.storage.map(abs).max() ?? 1)
        // Both 3×3 paths: im2col + sgemm always; the direct kernel where the CPU has AVX2 + FMA
        // (checked to be in use, so a silent fallback would fail here). Each also single-lane.
        var paths: [(direct: Bool, parallel: Bool)] = [(false, true), (false, false)]
        if Convolution.directKernelAvailable && k == 3 { paths += [(true, true), (true, false)] }
        for path in paths {
            let conv = Convolution(weight: weight, bias: bias, bandFloats: band, direct: path.direct)
            #expect(conv.usesDirectKernel == path.direct)
            if band < 1000 && !path.direct {
                #expect(conv.columnScratch(height: h, width: w) < (9 * cin + 1) * h * w / 2)
            }
            var column = [Float](repeating: .nan, count: max(1, conv.columnScratch(height: h, width: w)))
            var y = [Float](repeating: .nan, count: cout * h * w)
            for accumulate in [false, true] {
                x.storage.withUnsafeBufferPointer { xp in
                    y.withUnsafeMutableBufferPointer { yp in
                        column.withUnsafeMutableBufferPointer { cp in
                            conv.apply(xp.baseAddress!, yp.baseAddress!, height: h, width: w, accumulate: accumulate,
                                       column: cp.baseAddress!, parallel: path.parallel)
                        }
                    }
                }
                // Accumulate: y += conv(x) doubles the result.
                let f: Float = accumulate ? 2 : 1
                #expect(maxAbsDifference(y, reference.storage.map { f * $0 }) <= f * tol,
                        "direct \(path.direct), parallel \(path.parallel), accumulate \(accumulate)")
            }
        }
    }

    @Test("the direct 3×3 kernel gives the same bits whether the rows run in one lane or two",
          .enabled(if: Convolution.directKernelAvailable, "CPU without AVX2 + FMA: the direct kernel is not used here"))
    func directKernelLaneIndependence() throws {
        let (cin, cout, h, w) = (24, 12, 50, 70)
        let x = randomArray([cin, h, w], seed: 7)
        let conv = Convolution(weight: randomArray([cout, cin, 3, 3], seed: 8, scale: 0.2),
                               bias: randomArray([cout], seed: 9))
        func run(_ parallel: Bool) -> [Float] {
            var column = [Float](repeating: 0, count: conv.columnScratch(height: h, width: w))
            var y = [Float](repeating: 0, count: cout * h * w)
            x.storage.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    column.withUnsafeMutableBufferPointer { cp in
                        conv.apply(xp.baseAddress!, yp.baseAddress!, height: h, width: w, column: cp.baseAddress!,
                                   parallel: parallel)
                    }
                }
            }
            return y
        }
        #expect(run(true) == run(false))
    }

    @Test("the direct kernel's AVX-512 variant gives the AVX2 variant's bits (row tails, accumulate, fused input)",
          .enabled(if: ck_has_avx512() != 0, "CPU without AVX-512: only the AVX2 variant runs here"),
          arguments: [(7, 5, 9, 13), (12, 2, 40, 46), (24, 12, 50, 70), (12, 12, 6, 64), (5, 13, 11, 100), (24, 2, 30, 110),
                      (20, 14, 33, 61)])
    func directKernelInstructionSets(cin: Int, cout: Int, h: Int, w: Int) throws {
        let x = randomArray([cin, h, w], seed: 21, scale: 2)
        let weight = randomArray([cout, cin, 3, 3], seed: 22, scale: 0.2).storage
        let bias = randomArray([cout], seed: 23).storage
        let scale = randomArray([cin], seed: 24).storage, shift = randomArray([cin], seed: 25).storage
        var packed = [Float](repeating: 0, count: ck_conv3x3_packed_size(Int32(cout), Int32(cin)))
        ck_conv3x3_pack(weight, Int32(cout), Int32(cin), &packed)
        var scratch = [Float](repeating: .nan, count: ck_conv3x3_scratch(Int32(cin), Int32(h), Int32(w)))
        let start = randomArray([cout, h, w], seed: 26).storage
        for accumulate in [false, true] {
            for affine in [false, true] {
                var outputs: [[Float]] = []
                for variant in [1, 2] {
                    var y = start
                    scale.withUnsafeBufferPointer { sp in
                        shift.withUnsafeBufferPointer { tp in
                            // Rows in two calls, as lanes split them.
                            for (row0, rows) in [(0, h / 2), (h / 2, h - h / 2)] {
                                ck_conv3x3_variant(Int32(variant), x.storage, Int32(cin), Int32(h), Int32(w), packed, bias,
                                                   Int32(cout), &y, Int32(row0), Int32(rows), accumulate ? 1 : 0,
                                                   affine ? sp.baseAddress : nil, affine ? tp.baseAddress : nil, &scratch)
                            }
                        }
                    }
                    outputs.append(y)
                }
                #expect(outputs[0] == outputs[1], "accumulate \(accumulate), affine \(affine)")
                #expect(outputs[0] != start && !outputs[0].contains { !$0.isFinite })
            }
        }
    }

    @Test("the direct kernel's fused input affine + SiLU gives the bits of channelAffine then the convolution",
          .enabled(if: Convolution.directKernelAvailable, "CPU without AVX2 + FMA: the direct kernel is not used here"),
          arguments: [(7, 5, 9, 13), (12, 2, 40, 46), (24, 12, 50, 70)])
    func fusedInputAffine(cin: Int, cout: Int, h: Int, w: Int) throws {
        let x = randomArray([cin, h, w], seed: 11, scale: 2)
        let scale = randomArray([cin], seed: 12).storage, shift = randomArray([cin], seed: 13).storage
        let conv = Convolution(weight: randomArray([cout, cin, 3, 3], seed: 14, scale: 0.2),
                               bias: randomArray([cout], seed: 15))
        var column = [Float](repeating: .nan, count: conv.columnScratch(height: h, width: w))
        // Reference: SiLU(scale·x + shift) written out (zero padding applies to that), then conv.
        var activated = [Float](repeating: 0, count: x.count)
        var reference = [Float](repeating: 0.5, count: cout * h * w)
        x.storage.withUnsafeBufferPointer { xp in
            TensorOps.channelAffine(xp.baseAddress!, &activated, batch: 1, channels: cin, planeSize: h * w,
                                    scale: scale, shift: shift, silu: true)
        }
        // Independent check of the activation itself (padding must not be activated: SiLU(shift) ≠ 0).
        for i in stride(from: 0, to: x.count, by: 97) {
            let c = i / (h * w)
            #expect(abs(activated[i] - TensorOps.silu(scale[c] * x.storage[i] + shift[c])) <= 1e-5 * max(1, abs(activated[i])))
        }
        activated.withUnsafeBufferPointer { ap in
            column.withUnsafeMutableBufferPointer { cp in
                conv.apply(ap.baseAddress!, &reference, height: h, width: w, accumulate: true, column: cp.baseAddress!)
            }
        }
        for parallel in [true, false] {
            var y = [Float](repeating: 0.5, count: cout * h * w)
            x.storage.withUnsafeBufferPointer { xp in
                scale.withUnsafeBufferPointer { sp in
                    shift.withUnsafeBufferPointer { tp in
                        column.withUnsafeMutableBufferPointer { cp in
                            conv.apply(xp.baseAddress!, &y, height: h, width: w, accumulate: true,
                                       inputAffine: (sp.baseAddress!, tp.baseAddress!), column: cp.baseAddress!,
                                       parallel: parallel)
                        }
                    }
                }
            }
            #expect(y == reference, "parallel \(parallel)")
        }
    }

    @Test("GroupNorm + modulation + SiLU matches a naive per-group computation")
    func groupNorm() {
        let (b, c, hw, g) = (2, 6, 37, 3)
        let x = randomArray([b, c, hw], seed: 4, scale: 3).storage.map { $0 + 5 }
        let gamma = randomArray([c], seed: 5).storage, beta = randomArray([c], seed: 6).storage
        let mod = randomArray([b, 2 * c], seed: 7, scale: 0.5).storage
        var reference = [Float](repeating: 0, count: x.count)
        for bi in 0..<b {
            for gi in 0..<g {
                let idx = (0..<(c / g * hw)).map { (bi * c + gi * (c / g)) * hw + $0 }
                let m = idx.reduce(0.0) { $0 + Double(x[$1]) } / Double(idx.count)
                let v = idx.reduce(0.0) { $0 + pow(Double(x[$1]) - m, 2) } / Double(idx.count)
                for i in idx {
                    let ch = (i / hw) % c
                    var t = (Double(x[i]) - m) / (v + 1e-5).squareRoot() * Double(gamma[ch]) + Double(beta[ch])
                    t = t * (1 + Double(mod[bi * 2 * c + ch])) + Double(mod[bi * 2 * c + c + ch])
                    reference[i] = Float(t / (1 + exp(-t)))
                }
            }
        }
        var y = [Float](repeating: 0, count: x.count)
        var coefficients = [Float](repeating: 0, count: 2 * b * c + 2 * b * g)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                TensorOps.groupNormSiLU(xp.baseAddress!, yp.baseAddress!, batch: b, channels: c, planeSize: hw, groups: g,
                                        gamma: gamma, beta: beta, modulation: mod, coefficients: &coefficients)
            }
        }
        #expect(maxAbsDifference(y, reference) <= 2e-5 * (reference.map(abs).max() ?? 1))
    }

    @Test("vectorised SiLU matches x·σ(x) over a wide range, including saturation")
    func silu() {
        let x: [Float] = stride(from: -100, through: 100, by: 0.37).map { Float($0) } + [0, -0.0, 1e-8, -88, 89]
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { TensorOps.silu(xp.baseAddress!, $0.baseAddress!, count: x.count) }
        }
        for (a, r) in zip(x, y) {
            let ref = Double(a) / (1 + exp(-Double(a)))
            #expect(abs(Double(r) - ref) <= 1e-6 * max(1, abs(ref)), "x = \(a)")
        }
    }

    /// FNV-1a over the outputs' bits of ck_affine_silu(x, 1.25, −0.5) for n = 5, 13, 40, 1003
    /// (a masked tail, single vectors, the four-vector loop) recorded from the kernel of
    /// 4f3e2a4: the convolution's fused input uses the same code, so reorganising it must keep
    /// these bits (the network's outputs follow from them).
    @Test("the AVX2 SiLU kernel keeps its bits",
          .enabled(if: Convolution.directKernelAvailable, "CPU without AVX2 + FMA: the kernel is not used here"))
    func affineSiLUBits() {
        let x: [Float] = (0..<1003).map { i -> Float in Float((i * 89) % 211) / 7 - 15 }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for n in [5, 13, 40, 1003] {
            var y = [Float](repeating: .nan, count: n)
            ck_affine_silu(x, &y, n, 1.25, -0.5)
            for v in y {
                for byte: UInt32 in 0..<4 {
                    let b = UInt64((v.bitPattern >> (8 * byte)) & 0xFF)
                    h = (h ^ b) &* 0x100_0000_01b3
                }
            }
        }
        #expect(h == 0xdd04_e44f_a2a0_a284)
    }

    @Test("multi-head attention matches a naive softmax(qᵀk/√d)·v, chunked queries")
    func attention() {
        let (c, heads, n) = (6, 2, 23)
        let d = c / heads
        let qkv = randomArray([3 * c, n], seed: 8).storage
        var reference = [Float](repeating: 0, count: c * n)
        for hd in 0..<heads {
            for i in 0..<n {
                var s = [Double](repeating: 0, count: n)
                for j in 0..<n {
                    for e in 0..<d { s[j] += Double(qkv[(hd * d + e) * n + i]) * Double(qkv[(c + hd * d + e) * n + j]) }
                    s[j] /= Double(d).squareRoot()
                }
                let m = s.max()!
                let p = s.map { exp($0 - m) }
                let z = p.reduce(0, +)
                for e in 0..<d {
                    var o = 0.0
                    for j in 0..<n { o += p[j] / z * Double(qkv[(2 * c + hd * d + e) * n + j]) }
                    reference[(hd * d + e) * n + i] = Float(o)
                }
            }
        }
        var out = [Float](repeating: .nan, count: c * n)
        var scores = [Float](repeating: 0, count: 5 * n)
        qkv.withUnsafeBufferPointer { q in
            TensorOps.multiHeadAttention(qkv: q.baseAddress!, channels: c, heads: heads, tokens: n, output: &out,
                                         scores: &scores, chunk: 5)
        }
        #expect(maxAbsDifference(out, reference) <= 1e-5)
    }

    @Test("average pooling, nearest upsampling into a concatenation, and the sinusoidal embedding")
    func resampling() {
        let x: [Float] = (0..<24).map(Float.init)  // [1, 2, 4, 3]? use [2 planes, 2×6]
        var pooled = [Float](repeating: 0, count: 6)
        TensorOps.averagePool2x2(x, &pooled, planes: 2, height: 2, width: 6)
        #expect(pooled == [3.5, 5.5, 7.5, 15.5, 17.5, 19.5])
        let small: [Float] = [1, 2, 3, 4]  // batch 1, 1 channel, 2×2
        var up = [Float](repeating: -1, count: 2 * 16)
        TensorOps.upsampleNearest2x(small, &up, batch: 1, channels: 1, destinationChannels: 2, height: 2, width: 2)
        #expect(Array(up[0..<16]) == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        #expect(up[16..<32].allSatisfy { $0 == -1 })
        var e = [Float](repeating: 0, count: 8)
        TensorOps.sinusoidalEmbedding(0.7, count: 8, into: &e)
        for i in 0..<4 {
            let f = pow(10000.0, -Double(i) / 4)
            #expect(abs(Double(e[i]) - cos(0.7 * f)) < 1e-7 && abs(Double(e[4 + i]) - sin(0.7 * f)) < 1e-7)
        }
    }

    @Test("BLAS.matrixMultiply matches a naive product with transposes")
    func sgemm() {
        let (m, n, k) = (5, 7, 3)
        let a = randomArray([k, m], seed: 9).storage  // Aᵀ stored
        let b = randomArray([n, k], seed: 10).storage  // Bᵀ stored
        let c = BLAS.matrixMultiply(a, b, m: m, n: n, k: k, transposeA: true, transposeB: true)
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for t in 0..<k { s += a[t * m + i] * b[j * k + t] }
                #expect(abs(c[i * n + j] - s) < 1e-5)
            }
        }
    }
}
