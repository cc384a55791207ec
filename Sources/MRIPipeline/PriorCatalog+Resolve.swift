import Foundation

extension PriorCatalog {
    /// Names of the built-in priors that `--prior` accepts.
    public static let builtInNames = ["knee", "brain"]

    /// Where the built-in prior `name` lives: `Resources/Priors/<name>.safetensors`.
    public static func builtInURL(_ name: String) -> URL? {
        Bundle.module.resourceURL?.appendingPathComponent("Priors").appendingPathComponent(name + ".safetensors")
    }

    /// `--prior knee|brain|PATH`: a built-in name resolves to `Resources/Priors/<name>.safetensors`
    /// (one-line error when that file is not installed); anything else is a file path, which
    /// must exist.
    public static func resolve(_ nameOrPath: String) throws -> URL {
        if builtInNames.contains(nameOrPath) {
            guard let url = builtInURL(nameOrPath), FileManager.default.fileExists(atPath: url.path) else {
                throw PipelineError.invalidOption(name: "prior", reason: "built-in prior '\(nameOrPath)' is not installed; pass --prior PATH")
            }
            return url
        }
        let url = URL(fileURLWithPath: nameOrPath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw PipelineError.invalidOption(
                name: "prior", reason: "\(nameOrPath): file not found (built-in priors: \(builtInNames.joined(separator: ", ")))")
        }
        return url
    }

    /// The anatomy of a fastMRI `acquisition` attribute: CORPD*/CORPDFS* or anything naming the
    /// knee → "knee"; AX* (AXT1, AXT2, AXFLAIR, …), MPRAGE, FLAIR or anything naming the brain or
    /// head → "brain"; else nil.
    public static func anatomy(acquisition: String?) -> String? {
        guard let a = acquisition?.uppercased(), !a.isEmpty else { return nil }
        if a.hasPrefix("CORPD") || a.contains("KNEE") { return "knee" }
        if a.hasPrefix("AX") || ["BRAIN", "HEAD", "MPRAGE", "FLAIR"].contains(where: a.contains) { return "brain" }
        return nil
    }
}
