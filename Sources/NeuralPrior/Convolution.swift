import CKernels
import Foundation
import MRICore

/// A 2-D convolution with a 3×3 (padding 1) or 1×1 kernel, stride 1, bias — PyTorch `Conv2d`
/// semantics: y[o, i, j] = b[o] + Σ_c Σ_{u,v} w[o, c, u, v]·x[c, i+u−p, j+v−p] (zero padding p).
///
/// 3×3, on CPUs with AVX2 + FMA (`directKernelAvailable`): the direct kernel of `CKernels`
/// (`ck_conv3x3`: a zero-padded band of input rows, register tiles of 6 output channels × 16
/// pixels, weights broadcast from a packed layout) — no im2col matrix and no GEMM packing, which
/// were half the network's time at the 12–48-channel widths of the priors. Otherwise im2col of
/// a band of output rows into a reused column buffer (K = 9·Cin + 1 rows, the last all ones so
/// the bias is a weight column), then one sgemm Y_band = W·col per band.
/// 1×1: a single sgemm Y = W·X. Weights are packed once at construction.
public final class Convolution: @unchecked Sendable {
    /// Input channels Cin.
    public let inChannels: Int
    /// Output channels Cout.
    public let outChannels: Int
    /// Kernel size (1 or 3).
    public let kernelSize: Int
    /// Rows of the packed weight matrix' inner dimension: Cin·k² (+1 for the bias column when k = 3).
    let depth: Int
    let packed: UnsafeMutablePointer<Float>
    let bias: UnsafeMutablePointer<Float>
    /// Weights in the direct kernel's layout (3×3 with `usesDirectKernel` only).
    let directPacked: UnsafeMutablePointer<Float>?

    /// Whether this 3×3 convolution runs the direct kernel (AVX2 or AVX-512; else im2col + sgemm).
    public var usesDirectKernel: Bool { directPacked != nil }

    /// The CPU has AVX2 + FMA, so 3×3 convolutions can use the direct kernel (chosen unless the
    /// compute settings ask for `im2col`).
    public static let directKernelAvailable: Bool = ck_has_avx2_fma() != 0

    /// What runs the 3×3 convolutions under `compute`: "avx512" or "avx2" (the direct kernel's
    /// variant, same bits) or "im2col" (im2col + sgemm).
    public static func directKernelInstructionSet(_ compute: ComputeSettings) -> String {
        guard directKernelAvailable, compute.convolution != .im2col else { return "im2col" }
        return ck_has_avx512() != 0 ? "avx512" : "avx2"
    }

    /// Target size of one im2col band (floats).
    public let bandFloats: Int

    /// Builds from a PyTorch OIHW weight `[Cout, Cin, k, k]` and bias `[Cout]`; 3×3 im2col
    /// bands hold about `bandFloats` floats (at least one output row).
    /// `direct` selects the direct 3×3 kernel; it is ignored (false) for 1×1 kernels and on CPUs
    /// without AVX2 + FMA. A 3×3 convolution splits the image into `lanes` row bands processed
    /// concurrently; the split is fixed, so results do not depend on scheduling.
    public init(weight: FloatArray, bias b: FloatArray, bandFloats: Int = 1 << 20, direct: Bool = true,
                lanes: Int = ComputeSettings.machine.lanes) {
        self.bandFloats = bandFloats
        self.lanes = max(1, lanes)
        precondition(weight.shape.count == 4 && weight.shape[2] == weight.shape[3] && [1, 3].contains(weight.shape[2]))
        precondition(b.shape == [weight.shape[0]])
        outChannels = weight.shape[0]
        inChannels = weight.shape[1]
        kernelSize = weight.shape[2]
        let inner = inChannels * kernelSize * kernelSize
        depth = kernelSize == 3 ? inner + 1 : inner
        packed = .allocate(capacity: outChannels * depth)
        bias = .allocate(capacity: outChannels)
        for o in 0..<outChannels {
            for i in 0..<inner { packed[o * depth + i] = weight.storage[o * inner + i] }
            if kernelSize == 3 { packed[o * depth + inner] = b.storage[o] }
            bias[o] = b.storage[o]
        }
        if direct && kernelSize == 3 && ck_has_avx2_fma() != 0 {
            let co = Int32(weight.shape[0]), ci = Int32(weight.shape[1])
            let p = UnsafeMutablePointer<Float>.allocate(capacity: ck_conv3x3_packed_size(co, ci))
            weight.storage.withUnsafeBufferPointer { ck_conv3x3_pack($0.baseAddress!, co, ci, p) }
            directPacked = p
        } else {
            directPacked = nil
        }
    }

    deinit {
        packed.deallocate()
        bias.deallocate()
        directPacked?.deallocate()
    }

    /// Output rows per im2col band for an image of the given size.
    func bandRows(height: Int, width: Int) -> Int {
        max(1, min(height, bandFloats / max(1, depth * width)))
    }

    /// Scratch floats `apply` needs for a `height × width` input (0 for 1×1): one padded input
    /// band (direct kernel) or one im2col band per lane.
    public func columnScratch(height: Int, width: Int) -> Int {
        if kernelSize == 1 { return 0 }
        if usesDirectKernel { return lanes * directScratch(height: height, width: width) }
        return lanes * depth * width * bandRows(height: height, width: width)
    }

    /// Padded-band scratch floats of one `ck_conv3x3` call.
    func directScratch(height: Int, width: Int) -> Int {
        ck_conv3x3_scratch(Int32(inChannels), Int32(height), Int32(width))
    }

    /// Concurrent row bands of a 3×3 convolution.
    public let lanes: Int

    /// Multiply-adds ×2 per output pixel.
    public var flopsPerPixel: Double { 2 * Double(outChannels * inChannels * kernelSize * kernelSize) }

    /// y (+)= conv(x) for one batch item: x `[Cin, H, W]`, y `[Cout, H, W]` (y += when
    /// `accumulate`). `column` must hold `columnScratch(height:width:)` floats.
    /// `parallel: false` keeps the call on the calling thread (the caller already runs one
    /// batch item per core).
    /// `inputAffine` (direct kernel only, see `usesDirectKernel`): per-input-channel (scale,
    /// shift); the convolution then sees SiLU(scale·x + shift) — bit for bit what
    /// `TensorOps.channelAffine(silu: true)` would have written — without that pass over memory.
    public func apply(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, height: Int, width: Int, accumulate: Bool = false,
        inputAffine: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)? = nil,
        column: UnsafeMutablePointer<Float>, parallel: Bool = true
    ) {
        apply(x, y, height: height, width: width, accumulate: accumulate, inputAffine: inputAffine, column: column,
              parallel: parallel, alongside: nil)
    }

    /// Work that runs beside a convolution on its first lane (see `apply(…alongside:)`): `job`
    /// must not touch the convolution's output, and `flops` is its cost in multiply-adds ×2 of
    /// this convolution's kernel (it sets how many rows the first lane leaves to the others).
    struct SideJob {
        let flops: Double
        let job: () -> Void
    }

    /// `apply`, with `alongside` run on the first lane while the other lanes start on the rows:
    /// the direct kernel's rows are split so that the first lane's rows plus the side job cost
    /// about what every other lane's rows cost. Which rows a lane runs does not change any bit
    /// of the output, and the side job runs exactly as it would alone, so the results are those
    /// of running the two one after the other. Without the direct kernel or a second lane the
    /// side job runs first, then the convolution.
    func apply(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, height: Int, width: Int, accumulate: Bool = false,
        inputAffine: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)? = nil,
        column: UnsafeMutablePointer<Float>, parallel: Bool = true, alongside: SideJob?
    ) {
        precondition(inputAffine == nil || usesDirectKernel, "a fused input affine needs the direct 3×3 kernel")
        let hw = height * width
        if kernelSize == 1 {
            if !accumulate {
                for o in 0..<outChannels { (y + o * hw).update(repeating: bias[o], count: hw) }
            } else {
                for o in 0..<outChannels { let b = bias[o], p = y + o * hw; for i in 0..<hw { p[i] += b } }
            }
            BLAS.matrixMultiply(m: outChannels, n: hw, k: inChannels, a: packed, lda: depth, b: x, ldb: hw,
                                beta: 1, c: y, ldc: hw)
            return
        }
        if let wp = directPacked {
            // Direct kernel: row ranges concurrently (halves; see `laneRows` with a side job),
            // each lane with its own padded band.
            let lanes = parallel && height >= 16 ? min(self.lanes, height) : 1
            let rows = Self.laneRows(height: height, lanes: lanes,
                                     sideRows: alongside.map { $0.flops / (flopsPerPixel * Double(width)) } ?? 0)
            let scratch = directScratch(height: height, width: width)
            nonisolated(unsafe) let xs = x, ys = y, col0 = column, w = UnsafePointer(wp), b = UnsafePointer(bias)
            nonisolated(unsafe) let sc = inputAffine?.scale, sh = inputAffine?.shift
            nonisolated(unsafe) let side = alongside?.job
            let cin = Int32(inChannels), cout = Int32(outChannels), h = Int32(height), wd = Int32(width)
            let acc: Int32 = accumulate ? 1 : 0
            LaneTeam.perform(lanes) { lane in
                if lane == 0 { side?() }
                let r = rows[lane]
                if !r.isEmpty {
                    ck_conv3x3(xs, cin, h, wd, w, b, cout, ys, Int32(r.lowerBound), Int32(r.count), acc, sc, sh,
                               col0 + lane * scratch)
                }
            }
            return
        }
        alongside?.job()
        // 3×3: im2col one band of rows into a scratch, then one (single-threaded, see `UNet`)
        // sgemm per band. The image is split into two row halves processed concurrently, each
        // lane with its own band scratch: no synchronisation between the im2col and sgemm phases.
        let rows = bandRows(height: height, width: width)
        let bandScratch = depth * width * rows
        let lanes = parallel && height >= 16 ? min(self.lanes, height) : 1
        let per = (height + lanes - 1) / lanes
        nonisolated(unsafe) let xs = x, ys = y, col0 = column
        let beta: Float = accumulate ? 1 : 0
        LaneTeam.perform(lanes) { lane in
            let col = col0 + lane * bandScratch
            var y0 = lane * per
            let yEnd = min(height, y0 + per)
            while y0 < yEnd {
                let r = min(rows, yEnd - y0)
                let n = r * width
                Self.im2col(xs, channels: inChannels, height: height, width: width, firstRow: y0, rows: r, column: col,
                            parallel: parallel && lanes == 1)
                (col + (depth - 1) * n).update(repeating: 1, count: n)
                BLAS.matrixMultiply(m: outChannels, n: n, k: depth, a: packed, lda: depth, b: col, ldb: n,
                                    beta: beta, c: ys + y0 * width, ldc: hw)
                y0 += r
            }
        }
    }

    /// Row ranges of the direct kernel's lanes: equal parts (the first ones one row longer), or,
    /// when the first lane also runs a side job costing `sideRows` rows, that lane's part
    /// shortened so that its rows plus the job cost what each other lane's rows cost.
    static func laneRows(height: Int, lanes: Int, sideRows: Double) -> [Range<Int>] {
        guard lanes > 1 else { return [0..<height] }
        guard sideRows > 0 else {
            let per = (height + lanes - 1) / lanes
            return (0..<lanes).map { min(height, $0 * per)..<min(height, ($0 + 1) * per) }
        }
        let first = min(height, max(0, Int(((Double(height) - sideRows) / Double(lanes)).rounded())))
        let rest = height - first, others = lanes - 1
        let per = (rest + others - 1) / others
        return [0..<first] + (0..<others).map { min(height, first + $0 * per)..<min(height, first + ($0 + 1) * per) }
    }

    static func im2col(
        _ x: UnsafePointer<Float>, channels: Int, height: Int, width: Int, firstRow: Int, rows: Int,
        column: UnsafeMutablePointer<Float>, parallel: Bool = true
    ) {
        let n = rows * width
        TensorOps.forEach(channels, work: parallel ? 9 * channels * n : 0) { c in
            let plane = x + c * height * width
            for u in 0..<3 {
                for v in 0..<3 {
                    let dst = column + (c * 9 + u * 3 + v) * n
                    for i in 0..<rows {
                        let sy = firstRow + i + u - 1
                        let d = dst + i * width
                        if sy < 0 || sy >= height {
                            d.update(repeating: 0, count: width)
                            continue
                        }
                        let s = plane + sy * width
                        switch v {
                        case 0:
                            d[0] = 0
                            (d + 1).update(from: s, count: width - 1)
                        case 1:
                            d.update(from: s, count: width)
                        default:
                            d.update(from: s + 1, count: width - 1)
                            d[width - 1] = 0
                        }
                    }
                }
            }
        }
    }
}
