import ArgumentParser
import Foundation
import MRIPipeline

struct Priors: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the available priors (built-in and --prior files) with their configuration and model card.")

    @Option(help: "A prior file (.safetensors) to describe as well; repeatable.") var prior: [String] = []
    @Flag(help: "Print a JSON list of objects with name, config, card.") var json = false

    func run() throws {
        let entries = try PriorCatalog.entries(extra: prior.map { URL(fileURLWithPath: $0) })
        emit(json ? try PriorCatalog.json(entries) : PriorCatalog.text(entries))
    }
}
