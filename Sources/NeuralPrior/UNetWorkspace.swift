import Foundation

/// Every buffer one UNet forward pass at a fixed (batch, H, W) needs, allocated once and
/// reused, so a pass allocates nothing after warm-up.
final class UNetWorkspace: @unchecked Sendable {
    struct Level {
        let height: Int, width: Int
        let p: UnsafeMutablePointer<Float>
        let q: UnsafeMutablePointer<Float>
        let h: UnsafeMutablePointer<Float>
        let cat: UnsafeMutablePointer<Float>
        let catChannels: Int
    }
    let batch: Int, height: Int, width: Int
    /// Whether this pass may spread single operations over the cores (false when the caller
    /// runs one batch half per core); set per pass by `UNet.evaluate`.
    var parallel = true
    let levels: [Level]
    let input: UnsafeMutablePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let column: UnsafeMutablePointer<Float>
    let coefficients: UnsafeMutablePointer<Float>
    let embeddingInput: UnsafeMutablePointer<Float>
    let embeddingHidden: UnsafeMutablePointer<Float>
    let embedding: UnsafeMutablePointer<Float>
    let modulation: UnsafeMutablePointer<Float>
    let qkv: UnsafeMutablePointer<Float>
    let scores: UnsafeMutablePointer<Float>
    /// Total floats allocated.
    let floats: Int
    private let owned: [UnsafeMutablePointer<Float>]

    init(network: UNet, batch: Int, height: Int, width: Int) {
        let cfg = network.configuration
        self.batch = batch
        self.height = height
        self.width = width
        var owned: [UnsafeMutablePointer<Float>] = []
        var floats = 0
        func alloc(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, n))
            p.initialize(repeating: 0, count: max(1, n))
            owned.append(p)
            floats += n
            return p
        }
        let L = cfg.levels
        var levels: [Level] = []
        var maxChannels = 0
        var columnFloats = 0
        for l in 0..<L {
            let hl = height >> l, wl = width >> l, hw = hl * wl
            let cl = cfg.channels(level: l)
            let cprev = l > 0 ? cfg.channels(level: l - 1) : cl
            let catC = (l < L - 1 ? cfg.channels(level: l + 1) : cl) + cl
            let pC = max(cprev, cl), qC = max(pC, catC)
            maxChannels = max(maxChannels, qC)
            levels.append(Level(height: hl, width: wl, p: alloc(batch * pC * hw), q: alloc(batch * qC * hw),
                                h: alloc(batch * cl * hw), cat: alloc(batch * catC * hw), catChannels: catC))
            for conv in network.convolutions(level: l) {
                columnFloats = max(columnFloats, conv.columnScratch(height: hl, width: wl))
            }
        }
        let hw = height * width
        let cLast = cfg.channels(level: L - 1), nLast = (height >> (L - 1)) * (width >> (L - 1))
        input = alloc(batch * cfg.inChannels * hw)
        output = alloc(batch * cfg.outChannels * hw)
        column = alloc(columnFloats)
        coefficients = alloc(2 * batch * maxChannels + 2 * batch * cfg.groups)
        embeddingInput = alloc(batch * cfg.baseChannels)
        embeddingHidden = alloc(batch * cfg.embeddingChannels)
        embedding = alloc(batch * cfg.embeddingChannels)
        modulation = alloc(batch * network.modulationWidth)
        qkv = alloc(cfg.attention ? 3 * cLast * nLast : 0)
        scores = alloc(cfg.attention ? AttentionBlock.chunk * nLast : 0)
        self.levels = levels
        self.owned = owned
        self.floats = floats
    }

    /// Bytes held.
    var bytes: Int { floats * MemoryLayout<Float>.size }

    deinit { for p in owned { p.deallocate() } }
}
