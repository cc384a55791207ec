import Foundation

/// Hyper-parameters of the EDM-preconditioned UNet prior (docs/weight-format.md, `config`).
///
/// JSON keys are snake_case exactly as in the contract; unknown keys are rejected. Channel
/// counts: C_l = baseChannels·channelMultipliers[l]; `groups` must divide every C_l (and the
/// decoder's concatenated widths); with attention, `attentionHeads` must divide C_{L−1}.
public struct UNetConfiguration: Codable, Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var baseChannels: Int
    public var channelMultipliers: [Int]
    public var blocksPerLevel: Int
    public var attention: Bool
    public var attentionHeads: Int
    public var groups: Int
    public var embeddingChannels: Int
    public var sigmaData: Float

    enum CodingKeys: String, CodingKey, CaseIterable {
        case inChannels = "in_channels"
        case outChannels = "out_channels"
        case baseChannels = "base_channels"
        case channelMultipliers = "channel_multipliers"
        case blocksPerLevel = "blocks_per_level"
        case attention
        case attentionHeads = "attention_heads"
        case groups
        case embeddingChannels = "embedding_channels"
        case sigmaData = "sigma_data"
    }

    /// A configuration; call `validate()` (done by the decoder and by `UNet`).
    public init(
        inChannels: Int = 2, outChannels: Int = 2, baseChannels: Int = 32, channelMultipliers: [Int] = [1, 2, 2],
        blocksPerLevel: Int = 1, attention: Bool = false, attentionHeads: Int = 1, groups: Int = 8,
        embeddingChannels: Int = 128, sigmaData: Float = 0.5
    ) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.baseChannels = baseChannels
        self.channelMultipliers = channelMultipliers
        self.blocksPerLevel = blocksPerLevel
        self.attention = attention
        self.attentionHeads = attentionHeads
        self.groups = groups
        self.embeddingChannels = embeddingChannels
        self.sigmaData = sigmaData
    }

    public init(from decoder: Decoder) throws {
        let any = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        for k in any.allKeys where !known.contains(k.stringValue) {
            throw NeuralPriorError.invalidConfiguration(key: k.stringValue, problem: "unknown key")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func req<T: Decodable>(_ t: T.Type, _ k: CodingKeys) throws -> T {
            guard c.contains(k) else { throw NeuralPriorError.invalidConfiguration(key: k.rawValue, problem: "missing") }
            do { return try c.decode(T.self, forKey: k) } catch {
                throw NeuralPriorError.invalidConfiguration(key: k.rawValue, problem: "wrong type (expected \(T.self))")
            }
        }
        inChannels = try req(Int.self, .inChannels)
        outChannels = try req(Int.self, .outChannels)
        baseChannels = try req(Int.self, .baseChannels)
        channelMultipliers = try req([Int].self, .channelMultipliers)
        blocksPerLevel = try req(Int.self, .blocksPerLevel)
        attention = try req(Bool.self, .attention)
        attentionHeads = try req(Int.self, .attentionHeads)
        groups = try req(Int.self, .groups)
        embeddingChannels = try req(Int.self, .embeddingChannels)
        sigmaData = try req(Float.self, .sigmaData)
        try validate()
    }

    /// Parses the JSON text of `__metadata__.config`.
    public static func decode(json: String) throws -> UNetConfiguration {
        guard let data = json.data(using: .utf8) else {
            throw NeuralPriorError.invalidConfiguration(key: "config", problem: "not UTF-8")
        }
        do { return try JSONDecoder().decode(UNetConfiguration.self, from: data) } catch let e as NeuralPriorError {
            throw e
        } catch {
            throw NeuralPriorError.invalidConfiguration(key: "config", problem: "not a JSON object")
        }
    }

    /// The JSON text of this configuration (snake_case keys).
    public func jsonString() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try! e.encode(self), as: UTF8.self)
    }

    /// Number of resolution levels L.
    public var levels: Int { channelMultipliers.count }
    /// C_l = baseChannels·channelMultipliers[l].
    public func channels(level l: Int) -> Int { baseChannels * channelMultipliers[l] }
    /// Images must have H and W divisible by this (2^(L−1)).
    public var sizeMultiple: Int { 1 << max(0, levels - 1) }

    /// Largest accepted values: image channels, base channels, each channel multiplier,
    /// blocks per level, embedding channels.
    public static let limits = (imageChannels: 64, baseChannels: 4096, multiplier: 64, blocksPerLevel: 64, embeddingChannels: 65536)

    /// Throws `invalidConfiguration` naming the first inconsistent field.
    public func validate() throws {
        func bad(_ k: CodingKeys, _ p: String) -> NeuralPriorError { .invalidConfiguration(key: k.rawValue, problem: p) }
        // Upper bounds (far above any trained prior) keep channel products from overflowing and
        // the parameter list finite before any weight is compared (a file's config is untrusted).
        let L = Self.limits
        guard (1...L.imageChannels).contains(inChannels) else { throw bad(.inChannels, "must be 1…\(L.imageChannels)") }
        guard (1...L.imageChannels).contains(outChannels) else { throw bad(.outChannels, "must be 1…\(L.imageChannels)") }
        guard baseChannels > 0, baseChannels % 2 == 0, baseChannels <= L.baseChannels else {
            throw bad(.baseChannels, "must be positive, even and ≤ \(L.baseChannels)")
        }
        guard !channelMultipliers.isEmpty, channelMultipliers.allSatisfy({ (1...L.multiplier).contains($0) }),
            channelMultipliers.count <= 8
        else {
            throw bad(.channelMultipliers, "must be 1…8 integers in 1…\(L.multiplier)")
        }
        guard (1...L.blocksPerLevel).contains(blocksPerLevel) else { throw bad(.blocksPerLevel, "must be 1…\(L.blocksPerLevel)") }
        guard groups > 0 else { throw bad(.groups, "must be positive") }
        guard (1...L.embeddingChannels).contains(embeddingChannels) else {
            throw bad(.embeddingChannels, "must be 1…\(L.embeddingChannels)")
        }
        guard sigmaData > 0, sigmaData.isFinite else { throw bad(.sigmaData, "must be positive") }
        var widths: [Int] = []
        for l in 0..<levels {
            widths.append(channels(level: l))
            widths.append(channels(level: l) + (l < levels - 1 ? channels(level: l + 1) : channels(level: l)))
        }
        for w in widths where w % groups != 0 {
            throw bad(.groups, "\(groups) does not divide channel count \(w)")
        }
        if attention {
            let c = channels(level: levels - 1)
            guard attentionHeads > 0, c % attentionHeads == 0 else {
                throw bad(.attentionHeads, "\(attentionHeads) must be positive and divide \(c)")
            }
        } else {
            guard attentionHeads > 0 else { throw bad(.attentionHeads, "must be positive") }
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
