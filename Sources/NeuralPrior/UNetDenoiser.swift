import Foundation
import MRICore

/// The EDM-preconditioned denoiser around a `UNet` (Karras et al. 2022; docs/weight-format.md):
/// D(x, σ) = c_skip·x + c_out·F(c_in·x, c_noise) with c_skip = σd²/(σ²+σd²),
/// c_out = σ·σd/√(σ²+σd²), c_in = 1/√(σ²+σd²), c_noise = ln(σ)/4, σd = `sigma_data`.
///
/// Its `denoise(_:sigma:)` has the signature of the DAPS `Denoiser` protocol; NeuralPrior does
/// not import DAPS, so the conformance (`extension UNetDenoiser: Denoiser {}`) is declared by
/// the module that joins them (MRIPipeline). Any batch size; every item has its own σ.
public final class UNetDenoiser: @unchecked Sendable {
    /// The network F.
    public let network: UNet
    /// σ_data of the preconditioning.
    public var sigmaData: Float { network.configuration.sigmaData }
    /// Image channels (= the network's input channels, 2 for real/imaginary).
    public var channels: Int { network.configuration.inChannels }

    /// Wraps a network whose input and output channel counts agree.
    public init(network: UNet) throws {
        guard network.configuration.inChannels == network.configuration.outChannels else {
            throw NeuralPriorError.invalidConfiguration(
                key: "out_channels", problem: "must equal in_channels (\(network.configuration.inChannels)) for a denoiser")
        }
        self.network = network
    }

    /// Loads a prior file (`UNet(contentsOf:)`) and wraps it.
    public convenience init(contentsOf url: URL) throws {
        try self.init(network: try UNet(contentsOf: url))
    }

    /// The EDM coefficients (c_skip, c_out, c_in, c_noise) for σ, computed in Double.
    public static func preconditioning(sigma: Float, sigmaData: Float) -> (skip: Float, out: Float, input: Float, noise: Float) {
        let s = Double(sigma), d = Double(sigmaData)
        let r = s * s + d * d
        return (Float(d * d / r), Float(s * d / r.squareRoot()), Float(1 / r.squareRoot()), Float(Foundation.log(s) / 4))
    }

    /// D(x, σ_b) for x `[B, channels, H, W]` (H, W multiples of 2^(levels−1)), σ_b > 0 finite.
    public func denoise(_ x: FloatArray, sigma: [Float]) throws -> FloatArray {
        let (batch, h, w) = try network.checkInput(x.shape, perItem: sigma, name: "sigma")
        guard sigma.allSatisfy({ $0 > 0 }) else {
            throw NeuralPriorError.invalidInput(parameter: "sigma", problem: "noise levels must be positive")
        }
        let coefficients = sigma.map { Self.preconditioning(sigma: $0, sigmaData: sigmaData) }
        let n = channels * h * w
        var out = FloatArray(zeros: x.shape)
        // Batches of two or more run as `lanes` concurrent parts (the network's compute
        // settings), each on its own network replica:
        // across items the work is embarrassingly parallel, which beats splitting every small
        // GEMM and element-wise op of one item over the cores. Within a half the items run one
        // after the other through a batch-1 workspace, so a core's working set stays one item
        // (cache-resident activations; peak memory 197 instead of 337 MB at batch 4, 320×320).
        // The split depends only on the batch size, so results do not depend on scheduling, and
        // every item gets the same bits as when it is denoised alone.
        let lanes = max(1, min(batch, network.compute.lanes))
        let nets = try [network] + (1..<max(1, lanes)).map { try replica(lane: $0) }
        let per = (batch + lanes - 1) / lanes
        x.storage.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                nonisolated(unsafe) let xp = xs.baseAddress!, op = os.baseAddress!
                DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                    for item in (lane * per)..<min(batch, (lane + 1) * per) {
                        let c = coefficients[item]
                        let xb = xp + item * n, ob = op + item * n
                        nets[lane].evaluate(
                            batch: 1, height: h, width: w, noise: [c.noise], parallel: lanes == 1,
                            prepare: { input in
                                for i in 0..<n { input[i] = xb[i] * c.input }
                            },
                            finish: { f in
                                for i in 0..<n { ob[i] = c.skip * xb[i] + c.out * f[i] }
                            })
                    }
                }
            }
        }
        return out
    }

    private let laneLock = NSLock()
    private var replicas: [Int: UNet] = [:]

    /// The replica for lane ≥ 1, made on first use.
    private func replica(lane: Int) throws -> UNet {
        laneLock.lock()
        defer { laneLock.unlock() }
        if let l = replicas[lane] { return l }
        let l = try network.replica()
        replicas[lane] = l
        return l
    }
}
