import Foundation
import MRICore

/// The prior network F(x, c_noise) of docs/weight-format.md: an ADM/EDM-style UNet with
/// GroupNorm–SiLU–conv ResBlocks modulated by a sinusoidal noise embedding (scale/shift),
/// 2×2 average pooling, nearest upsampling, skip concatenation and an optional
/// self-attention block in the middle. Input and output are NCHW Float32.
///
/// Weights are loaded strictly: every tensor the configuration needs must be present with its
/// exact shape and no other tensor may be present. Buffers for a forward pass are allocated
/// once per (batch, H, W) and reused; concurrent callers are serialised.
public final class UNet: @unchecked Sendable {
    /// The architecture.
    public let configuration: UNetConfiguration
    /// The model card, when loaded from a file.
    public let card: ModelCard?

    let embeddingLinear1: LinearLayer
    let embeddingLinear2: LinearLayer
    let convIn: Convolution
    let down: [[ResidualBlock]]
    let middle1: ResidualBlock
    let middleAttention: AttentionBlock?
    let middle2: ResidualBlock
    let up: [[ResidualBlock]]
    let normOut: GroupNormParameters
    let convOut: Convolution
    /// Σ over blocks of 2·Cout (modulation floats per batch item).
    let modulationWidth: Int

    private let lock = NSLock()
    private var workspaces: [[Int]: UNetWorkspace] = [:]
    private var workspaceOrder: [[Int]] = []
    /// Workspaces kept (least recently created evicted first).
    public static let maximumCachedWorkspaces = 2

    /// Name → shape of every tensor a network of this configuration has (the strict key set).
    public static func parameterShapes(for cfg: UNetConfiguration) -> [String: [Int]] {
        let b = cfg.baseChannels, e = cfg.embeddingChannels, L = cfg.levels
        var s: [String: [Int]] = [
            "emb.linear1.weight": [e, b], "emb.linear1.bias": [e],
            "emb.linear2.weight": [e, e], "emb.linear2.bias": [e],
            "conv_in.weight": [cfg.channels(level: 0), cfg.inChannels, 3, 3], "conv_in.bias": [cfg.channels(level: 0)],
            "norm_out.weight": [cfg.channels(level: 0)], "norm_out.bias": [cfg.channels(level: 0)],
            "conv_out.weight": [cfg.outChannels, cfg.channels(level: 0), 3, 3], "conv_out.bias": [cfg.outChannels],
        ]
        for (prefix, cin, cout) in blockList(cfg) {
            s.merge(ResidualBlock.parameterShapes(prefix: prefix, cin: cin, cout: cout, embedding: e)) { a, _ in a }
        }
        if cfg.attention {
            s.merge(AttentionBlock.parameterShapes(prefix: "mid.attn", channels: cfg.channels(level: L - 1))) { a, _ in a }
        }
        return s
    }

    /// (prefix, cin, cout) of every ResBlock in execution order.
    static func blockList(_ cfg: UNetConfiguration) -> [(String, Int, Int)] {
        let L = cfg.levels
        var r: [(String, Int, Int)] = []
        for l in 0..<L {
            for b in 0..<cfg.blocksPerLevel {
                let cin = b == 0 ? (l == 0 ? cfg.channels(level: 0) : cfg.channels(level: l - 1)) : cfg.channels(level: l)
                r.append(("down.\(l).blocks.\(b)", cin, cfg.channels(level: l)))
            }
        }
        let cm = cfg.channels(level: L - 1)
        r.append(("mid.block1", cm, cm))
        r.append(("mid.block2", cm, cm))
        for l in stride(from: L - 1, through: 0, by: -1) {
            for b in 0..<cfg.blocksPerLevel {
                let hC = l < L - 1 ? cfg.channels(level: l + 1) : cm
                let cin = b == 0 ? hC + cfg.channels(level: l) : cfg.channels(level: l)
                r.append(("up.\(l).blocks.\(b)", cin, cfg.channels(level: l)))
            }
        }
        return r
    }

    /// The named tensors the network was built from (shared copy-on-write storage; kept so a
    /// replica with its own workspaces can be made).
    let weights: [String: FloatArray]

    /// An independent network with the same weights and its own workspaces, so two batch
    /// halves can run concurrently.
    public func replica() throws -> UNet {
        try UNet(configuration: configuration, weights: weights, card: card, compute: compute)
    }

    /// Lanes of the convolutions and of the denoiser's batch split, and the convolution kernel.
    /// Every sgemm of the network is meant to run single-threaded (`blasThreads` 1, applied by
    /// the command line): the network parallelises by itself, and a multi-threaded OpenBLAS
    /// splits its sums differently with the thread count.
    public let compute: ComputeSettings

    /// Builds the network from named tensors (strict: missing, unused or mis-shaped tensors throw).
    public init(configuration cfg: UNetConfiguration, weights: [String: FloatArray], card: ModelCard? = nil,
                compute: ComputeSettings = .machine) throws {
        try cfg.validate()
        let shapes = Self.parameterShapes(for: cfg)
        for key in shapes.keys.sorted() {
            guard let t = weights[key] else { throw NeuralPriorError.missingTensor(key: key) }
            guard t.shape == shapes[key]! else {
                throw NeuralPriorError.shapeMismatch(key: key, expected: shapes[key]!, found: t.shape)
            }
        }
        if let extra = weights.keys.sorted().first(where: { shapes[$0] == nil }) {
            throw NeuralPriorError.unusedTensor(key: extra)
        }
        self.compute = compute
        let w = WeightSource(tensors: weights, compute: compute)
        configuration = cfg
        self.card = card
        self.weights = weights
        let b = cfg.baseChannels, e = cfg.embeddingChannels, L = cfg.levels
        embeddingLinear1 = try w.linear("emb.linear1", b, e)
        embeddingLinear2 = try w.linear("emb.linear2", e, e)
        convIn = try w.conv("conv_in", cfg.inChannels, cfg.channels(level: 0), 3)
        var blocks: [ResidualBlock] = []
        var offset = 0
        for (prefix, cin, cout) in Self.blockList(cfg) {
            let blk = try ResidualBlock(prefix: prefix, cin: cin, cout: cout, embedding: e, weights: w)
            blk.modulationOffset = offset
            offset += 2 * cout
            blocks.append(blk)
        }
        modulationWidth = offset
        let n = cfg.blocksPerLevel
        down = (0..<L).map { l in Array(blocks[(l * n)..<((l + 1) * n)]) }
        middle1 = blocks[L * n]
        middle2 = blocks[L * n + 1]
        // Decoder blocks are stored in execution order (level L−1 first); index by level.
        var ups = [[ResidualBlock]](repeating: [], count: L)
        for (i, l) in stride(from: L - 1, through: 0, by: -1).enumerated() {
            let s = L * n + 2 + i * n
            ups[l] = Array(blocks[s..<(s + n)])
        }
        up = ups
        middleAttention = cfg.attention
            ? try AttentionBlock(prefix: "mid.attn", channels: cfg.channels(level: L - 1), heads: cfg.attentionHeads,
                                 weights: w) : nil
        normOut = try w.norm("norm_out", cfg.channels(level: 0))
        convOut = try w.conv("conv_out", cfg.channels(level: 0), cfg.outChannels, 3)
    }

    /// Loads a prior file: checks `__metadata__` (`format` = "mri-daps-edm-unet",
    /// `format_version` = "1", `config`, `card`), then loads strictly (F16 converted to F32).
    public convenience init(contentsOf url: URL, compute: ComputeSettings = .machine) throws {
        try self.init(file: try SafetensorsFile(contentsOf: url), compute: compute)
    }

    /// Loads from an opened safetensors file (see `init(contentsOf:)`).
    public convenience init(file: SafetensorsFile, compute: ComputeSettings = .machine) throws {
        func meta(_ k: String) throws -> String {
            guard let v = file.metadata[k] else {
                throw NeuralPriorError.malformedFile(file: file.name, problem: "__metadata__ has no '\(k)'")
            }
            return v
        }
        guard try meta("format") == "mri-daps-edm-unet" else {
            throw NeuralPriorError.malformedFile(file: file.name, problem: "format is '\(try meta("format"))', expected 'mri-daps-edm-unet'")
        }
        guard try meta("format_version") == "1" else {
            throw NeuralPriorError.malformedFile(file: file.name, problem: "format_version '\(try meta("format_version"))' is not supported (expected '1')")
        }
        let cfg = try UNetConfiguration.decode(json: try meta("config"))
        let card = try ModelCard(json: try meta("card"))
        try self.init(configuration: cfg, weights: try file.allTensors(), card: card, compute: compute)
    }

    /// A network with random weights (N(0, 1/fan_in) weights, small random biases, GroupNorm
    /// γ ≈ 1), for benchmarks and tests; deterministic in `seed`.
    public static func random(configuration cfg: UNetConfiguration, seed: UInt64 = 0,
                              compute: ComputeSettings = .machine) throws -> UNet {
        var rng = SeededRNG(seed: seed)
        var weights: [String: FloatArray] = [:]
        for (key, shape) in parameterShapes(for: cfg).sorted(by: { $0.key < $1.key }) {
            let count = shape.reduce(1, *)
            let fanIn = shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1
            var v = [Float](repeating: 0, count: count)
            let isNorm = key.contains("norm")
            for i in 0..<count {
                let g = Float(rng.gaussian())
                if isNorm && key.hasSuffix(".weight") { v[i] = 1 + 0.1 * g }
                else if shape.count == 1 { v[i] = 0.05 * g }
                else { v[i] = g / Float(fanIn).squareRoot() }
            }
            weights[key] = FloatArray(shape: shape, storage: v)
        }
        return try UNet(configuration: cfg, weights: weights, compute: compute)
    }

    /// The 3×3/1×1 convolutions that run at level l (for sizing scratch).
    func convolutions(level l: Int) -> [Convolution] {
        var c: [Convolution] = []
        let blocks = down[l] + up[l] + (l == configuration.levels - 1 ? [middle1, middle2] : [])
        for b in blocks { c += [b.conv1, b.conv2] + (b.skip.map { [$0] } ?? []) }
        if l == 0 { c += [convIn, convOut] }
        if l == configuration.levels - 1, let a = middleAttention { c += [a.qkv, a.projection] }
        return c
    }

    /// Floating-point operations (multiply-add = 2) of one forward pass for one batch item at
    /// H×W: convolutions and attention products (normalisation and elementwise work excluded).
    public func flops(height: Int, width: Int) -> Double {
        let L = configuration.levels
        var f = 0.0
        for l in 0..<L {
            let px = Double((height >> l) * (width >> l))
            for b in down[l] + up[l] { f += b.flops(pixels: px) }
            if l == L - 1 {
                f += middle1.flops(pixels: px) + middle2.flops(pixels: px)
                if let a = middleAttention { f += a.flops(pixels: px) }
            }
            if l == 0 { f += (convIn.flopsPerPixel + convOut.flopsPerPixel) * px }
        }
        return f
    }

    /// Bytes held by cached workspaces.
    public var workspaceBytes: Int {
        lock.lock()
        defer { lock.unlock() }
        return workspaces.values.reduce(0) { $0 + $1.bytes }
    }

    /// Frees the cached workspaces.
    public func releaseWorkspaces() {
        lock.lock()
        workspaces = [:]
        workspaceOrder = []
        lock.unlock()
    }

    /// Checks x's shape `[B, inChannels, H, W]` (H, W multiples of 2^(L−1)) and one finite
    /// value per item in `perItem`.
    func checkInput(_ shape: [Int], perItem: [Float], name: String) throws -> (Int, Int, Int) {
        let cfg = configuration
        guard shape.count == 4, shape[0] > 0, shape[1] == cfg.inChannels, shape[2] > 0, shape[3] > 0 else {
            throw NeuralPriorError.invalidInput(parameter: "x", problem: "shape \(shape) is not [batch, \(cfg.inChannels), H, W]")
        }
        let m = cfg.sizeMultiple
        guard shape[2] % m == 0, shape[3] % m == 0 else {
            throw NeuralPriorError.invalidInput(parameter: "x", problem: "H×W \(shape[2])×\(shape[3]) must be multiples of \(m)")
        }
        guard perItem.count == shape[0] else {
            throw NeuralPriorError.invalidInput(parameter: name, problem: "\(perItem.count) values for batch \(shape[0])")
        }
        guard perItem.allSatisfy({ $0.isFinite }) else {
            throw NeuralPriorError.invalidInput(parameter: name, problem: "values must be finite")
        }
        return (shape[0], shape[2], shape[3])
    }

    /// F(x, c_noise): the raw network output `[B, outChannels, H, W]` for x `[B, inChannels, H, W]`
    /// and one c_noise per item.
    public func forward(_ x: FloatArray, noiseConditioning: [Float]) throws -> FloatArray {
        let (batch, h, w) = try checkInput(x.shape, perItem: noiseConditioning, name: "noiseConditioning")
        var out = FloatArray(zeros: [batch, configuration.outChannels, h, w])
        x.storage.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                evaluate(batch: batch, height: h, width: w, noise: noiseConditioning,
                         prepare: { $0.update(from: xs.baseAddress!, count: xs.count) },
                         finish: { os.baseAddress!.update(from: $0, count: os.count) })
            }
        }
        return out
    }

    /// Runs one pass: `prepare` fills the workspace input [B, Cin, H, W], `finish` reads the
    /// output [B, Cout, H, W]. Serialised by the lock.
    /// `parallel: false` runs the pass on the calling thread only (for callers that run one
    /// batch half per core; results are the same either way).
    func evaluate(
        batch: Int, height: Int, width: Int, noise: [Float], parallel: Bool = true,
        prepare: (UnsafeMutablePointer<Float>) -> Void, finish: (UnsafePointer<Float>) -> Void
    ) {
        lock.lock()
        defer { lock.unlock() }
        let key = [batch, height, width]
        let ws: UNetWorkspace
        if let cached = workspaces[key] {
            ws = cached
        } else {
            if workspaceOrder.count >= Self.maximumCachedWorkspaces {
                workspaces[workspaceOrder.removeFirst()] = nil
            }
            ws = UNetWorkspace(network: self, batch: batch, height: height, width: width)
            workspaces[key] = ws
            workspaceOrder.append(key)
        }
        ws.parallel = parallel
        prepare(ws.input)
        if parallel && compute.lanes == 2 {
            LaneTeam.withTeam { run(ws, noise: noise) }
        } else {
            run(ws, noise: noise)
        }
        finish(ws.output)
    }

    /// Where level l's encoder output can be written directly instead of being copied there
    /// afterwards: the skip channels at the end of the level's concatenation buffer, which are
    /// contiguous at batch 1. Not at the last level (the middle blocks update their input in
    /// place), and not where the level's last projecting block has more input than output
    /// channels (without the direct kernel its `other` also holds its activated input).
    /// `lastProjecting`: the index of the level's last block with a 1×1 skip, if any.
    private func skipSlot(_ ws: UNetWorkspace, level l: Int, lastProjecting: Int?) -> UnsafeMutablePointer<Float>? {
        let cl = configuration.channels(level: l)
        guard ws.batch == 1, l < configuration.levels - 1 else { return nil }
        if let k = lastProjecting, down[l][k].inChannels > cl { return nil }
        let lv = ws.levels[l]
        return lv.cat + (lv.catChannels - cl) * lv.height * lv.width
    }

    private func run(_ ws: UNetWorkspace, noise: [Float]) {
        let cfg = configuration
        let B = ws.batch, L = cfg.levels, G = cfg.groups
        let e = cfg.embeddingChannels, base = cfg.baseChannels
        // 1. Noise embedding and every block's modulation.
        for b in 0..<B {
            TensorOps.sinusoidalEmbedding(noise[b], count: base, into: ws.embeddingInput + b * base)
            embeddingLinear1.apply(ws.embeddingInput + b * base, ws.embeddingHidden + b * e)
            for i in 0..<e { ws.embeddingHidden[b * e + i] = TensorOps.silu(ws.embeddingHidden[b * e + i]) }
            embeddingLinear2.apply(ws.embeddingHidden + b * e, ws.embedding + b * e)
            for i in 0..<e { ws.embedding[b * e + i] = TensorOps.silu(ws.embedding[b * e + i]) }
        }
        for blk in down.joined() + [middle1, middle2] + up.joined() {
            let w2 = 2 * blk.outChannels
            for b in 0..<B {
                blk.embeddingProjection.apply(ws.embedding + b * e, ws.modulation + blk.modulationOffset * B + b * w2)
            }
        }
        // 2. conv_in into level 0's input.
        let l0 = ws.levels[0]
        let hw0 = l0.height * l0.width
        let c0 = cfg.channels(level: 0)
        let lastProjecting = (0..<L).map { l in down[l].lastIndex { $0.skip != nil } }
        let slots = (0..<L).map { skipSlot(ws, level: $0, lastProjecting: lastProjecting[$0]) }
        // Level l's input: its p, or its skip slot where no block of the level projects (the
        // identity blocks then update it there in place).
        func levelInput(_ l: Int) -> UnsafeMutablePointer<Float> {
            lastProjecting[l] == nil ? slots[l] ?? ws.levels[l].p : ws.levels[l].p
        }
        LayerTimes.measure("3×3 convolutions \(cfg.inChannels)→\(c0) at \(l0.height)×\(l0.width)") {
            let y = levelInput(0)
            for b in 0..<B {
                convIn.apply(ws.input + b * cfg.inChannels * hw0, y + b * c0 * hw0, height: l0.height, width: l0.width,
                             column: ws.column, parallel: ws.parallel)
            }
        }
        // 3. Encoder. The last projecting block of a level writes into the level's skip slot.
        var cur = levelInput(0)
        for l in 0..<L {
            let lv = ws.levels[l]
            let hw = lv.height * lv.width, cl = cfg.channels(level: l)
            for (i, blk) in down[l].enumerated() {
                let other = (i == lastProjecting[l] ? slots[l] : nil) ?? (cur == lv.p ? lv.q : lv.p)
                cur = blk.forward(cur, other: other, h: lv.h, batch: B, height: lv.height,
                                  width: lv.width, groups: G, workspace: ws)
            }
            LayerTimes.measure("skip copies, pooling, upsampling") {
                if cur != slots[l] {
                    TensorOps.copyChannels(cur, lv.cat, batch: B, channels: cl, planeSize: hw,
                                           destinationChannels: lv.catChannels, offset: lv.catChannels - cl,
                                           parallel: ws.parallel)
                }
                if l < L - 1 {
                    TensorOps.averagePool2x2(cur, levelInput(l + 1), planes: B * cl, height: lv.height, width: lv.width,
                                             parallel: ws.parallel)
                }
            }
            if l < L - 1 { cur = levelInput(l + 1) }
        }
        // 4. Middle.
        let lm = ws.levels[L - 1]
        cur = middle1.forward(cur, other: cur == lm.p ? lm.q : lm.p, h: lm.h, batch: B, height: lm.height,
                              width: lm.width, groups: G, workspace: ws)
        if let attn = middleAttention {
            LayerTimes.measure("attention") {
                attn.forward(cur, other: cur == lm.p ? lm.q : lm.p, h: lm.h, batch: B, height: lm.height,
                             width: lm.width, groups: G, workspace: ws)
            }
        }
        cur = middle2.forward(cur, other: cur == lm.p ? lm.q : lm.p, h: lm.h, batch: B, height: lm.height,
                              width: lm.width, groups: G, workspace: ws)
        // 5. Decoder.
        for l in stride(from: L - 1, through: 0, by: -1) {
            let lv = ws.levels[l]
            let hw = lv.height * lv.width
            let hC = lv.catChannels - cfg.channels(level: l)
            LayerTimes.measure("skip copies, pooling, upsampling") {
                if l < L - 1 {
                    let src = ws.levels[l + 1]
                    TensorOps.upsampleNearest2x(cur, lv.cat, batch: B, channels: hC, destinationChannels: lv.catChannels,
                                                height: src.height, width: src.width, parallel: ws.parallel)
                } else {
                    TensorOps.copyChannels(cur, lv.cat, batch: B, channels: hC, planeSize: hw,
                                           destinationChannels: lv.catChannels, offset: 0, parallel: ws.parallel)
                }
            }
            cur = lv.cat
            for blk in up[l] {
                cur = blk.forward(cur, other: cur == lv.q ? lv.p : lv.q, h: lv.h, batch: B, height: lv.height,
                                  width: lv.width, groups: G, workspace: ws)
            }
        }
        // 6. norm_out, SiLU, conv_out.
        convOut.applyNormalized(cur, norm: normOut, modulation: nil, groups: G, into: ws.output, batch: B,
                                height: l0.height, width: l0.width, scratch: cur == l0.p ? l0.q : l0.p, workspace: ws)
    }
}
