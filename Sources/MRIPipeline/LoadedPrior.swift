import Crypto
import DAPS
import Foundation
import MRICore
import NeuralPrior

/// A prior file loaded for sampling: its identity (recorded in every output) and the
/// EDM-preconditioned denoiser, padded to the network's size multiple (`PaddedDenoiser`).
public struct LoadedPrior: Sendable {
    /// What the prior is, for outputs and reports.
    public struct Identity: Sendable, Codable, Equatable {
        /// The card's `name`, else the file name without extension.
        public var name: String
        /// What `--prior` (or the protocol) asked for: "knee", "brain" or a path.
        public var requested: String
        /// Resolved file path.
        public var path: String
        /// SHA-256 of the file (hex).
        public var sha256: String
        /// The model card as JSON (`{}` when absent).
        public var card: String
        /// The network configuration as canonical JSON.
        public var configuration: String

        public init(name: String, requested: String, path: String, sha256: String, card: String, configuration: String) {
            (self.name, self.requested, self.path, self.sha256, self.card, self.configuration) = (name, requested, path, sha256, card, configuration)
        }
    }

    public let identity: Identity
    /// D(x, σ) on `[B, 2, H, W]` for any H, W.
    public let denoiser: any Denoiser
    /// The underlying network.
    public let network: UNet

    /// Resolves `nameOrPath` (`PriorCatalog.resolve`) and loads it strictly.
    /// `compute` sets the network's lanes and convolution kernel.
    public init(_ nameOrPath: String, compute: ComputeSettings = .machine) throws {
        let url = try PriorCatalog.resolve(nameOrPath)
        try self.init(url: url, requested: nameOrPath, compute: compute)
    }

    /// Loads the prior file at `url`.
    public init(url: URL, requested: String, compute: ComputeSettings = .machine) throws {
        let net = try UNet(contentsOf: url, compute: compute)
        try self.init(network: net, identity: Identity(
            name: net.card?.name ?? url.deletingPathExtension().lastPathComponent, requested: requested, path: url.path,
            sha256: try Self.sha256Hex(of: url), card: net.card?.json ?? "{}", configuration: net.configuration.jsonString()))
    }

    /// Wraps an in-memory network (e.g. random weights for benchmarks).
    public init(network: UNet, identity: Identity) throws {
        self.network = network
        self.identity = identity
        denoiser = PaddedDenoiser(try UNetDenoiser(network: network), multiple: network.configuration.sizeMultiple)
    }

    /// SHA-256 of the file at `url` as lowercase hex (swift-crypto), recorded as the prior's identity.
    static func sha256Hex(of url: URL) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PipelineError.unusableInput(file: url.path, reason: "cannot be read to compute its SHA-256")
        }
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
