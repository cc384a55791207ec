import Foundation
import MRICore

/// Owned copy of a parameter vector with a stable address.
final class ParameterBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    init(_ a: FloatArray) {
        count = a.count
        pointer = .allocate(capacity: max(1, count))
        a.storage.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }
    deinit { pointer.deallocate() }
}

/// GroupNorm affine parameters (γ, β).
struct GroupNormParameters {
    let gamma: ParameterBuffer
    let beta: ParameterBuffer
    let channels: Int
}

/// Linear layer y = W·x + b, W `[out, in]`.
final class LinearLayer: @unchecked Sendable {
    let weight: ParameterBuffer
    let bias: ParameterBuffer
    let inFeatures: Int
    let outFeatures: Int
    init(weight w: FloatArray, bias b: FloatArray) {
        weight = ParameterBuffer(w)
        bias = ParameterBuffer(b)
        outFeatures = w.shape[0]
        inFeatures = w.shape[1]
    }
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        for o in 0..<outFeatures {
            let row = weight.pointer + o * inFeatures
            var s: Float = 0
            for i in 0..<inFeatures { s += row[i] * x[i] }
            y[o] = s + bias.pointer[o]
        }
    }
}

extension Convolution {
    /// y (+)= conv(SiLU(GroupNorm(x)·(1 + scale) + shift)) for every item of x `[B, Cin, H, W]`
    /// (`modulation` as in `TensorOps.groupNormSiLU`, nil for none). With the direct kernel the
    /// activation is fused into the convolution's input (no pass over memory); otherwise it is
    /// written to `scratch` (≥ B·Cin·H·W floats; may be x itself when x is not needed afterwards).
    /// `alongside` (item index → side job) runs beside each item's convolution (see
    /// `apply(…alongside:)`), or after all of them without the direct kernel; it must not
    /// touch `y` or the input.
    func applyNormalized(
        _ x: UnsafeMutablePointer<Float>, norm: GroupNormParameters, modulation: UnsafePointer<Float>?, groups: Int,
        into y: UnsafeMutablePointer<Float>, accumulate: Bool = false, batch: Int, height: Int, width: Int,
        scratch: UnsafeMutablePointer<Float>, workspace ws: UNetWorkspace, alongside: ((Int) -> SideJob)? = nil
    ) {
        let hw = height * width, cin = inChannels, cout = outChannels
        if usesDirectKernel {
            let (scale, shift) = LayerTimes.measure("GroupNorm statistics") {
                TensorOps.groupNormCoefficients(
                    x, batch: batch, channels: cin, planeSize: hw, groups: groups, gamma: norm.gamma.pointer,
                    beta: norm.beta.pointer, modulation: modulation, coefficients: ws.coefficients, parallel: ws.parallel)
            }
            LayerTimes.measure("3×3 convolutions \(cin)→\(cout) at \(height)×\(width)"
                               + (alongside == nil ? "" : " (+ 1×1 skip beside)")) {
                for b in 0..<batch {
                    apply(x + b * cin * hw, y + b * cout * hw, height: height, width: width, accumulate: accumulate,
                          inputAffine: (scale + b * cin, shift + b * cin), column: ws.column, parallel: ws.parallel,
                          alongside: alongside?(b))
                }
            }
            return
        }
        TensorOps.groupNormSiLU(x, scratch, batch: batch, channels: cin, planeSize: hw, groups: groups,
                                gamma: norm.gamma.pointer, beta: norm.beta.pointer, modulation: modulation,
                                coefficients: ws.coefficients, parallel: ws.parallel)
        for b in 0..<batch {
            apply(scratch + b * cin * hw, y + b * cout * hw, height: height, width: width, accumulate: accumulate,
                  column: ws.column, parallel: ws.parallel)
        }
        // After the convolutions: the side jobs may write where the activation was (scratch).
        if let alongside { for b in 0..<batch { alongside(b).job() } }
    }
}

/// Weight lookup that records which keys were consumed (strict loading).
struct WeightSource {
    let tensors: [String: FloatArray]
    /// Lanes and kernel choice of the convolutions.
    let compute: ComputeSettings
    func get(_ key: String, _ shape: [Int]) throws -> FloatArray {
        guard let t = tensors[key] else { throw NeuralPriorError.missingTensor(key: key) }
        guard t.shape == shape else { throw NeuralPriorError.shapeMismatch(key: key, expected: shape, found: t.shape) }
        return t
    }
    func norm(_ p: String, _ c: Int) throws -> GroupNormParameters {
        GroupNormParameters(gamma: ParameterBuffer(try get(p + ".weight", [c])),
                            beta: ParameterBuffer(try get(p + ".bias", [c])), channels: c)
    }
    func conv(_ p: String, _ cin: Int, _ cout: Int, _ k: Int) throws -> Convolution {
        Convolution(weight: try get(p + ".weight", [cout, cin, k, k]), bias: try get(p + ".bias", [cout]),
                    direct: compute.convolution == .automatic, lanes: compute.lanes)
    }
    func linear(_ p: String, _ cin: Int, _ cout: Int) throws -> LinearLayer {
        LinearLayer(weight: try get(p + ".weight", [cout, cin]), bias: try get(p + ".bias", [cout]))
    }
}

/// ResBlock (docs/weight-format.md): h = conv1(SiLU(norm1 x)); h = norm2(h)(1 + scale) + shift;
/// out = skip(x) + conv2(SiLU(h)).
final class ResidualBlock: @unchecked Sendable {
    let inChannels: Int
    let outChannels: Int
    let norm1: GroupNormParameters
    let conv1: Convolution
    let embeddingProjection: LinearLayer
    let norm2: GroupNormParameters
    let conv2: Convolution
    let skip: Convolution?
    /// Offset of this block's [batch, 2·Cout] modulation in the workspace (per batch item: ×batch).
    var modulationOffset = 0

    static func parameterShapes(prefix p: String, cin: Int, cout: Int, embedding e: Int) -> [String: [Int]] {
        var s: [String: [Int]] = [
            p + ".norm1.weight": [cin], p + ".norm1.bias": [cin],
            p + ".conv1.weight": [cout, cin, 3, 3], p + ".conv1.bias": [cout],
            p + ".emb_proj.weight": [2 * cout, e], p + ".emb_proj.bias": [2 * cout],
            p + ".norm2.weight": [cout], p + ".norm2.bias": [cout],
            p + ".conv2.weight": [cout, cout, 3, 3], p + ".conv2.bias": [cout],
        ]
        if cin != cout {
            s[p + ".skip.weight"] = [cout, cin, 1, 1]
            s[p + ".skip.bias"] = [cout]
        }
        return s
    }

    init(prefix p: String, cin: Int, cout: Int, embedding e: Int, weights w: WeightSource) throws {
        inChannels = cin
        outChannels = cout
        norm1 = try w.norm(p + ".norm1", cin)
        conv1 = try w.conv(p + ".conv1", cin, cout, 3)
        embeddingProjection = try w.linear(p + ".emb_proj", e, 2 * cout)
        norm2 = try w.norm(p + ".norm2", cout)
        conv2 = try w.conv(p + ".conv2", cout, cout, 3)
        skip = cin != cout ? try w.conv(p + ".skip", cin, cout, 1) : nil
    }

    /// Runs the block on x `[B, Cin, H, W]`; `other` (≠ x, ≥ max(Cin, Cout) channels) and `h`
    /// (≥ Cout channels) are scratch. Returns the buffer holding the output: x itself (identity
    /// skip, updated in place) or `other`.
    func forward(
        _ x: UnsafeMutablePointer<Float>, other: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>,
        batch: Int, height: Int, width: Int, groups: Int, workspace ws: UNetWorkspace
    ) -> UnsafeMutablePointer<Float> {
        let hw = height * width
        var target = x
        var alongside: ((Int) -> Convolution.SideJob)?
        if let skip {
            // skip(x) → other beside conv1 (both read x; conv1 writes h): one 1×1 sgemm on the
            // first lane while the other lanes start conv1's rows. Same bits as running them in
            // turn. Without the direct kernel conv1 uses `other` as its scratch, so the skip runs
            // after it, as before.
            let cin = inChannels, cout = outChannels
            nonisolated(unsafe) let xs = x, os = other, column = ws.column
            let flops = Self.skipCost(cin: cin, cout: cout, pixels: hw)
            alongside = { b in
                Convolution.SideJob(flops: flops) {
                    skip.apply(xs + b * cin * hw, os + b * cout * hw, height: height, width: width, column: column)
                }
            }
            target = other
        }
        conv1.applyNormalized(x, norm: norm1, modulation: nil, groups: groups, into: h, batch: batch, height: height,
                              width: width, scratch: other, workspace: ws, alongside: alongside)
        // h is dead after conv2, so it is its own scratch.
        conv2.applyNormalized(h, norm: norm2, modulation: ws.modulation + modulationOffset * batch, groups: groups,
                              into: target, accumulate: true, batch: batch, height: height, width: width, scratch: h,
                              workspace: ws)
        return target
    }

    /// The 1×1 skip's time on one lane in FLOPs of the direct 3×3 kernel, for splitting
    /// conv1's rows around it: its multiply-adds plus 21 per value it reads or writes (the bias
    /// pass and sgemm's packing make the small-K sgemms memory-bound; single-thread measurements
    /// on the network's skip shapes ran from 17 to 57 GFLOP/s against the 3×3 kernel's 60).
    /// It only balances the lanes: the results do not depend on it.
    static func skipCost(cin: Int, cout: Int, pixels: Int) -> Double {
        2 * Double(cin * cout * pixels) + 21 * Double((cin + cout) * pixels)
    }

    func flops(pixels: Double) -> Double {
        var f = (conv1.flopsPerPixel + conv2.flopsPerPixel) * pixels
        if let skip { f += skip.flopsPerPixel * pixels }
        return f
    }
}

/// Self-attention block: out = x + proj(attention(qkv(norm x))), softmax(qᵀk/√d) per head.
final class AttentionBlock: @unchecked Sendable {
    let channels: Int
    let heads: Int
    let norm: GroupNormParameters
    let qkv: Convolution
    let projection: Convolution
    /// Query rows per score chunk.
    static let chunk = 256

    static func parameterShapes(prefix p: String, channels c: Int) -> [String: [Int]] {
        [p + ".norm.weight": [c], p + ".norm.bias": [c], p + ".qkv.weight": [3 * c, c, 1, 1], p + ".qkv.bias": [3 * c],
         p + ".proj.weight": [c, c, 1, 1], p + ".proj.bias": [c]]
    }

    init(prefix p: String, channels c: Int, heads: Int, weights w: WeightSource) throws {
        channels = c
        self.heads = heads
        norm = try w.norm(p + ".norm", c)
        qkv = try w.conv(p + ".qkv", c, 3 * c, 1)
        projection = try w.conv(p + ".proj", c, c, 1)
    }

    /// x ← x + attention(x) in place; `other` ≥ C channels, `h` ≥ C·N floats, plus the
    /// workspace's qkv and score buffers.
    func forward(
        _ x: UnsafeMutablePointer<Float>, other: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>,
        batch: Int, height: Int, width: Int, groups: Int, workspace ws: UNetWorkspace
    ) {
        let n = height * width, c = channels
        TensorOps.groupNormSiLU(x, other, batch: batch, channels: c, planeSize: n, groups: groups,
                                gamma: norm.gamma.pointer, beta: norm.beta.pointer, modulation: nil, silu: false,
                                coefficients: ws.coefficients, parallel: ws.parallel)
        for b in 0..<batch {
            qkv.apply(other + b * c * n, ws.qkv, height: height, width: width, column: ws.column, parallel: ws.parallel)
            TensorOps.multiHeadAttention(qkv: ws.qkv, channels: c, heads: heads, tokens: n, output: h,
                                         scores: ws.scores, chunk: Self.chunk)
            projection.apply(h, x + b * c * n, height: height, width: width, accumulate: true, column: ws.column, parallel: ws.parallel)
        }
    }

    func flops(pixels n: Double) -> Double {
        (qkv.flopsPerPixel + projection.flopsPerPixel) * n + 4 * n * n * Double(channels)
    }
}
