import Foundation

/// The priors a pipeline has loaded, by the name or path asked for: a run loads each prior file
/// once, however many inputs use it and although the preflight checks load it before the
/// reconstruction does. Copies of a pipeline share the cache.
final class PriorCache: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: [String: LoadedPrior] = [:]

    /// The prior `nameOrPath` (`LoadedPrior(_:compute:)`), loaded on first use.
    func prior(_ nameOrPath: String, compute: ComputeSettings) throws -> LoadedPrior {
        try lock.withLock {
            if let p = loaded[nameOrPath] { return p }
            let p = try LoadedPrior(nameOrPath, compute: compute)
            loaded[nameOrPath] = p
            return p
        }
    }
}
